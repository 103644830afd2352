package org.opshub.checks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.opshub.state.StateStore;

/**
 * Maintenance windows (table {@code check_maintenance}) and the Telegram messages of check
 * notifications (table {@code check_message}): every SQL string of both tables. In the state store,
 * so a window set from the chat survives a restart and holds for every hub on a shared PostgreSQL.
 */
public final class MaintenanceStore {
    private static final String COLUMNS = "id, source, target, checks, starts_at, ends_at, reason, created_by,"
            + " ended_at, start_announced, end_announced, silence_id";
    private final StateStore store;

    /**
     * One window.
     *
     * @param id             its id ({@code /maintenance end <id>})
     * @param source         {@code chat} or {@code config}
     * @param target         the check or group it was set for
     * @param checks         the check names it holds
     * @param startsAt       epoch ms
     * @param endsAt         epoch ms, as planned
     * @param reason         may be empty
     * @param createdBy      the Telegram user, or {@code checks.maintenance.<name>}
     * @param endedAt        when it was ended early, epoch ms, else null
     * @param startAnnounced whether its start was announced
     * @param endAnnounced   whether its end was announced (it is over then)
     * @param silenceId      the Alertmanager silence created for it, else null
     */
    public record Window(
            long id,
            String source,
            String target,
            List<String> checks,
            long startsAt,
            long endsAt,
            String reason,
            String createdBy,
            Long endedAt,
            boolean startAnnounced,
            boolean endAnnounced,
            String silenceId) {

        /** When it ends (or ended): early, or as planned. */
        public long end() {
            return endedAt != null ? Math.min(endedAt, endsAt) : endsAt;
        }

        /** Whether it holds at {@code now} (epoch ms). */
        public boolean holds(long now) {
            return now >= startsAt && now < end();
        }
    }

    public MaintenanceStore(StateStore store) {
        this.store = store;
    }

    /**
     * A new window.
     *
     * @return its id
     */
    public long open(
            String source,
            String target,
            List<String> checks,
            long startsAt,
            long endsAt,
            String reason,
            String createdBy) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO check_maintenance (source, target, checks, starts_at, ends_at, reason, created_by)"
                            + " VALUES (?,?,?,?,?,?,?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, source);
                ps.setString(2, target);
                ps.setString(3, String.join(",", checks));
                ps.setLong(4, startsAt);
                ps.setLong(5, endsAt);
                ps.setString(6, reason);
                ps.setString(7, createdBy);
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            }
        });
    }

    /** The occurrence of a configured window, once (another hub, or an earlier run, may have it already). */
    public void occurrence(String name, List<String> checks, long startsAt, long endsAt, String reason) {
        store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT 1 FROM check_maintenance WHERE source = 'config' AND target = ? AND starts_at = ?")) {
                ps.setString(1, name);
                ps.setLong(2, startsAt);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return 0;
                    }
                }
            }
            return StateStore.update(
                    c,
                    "INSERT INTO check_maintenance (source, target, checks, starts_at, ends_at, reason, created_by)"
                            + " VALUES ('config',?,?,?,?,?,?)",
                    name,
                    String.join(",", checks),
                    startsAt,
                    endsAt,
                    reason,
                    "checks.maintenance." + name);
        });
    }

    /** Every window whose end was not announced yet (those holding, ahead, or just over), by start. */
    public List<Window> unfinished() {
        return store.inTransaction(c -> select(
                c, "SELECT " + COLUMNS + " FROM check_maintenance WHERE end_announced = FALSE ORDER BY starts_at, id"));
    }

    /** The window {@code id}, or null. */
    public Window get(long id) {
        List<Window> w =
                store.inTransaction(c -> select(c, "SELECT " + COLUMNS + " FROM check_maintenance WHERE id = " + id));
        return w.isEmpty() ? null : w.get(0);
    }

    /** Ends a window early at {@code now}; false when it is unknown or over. */
    public boolean end(long id, long now) {
        return store.inTransaction(c -> StateStore.update(
                        c,
                        "UPDATE check_maintenance SET ended_at = ? WHERE id = ? AND ended_at IS NULL AND ends_at > ?",
                        now,
                        id,
                        now))
                == 1;
    }

    /** Its start was announced. */
    public void startAnnounced(long id) {
        store.inTransaction(
                c -> StateStore.update(c, "UPDATE check_maintenance SET start_announced = TRUE WHERE id = ?", id));
    }

    /** Its end was announced: it is over. */
    public void endAnnounced(long id) {
        store.inTransaction(
                c -> StateStore.update(c, "UPDATE check_maintenance SET end_announced = TRUE WHERE id = ?", id));
    }

    /** The Alertmanager silence created for it. */
    public void silence(long id, String silenceId) {
        store.inTransaction(
                c -> StateStore.update(c, "UPDATE check_maintenance SET silence_id = ? WHERE id = ?", silenceId, id));
    }

    /** The Telegram message a check notification ({@code ref}) became in a chat. */
    public void messageSent(String ref, long chatId, long messageId, long now) {
        store.inTransaction(c -> {
            StateStore.update(c, "DELETE FROM check_message WHERE ref = ? AND chat_id = ?", ref, chatId);
            StateStore.update(c, "DELETE FROM check_message WHERE sent_at < ?", now - 30L * 24 * 3600 * 1000);
            return StateStore.update(
                    c,
                    "INSERT INTO check_message (ref, chat_id, message_id, sent_at) VALUES (?,?,?,?)",
                    ref,
                    chatId,
                    messageId,
                    now);
        });
    }

    /** The message id of a check notification in a chat, or null (not sent yet). */
    public Long message(String ref, long chatId) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT message_id FROM check_message WHERE ref = ? AND chat_id = ?")) {
                ps.setString(1, ref);
                ps.setLong(2, chatId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getLong(1) : null;
                }
            }
        });
    }

    private static List<Window> select(Connection c, String sql) throws SQLException {
        List<Window> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                long ended = rs.getLong(9);
                Long endedAt = rs.wasNull() ? null : ended;
                out.add(new Window(
                        rs.getLong(1),
                        rs.getString(2),
                        rs.getString(3),
                        CheckGraph.names(rs.getString(4)),
                        rs.getLong(5),
                        rs.getLong(6),
                        rs.getString(7),
                        rs.getString(8),
                        endedAt,
                        rs.getBoolean(10),
                        rs.getBoolean(11),
                        rs.getString(12)));
            }
        }
        return out;
    }
}
