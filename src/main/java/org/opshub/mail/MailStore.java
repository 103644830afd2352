package org.opshub.mail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import org.opshub.state.StateStore;

/**
 * Every SQL string of e-mail (tables {@code mail_outbox}, {@code chat_fallback}, and the {@code
 * fallback_at} of Telegram's {@code outbox}). {@link Mailer} and {@link MailFallback} decide; this store
 * reads and writes.
 */
public final class MailStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final StateStore store;

    public MailStore(StateStore store) {
        this.store = store;
    }

    /**
     * One e-mail waiting in the outbox.
     *
     * @param body     the alert's text, Telegram's HTML subset
     * @param panel    the Grafana panel to attach as a picture (a photo's {@code panel} JSON), or null
     * @param attempts failed sends so far
     */
    public record Mail(
            long id,
            String address,
            String subject,
            String body,
            String panel,
            String ref,
            long createdAt,
            int attempts) {}

    /**
     * A Telegram message that waits too long for its chat: what {@link MailFallback} sends by e-mail.
     *
     * @param extra the extra JSON that holds the alert's panel: its own, or its picture's when the picture
     *              was queued on its own; null for none
     * @param photo whether the message itself is a photo with the text as its caption
     */
    public record Waiting(
            long id,
            long chatId,
            long threadId,
            String ref,
            String text,
            String extra,
            long createdAt,
            boolean photo) {}

    // an alert whose picture failed went as text, its picture queued on its own as <ref>:photo
    private static final String WAITING = "SELECT o.id, o.chat_id, o.ref, o.text, o.extra,"
            + " o.created_at, p.extra FROM outbox o LEFT JOIN outbox p ON p.chat_id = o.chat_id AND p.kind = 'photo'"
            + " AND p.ref = CONCAT(o.ref, ':photo') WHERE o.chat_id = ? AND o.kind = 'alert'"
            // its own send failed, or the one its chat's queue waits behind (messages go in order)
            + " AND EXISTS (SELECT 1 FROM outbox h WHERE h.chat_id = o.chat_id AND h.attempts > 0)"
            + " AND o.fallback_at IS NULL AND o.created_at < ? ORDER BY o.id";

    /** Queues one e-mail, due now. */
    public static void enqueue(
            Connection c, String address, String subject, String body, String panel, String ref, long now)
            throws SQLException {
        StateStore.update(
                c,
                "INSERT INTO mail_outbox (address, subject, body, panel, ref, created_at, attempts, next_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
                address,
                subject,
                body,
                panel,
                ref,
                now,
                now);
    }

    /**
     * The e-mails due now, at most {@code limit}, claimed until {@code until} (epoch ms): another claim
     * waits for that.
     */
    public List<Mail> claimDue(long now, long until, int limit) {
        return store.inTransaction(c -> {
            List<Mail> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, address, subject, body, panel, ref, created_at, attempts FROM mail_outbox"
                            + " WHERE next_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) ORDER BY id")) {
                ps.setLong(1, now);
                ps.setLong(2, now);
                ps.setMaxRows(limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Mail(
                                rs.getLong(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getString(4),
                                rs.getString(5),
                                rs.getString(6),
                                rs.getLong(7),
                                rs.getInt(8)));
                    }
                }
            }
            for (Mail m : out) {
                StateStore.update(c, "UPDATE mail_outbox SET claimed_until = ? WHERE id = ?", until, m.id());
            }
            return out;
        });
    }

    /** An e-mail the server took, or gave up: gone from the outbox. */
    public void delete(long id) {
        store.inTransaction(c -> StateStore.update(c, "DELETE FROM mail_outbox WHERE id = ?", id));
    }

    /** An e-mail tried again at {@code nextAt} (epoch ms), its failure kept. */
    public void retryAt(long id, long nextAt, String error) {
        store.inTransaction(c -> StateStore.update(
                c,
                "UPDATE mail_outbox SET next_at = ?, attempts = attempts + 1, claimed_until = NULL, last_error = ?"
                        + " WHERE id = ?",
                nextAt,
                error.length() > 1000 ? error.substring(0, 1000) : error,
                id));
    }

    /** E-mails waiting, and the oldest one's creation (epoch ms; 0 when none). */
    public long[] pending() {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), MIN(created_at) FROM mail_outbox");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        });
    }

    /**
     * The Telegram alert messages of {@code chats} created before {@code before} (epoch ms) whose chat's
     * queue is failing (a send of it failed at least once) and that have not gone out by e-mail yet,
     * oldest first.
     */
    public List<Waiting> waiting(List<Long> chats, long before, int limit) {
        return store.inTransaction(c -> {
            List<Waiting> out = new ArrayList<>();
            for (long chat : chats) {
                try (PreparedStatement ps = c.prepareStatement(WAITING)) {
                    ps.setLong(1, chat);
                    ps.setLong(2, before);
                    ps.setMaxRows(limit);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            String extra = panelOf(rs.getString(5)) != null ? rs.getString(5) : rs.getString(7);
                            out.add(new Waiting(
                                    rs.getLong(1),
                                    rs.getLong(2),
                                    threadOf(rs.getString(5)),
                                    rs.getString(3),
                                    rs.getString(4),
                                    extra,
                                    rs.getLong(6),
                                    rs.getString(5) != null && rs.getString(5).contains("\"sendPhoto\"")));
                        }
                    }
                }
            }
            return out;
        });
    }

    /**
     * A waiting Telegram message goes out by e-mail: one e-mail per address, and the message marked (with
     * its new text, which says so), in one transaction.
     *
     * @return false when another hub did it first (nothing queued)
     */
    public boolean fallBack(Waiting w, List<String> addresses, String subject, String note, long now) {
        return store.inTransaction(c -> {
            if (StateStore.update(
                            c,
                            "UPDATE outbox SET fallback_at = ?, text = ? WHERE id = ? AND fallback_at IS NULL",
                            now,
                            w.text() + note,
                            w.id())
                    != 1) {
                return false;
            }
            String panel = panelOf(w.extra());
            for (String a : addresses) {
                enqueue(c, a, subject, w.text(), panel, w.ref(), now);
            }
            return true;
        });
    }

    private static long threadOf(String extra) {
        try {
            return extra == null
                    ? 0
                    : JSON.readTree(extra).path("message_thread_id").asLong(0);
        } catch (JsonProcessingException e) {
            return 0;
        }
    }

    private static String panelOf(String extra) {
        if (extra == null || !extra.contains("\"panel\"")) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(extra).path("panel");
            return n.isObject() ? n.toString() : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** The fallback addresses set from a chat or a topic of it ({@code /fallback add}; thread 0: the chat's). */
    public List<String> addresses(long chatId, long threadId) {
        return store.inTransaction(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT address FROM chat_fallback WHERE chat_id = ? AND thread_id = ? ORDER BY address")) {
                ps.setLong(1, chatId);
                ps.setLong(2, threadId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
    }

    /** The chats with addresses set from the chat. */
    public List<Long> chats() {
        return store.inTransaction(c -> {
            List<Long> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT DISTINCT chat_id FROM chat_fallback");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
            return out;
        });
    }

    /** @return whether it was new */
    public boolean add(long chatId, long threadId, String address) {
        return store.inTransaction(c -> StateStore.update(
                        c,
                        "INSERT INTO chat_fallback (chat_id, thread_id, address) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                        chatId,
                        threadId,
                        address)
                == 1);
    }

    /** @return whether it was there */
    public boolean remove(long chatId, long threadId, String address) {
        return store.inTransaction(c -> StateStore.update(
                        c,
                        "DELETE FROM chat_fallback WHERE chat_id = ? AND thread_id = ? AND address = ?",
                        chatId,
                        threadId,
                        address)
                == 1);
    }

    /** A firing alert held for an e-mail subscription's digest. */
    public static void held(Connection c, String address, String alertname, long at) throws SQLException {
        StateStore.update(
                c,
                "INSERT INTO mail_held (address, alertname, held_at) VALUES (?, ?, ?)",
                address,
                alertname.length() > 500 ? alertname.substring(0, 500) : alertname,
                at);
    }

    /**
     * Every address's held alerts (count per alertname), each turned into one digest e-mail by {@code
     * digest} ({subject, body}) and queued, and the held rows deleted, in one transaction.
     *
     * @return the counts by address
     */
    public Map<String, Map<String, Integer>> takeHeld(
            long now, BiFunction<String, Map<String, Integer>, String[]> digest) {
        return store.inTransaction(c -> {
            Map<String, Map<String, Integer>> held = new TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                            "SELECT address, alertname, COUNT(*) FROM mail_held GROUP BY address, alertname"
                                    + " ORDER BY address, alertname");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    held.computeIfAbsent(rs.getString(1), a -> new TreeMap<>()).put(rs.getString(2), rs.getInt(3));
                }
            }
            for (Map.Entry<String, Map<String, Integer>> e : held.entrySet()) {
                String[] mail = digest.apply(e.getKey(), e.getValue());
                enqueue(c, e.getKey(), mail[0], mail[1], null, "digest:" + now, now);
                StateStore.update(c, "DELETE FROM mail_held WHERE address = ?", e.getKey());
            }
            return held;
        });
    }
}
