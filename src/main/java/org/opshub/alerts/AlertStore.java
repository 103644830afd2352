package org.opshub.alerts;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.opshub.state.StateStore;

/**
 * The alerts as received (tables {@code alert_seen} and {@code firing_alert}): the de-duplication keys
 * ({@link Alert#key()}: fingerprint, status and start) and the list of alerts firing as last received,
 * with the JSON of each so that opshub can send its RESOLVED itself ({@link Acks}). Every SQL string of
 * these two tables is here; the static methods run inside the caller's transaction.
 */
public final class AlertStore {
    private final StateStore store;

    /** A firing alert as last received, for {@code /alerts}. */
    public record Firing(String alertname, String severity, String summary, Instant startsAt) {}

    /**
     * A row of the firing list as {@link Acks} reads it.
     *
     * @param fingerprint the alert's fingerprint
     * @param muted       whether Alertmanager listed it as silenced once (opshub then sends its RESOLVED)
     * @param alertJson   the alert as last received ({@link AlertmanagerPayload#toJson}), or null
     */
    public record FiringRow(String fingerprint, boolean muted, String alertJson) {}

    public AlertStore(StateStore store) {
        this.store = store;
    }

    /** Whether {@code key} is new (and now recorded at {@code now}, epoch ms); false for a duplicate. */
    public static boolean firstSeen(Connection c, String key, long now) throws SQLException {
        return StateStore.update(
                        c,
                        "INSERT INTO alert_seen (alert_key, received_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                        key,
                        now)
                == 1;
    }

    /**
     * An alert's message was delivered: the first delivery of the alert (de-duplication key {@code key})
     * is stamped, and only the first.
     *
     * @return when the alert arrived (epoch ms) when this was its first delivery; null when it was
     *     delivered before, or is not known (pruned, or not an alert)
     */
    public static Long firstDelivery(StateStore store, String key, long now) {
        return store.inTransaction(c -> {
            if (StateStore.update(
                            c,
                            "UPDATE alert_seen SET delivered_at = ? WHERE alert_key = ? AND delivered_at IS NULL",
                            now,
                            key)
                    != 1) {
                return null;
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT received_at FROM alert_seen WHERE alert_key = ?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : null;
                }
            }
        });
    }

    /**
     * The firing list after {@code alert}: a firing alert replaces the row of its fingerprint, a resolved
     * one removes it. Text columns are cut to their widths (alertname 500, severity 100, summary 4,000).
     */
    public static void updateFiring(Connection c, Alert alert, long now) throws SQLException {
        StateStore.update(c, "DELETE FROM firing_alert WHERE fingerprint = ?", alert.fingerprint());
        if (alert.firing()) {
            StateStore.update(
                    c,
                    "INSERT INTO firing_alert (fingerprint, alertname, severity, summary, starts_at, received_at,"
                            + " alert_json) VALUES (?,?,?,?,?,?,?)",
                    alert.fingerprint(),
                    cut(alert.alertname(), 500),
                    cut(alert.labels().get("severity"), 100),
                    cut(alert.annotations().get("summary"), 4000),
                    alert.startsAt().toEpochMilli(),
                    now,
                    AlertmanagerPayload.toJson(alert));
        }
    }

    /** The firing list's rows as {@link Acks} reads them. */
    public static List<FiringRow> firingRows(Connection c) throws SQLException {
        List<FiringRow> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT fingerprint, muted, alert_json FROM firing_alert");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new FiringRow(rs.getString(1), rs.getBoolean(2), rs.getString(3)));
            }
        }
        return out;
    }

    /** Marks a firing alert as one Alertmanager listed as silenced. */
    public static void muted(Connection c, String fingerprint) throws SQLException {
        StateStore.update(c, "UPDATE firing_alert SET muted = TRUE WHERE fingerprint = ?", fingerprint);
    }

    /** Alerts firing as last received, oldest first. */
    public List<Firing> firing() {
        return store.inTransaction(c -> {
            List<Firing> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                            "SELECT alertname, severity, summary, starts_at FROM firing_alert ORDER BY starts_at, alertname");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Firing(
                            rs.getString(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4))));
                }
            }
            return out;
        });
    }

    /** Forgets de-duplication keys received before {@code cutoff} (epoch ms); returns how many. */
    public int pruneSeen(long cutoff) {
        return store.inTransaction(c -> StateStore.update(c, "DELETE FROM alert_seen WHERE received_at < ?", cutoff));
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
