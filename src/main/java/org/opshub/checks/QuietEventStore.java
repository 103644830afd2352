package org.opshub.checks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.opshub.state.StateStore;

/**
 * What happened while the notify window was closed (table {@code quiet_event}): every SQL string of
 * the table. {@link QuietLog} decides what the digests say.
 */
public final class QuietEventStore {
    private final StateStore store;

    /**
     * One event, as recorded.
     *
     * @param kind     {@code down}, {@code recovered} or {@code alert}
     * @param name     the check's or the alert's name
     * @param at       when, epoch ms
     * @param since    for {@code recovered}: when the check went down (epoch ms), else null
     * @param chatId   for {@code alert}: the chat it was held for, else 0
     * @param threadId for {@code alert}: its topic, 0 for none
     */
    public record Event(String kind, String name, long at, Long since, long chatId, long threadId) {}

    public QuietEventStore(StateStore store) {
        this.store = store;
    }

    /** An alert held for a chat (and topic), inside the caller's transaction (the alert's own). */
    public static void heldAlert(Connection c, long chatId, long threadId, String alertname, long at)
            throws SQLException {
        StateStore.update(
                c,
                "INSERT INTO quiet_event (kind, name, at, chat_id, thread_id) VALUES ('alert', ?, ?, ?, ?)",
                alertname,
                at,
                chatId,
                threadId);
    }

    /** A check went down at {@code at} (epoch ms). */
    public void down(String check, long at) {
        store.inTransaction(
                c -> StateStore.update(c, "INSERT INTO quiet_event (kind, name, at) VALUES ('down', ?, ?)", check, at));
    }

    /** A check came back at {@code at}; {@code since}: when it went down, or null (epoch ms). */
    public void recovered(String check, Long since, long at) {
        store.inTransaction(c -> StateStore.update(
                c, "INSERT INTO quiet_event (kind, name, at, since) VALUES ('recovered', ?, ?, ?)", check, at, since));
    }

    /**
     * In one transaction: every event in the order it happened, handed to {@code use}, and deleted, so
     * that each goes into one digest only.
     */
    public <T> T take(Function<List<Event>, T> use) {
        return store.inTransaction(c -> {
            List<Event> events = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                            "SELECT kind, name, at, since, chat_id, thread_id FROM quiet_event ORDER BY at, id");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long since = rs.getLong(4);
                    Long s = rs.wasNull() ? null : since;
                    events.add(new Event(
                            rs.getString(1), rs.getString(2), rs.getLong(3), s, rs.getLong(5), rs.getLong(6)));
                }
            }
            StateStore.update(c, "DELETE FROM quiet_event");
            return use.apply(events);
        });
    }
}
