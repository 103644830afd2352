package org.opshub.alerts;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.opshub.state.StateStore;

/**
 * The acknowledgements (table {@code alert_ack}) and the alerts opshub resolved itself (table
 * {@code alert_resolved_muted}): every SQL string of both tables. {@link Acks} decides; this store
 * reads what a decision needs and writes what it changes, in one transaction.
 */
public final class AckStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final StateStore store;

    /**
     * What one read of Alertmanager's alerts is decided against.
     *
     * @param acks          the open acknowledgements, oldest first
     * @param resolvedMuted fingerprints of alerts opshub resolved itself that have not fired since
     * @param firing        the firing list ({@code firing_alert})
     */
    public record Held(List<Acks.Ack> acks, List<String> resolvedMuted, List<AlertStore.FiringRow> firing) {}

    /**
     * What a decision writes.
     *
     * @param firedAgain   fingerprints leaving {@code alert_resolved_muted}: they fire again
     * @param resolvedNow  fingerprints opshub resolves itself now, entering {@code alert_resolved_muted}
     * @param muted        fingerprints of the firing list that Alertmanager lists as silenced from now on
     * @param at           when, epoch ms
     */
    public record Changes(List<String> firedAgain, List<String> resolvedNow, List<String> muted, long at) {}

    public AckStore(StateStore store) {
        this.store = store;
    }

    /** Records an acknowledgement, replacing an older one of the same alert. */
    public void open(Acks.Ack a) {
        store.inTransaction(c -> {
            StateStore.update(c, "DELETE FROM alert_ack WHERE fingerprint = ?", a.fingerprint());
            return StateStore.update(
                    c,
                    "INSERT INTO alert_ack (fingerprint, alertname, labels, silence_id, silence_ends_at,"
                            + " chat_id, thread_id, message_id, acked_by, acked_by_id, acked_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    a.fingerprint(),
                    a.alertname(),
                    JSON.valueToTree(a.labels()).toString(),
                    a.silenceId(),
                    a.silenceEndsAt(),
                    a.chatId(),
                    a.threadId(),
                    a.messageId(),
                    a.ackedBy(),
                    a.ackedById(),
                    a.ackedAt());
        });
    }

    /** Every open acknowledgement, oldest first. */
    public List<Acks.Ack> all() {
        return store.inTransaction(AckStore::all);
    }

    private static List<Acks.Ack> all(Connection c) throws SQLException {
        List<Acks.Ack> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                        "SELECT fingerprint, alertname, labels, silence_id, silence_ends_at,"
                                + " chat_id, thread_id, message_id, acked_by, acked_by_id, acked_at FROM alert_ack ORDER BY acked_at");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Acks.Ack(
                        rs.getString(1),
                        rs.getString(2),
                        labels(rs.getString(3)),
                        rs.getString(4),
                        rs.getLong(5),
                        rs.getLong(6),
                        rs.getLong(7),
                        rs.getLong(8),
                        rs.getString(9),
                        rs.getLong(10),
                        rs.getLong(11)));
            }
        }
        return out;
    }

    private static Map<String, String> labels(String json) {
        Map<String, String> m = new TreeMap<>();
        try {
            JSON.readTree(json)
                    .fields()
                    .forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        } catch (IOException e) {
            // an unreadable row keeps no matchers; its extension is refused by Alertmanager and logged
        }
        return m;
    }

    /** An acknowledgement's silence was extended: its (possibly new) id and end (epoch ms). */
    public void extended(String fingerprint, String silenceId, long endsAt) {
        store.inTransaction(c -> StateStore.update(
                c,
                "UPDATE alert_ack SET silence_id = ?, silence_ends_at = ? WHERE fingerprint = ?",
                silenceId,
                endsAt,
                fingerprint));
    }

    /** An acknowledgement ends. */
    public void close(String fingerprint) {
        store.inTransaction(c -> StateStore.update(c, "DELETE FROM alert_ack WHERE fingerprint = ?", fingerprint));
    }

    /** Forgets the alerts opshub resolved before {@code before} (epoch ms); returns how many. */
    public int pruneResolved(long before) {
        return store.inTransaction(
                c -> StateStore.update(c, "DELETE FROM alert_resolved_muted WHERE resolved_at < ?", before));
    }

    /**
     * In one transaction: reads what is {@link Held}, asks {@code decide}, and writes its {@link Changes}.
     *
     * @param decide a function of what is held to a decision
     * @param changes what of the decision is written
     * @return the decision
     */
    public <D> D reconcile(Function<Held, D> decide, Function<D, Changes> changes) {
        return store.inTransaction(c -> {
            List<String> resolvedMuted = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT fingerprint FROM alert_resolved_muted");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    resolvedMuted.add(rs.getString(1));
                }
            }
            D decision = decide.apply(new Held(all(c), resolvedMuted, AlertStore.firingRows(c)));
            Changes w = changes.apply(decision);
            for (String fp : w.firedAgain()) {
                StateStore.update(c, "DELETE FROM alert_resolved_muted WHERE fingerprint = ?", fp);
            }
            for (String fp : w.resolvedNow()) {
                StateStore.update(c, "DELETE FROM alert_resolved_muted WHERE fingerprint = ?", fp);
                StateStore.update(
                        c, "INSERT INTO alert_resolved_muted (fingerprint, resolved_at) VALUES (?, ?)", fp, w.at());
            }
            for (String fp : w.muted()) {
                AlertStore.muted(c, fp);
            }
            return decision;
        });
    }
}
