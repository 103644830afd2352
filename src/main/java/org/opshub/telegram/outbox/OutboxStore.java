package org.opshub.telegram.outbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.opshub.config.Secrets;
import org.opshub.state.StateStore;

/**
 * The durable delivery outbox (table {@code outbox}): messages are inserted in the same
 * transaction as what caused them and deleted once Telegram accepted them. Publishes the gauges
 * {@code telegram_outbox_messages} and {@code telegram_outbox_oldest_age_seconds}, refreshed on
 * every drain cycle.
 */
public final class OutboxStore {
    private final StateStore store;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong oldestCreatedAt = new AtomicLong();

    public OutboxStore(StateStore store, MeterRegistry registry) {
        this.store = store;
        Gauge.builder("telegram_outbox_messages", pending, AtomicLong::get)
                .description("Telegram messages waiting in the outbox (alerts and replies), as of the last drain cycle")
                .register(registry);
        Gauge.builder("telegram_outbox_oldest_age_seconds", this, o -> o.oldestAgeSeconds(System.currentTimeMillis()))
                .description("Age of the oldest message waiting in the outbox, seconds; 0 when empty")
                .register(registry);
        // the same age with the channel as a label (telegram), as the delivery-time metrics name it
        Gauge.builder(
                        "alert_delivery_oldest_undelivered_seconds",
                        this,
                        o -> o.oldestAgeSeconds(System.currentTimeMillis()))
                .tag("channel", "telegram")
                .description("Age of the oldest message not yet delivered on the channel, seconds; 0 when none waits")
                .register(registry);
    }

    /**
     * Queues {@code text} for one chat, split into parts of at most 4096 characters. A part
     * already queued for the same (chat, kind, ref) is not queued again.
     *
     * @return the number of parts inserted (0 when all were already queued)
     */
    public static int enqueue(
            Connection c, long chatId, String kind, String ref, String text, String parseMode, long now)
            throws SQLException {
        return enqueue(c, chatId, kind, ref, text, parseMode, null, now);
    }

    /**
     * As {@link #enqueue(Connection, long, String, String, String, String, long)}, with the
     * {@code extra} JSON of a {@link BotCall} (kept on the last part only: a keyboard belongs
     * under the whole text).
     */
    public static int enqueue(
            Connection c, long chatId, String kind, String ref, String text, String parseMode, String extra, long now)
            throws SQLException {
        text = Secrets.mask(text);
        boolean caption = extra != null && extra.contains("\"panel\"");
        List<String> parts =
                caption || text.isEmpty() ? List.of(text) : MessageSplitter.split(text, MessageSplitter.TELEGRAM_LIMIT);
        int inserted = 0;
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO outbox (chat_id, kind, ref, part, text, parse_mode,"
                        + " created_at, next_attempt_at, attempts, extra) VALUES (?,?,?,?,?,?,?,?,0,?) ON CONFLICT DO NOTHING")) {
            for (int i = 0; i < parts.size(); i++) {
                ps.setLong(1, chatId);
                ps.setString(2, kind);
                ps.setString(3, ref);
                ps.setInt(4, i);
                ps.setString(5, parts.get(i));
                if (parseMode == null) {
                    ps.setNull(6, Types.VARCHAR);
                } else {
                    ps.setString(6, parseMode);
                }
                ps.setLong(7, now);
                ps.setLong(8, now);
                if (extra != null && i == parts.size() - 1) {
                    ps.setString(9, extra);
                } else {
                    ps.setNull(9, Types.VARCHAR);
                }
                inserted += ps.executeUpdate();
            }
        }
        return inserted;
    }

    /**
     * The {@code extra} JSON of a message for a forum topic: {@code message_thread_id} set (Bot API
     * sendMessage/sendPhoto); unchanged for topic 0 (the chat itself, or General).
     *
     * @param extra    the message's extra JSON, or null
     * @param threadId the topic's {@code message_thread_id}, 0 for none
     */
    public static String inThread(String extra, long threadId) {
        if (threadId == 0) {
            return extra;
        }
        ObjectNode o = BotCall.extra(new OutboxMessage(0, 0, "", "", "", null, 0, 0, extra));
        return o.put("message_thread_id", threadId).toString();
    }

    /** {@link #enqueue(Connection, long, String, String, String, String, long)} in its own transaction. */
    public int enqueue(long chatId, String kind, String ref, String text, String parseMode) {
        return enqueue(chatId, kind, ref, text, parseMode, null);
    }

    /** With the {@code extra} JSON of a {@link BotCall}, in its own transaction. */
    public int enqueue(long chatId, String kind, String ref, String text, String parseMode, String extra) {
        long now = System.currentTimeMillis();
        return store.inTransaction(c -> enqueue(c, chatId, kind, ref, text, parseMode, extra, now));
    }

    /** For a topic of a chat ({@code threadId} 0: the chat itself), in its own transaction. */
    public int enqueue(
            long chatId, long threadId, String kind, String ref, String text, String parseMode, String extra) {
        return enqueue(chatId, kind, ref, text, parseMode, inThread(extra, threadId));
    }

    /** A message to the topic where it was asked: the reply's thread is taken from a Bot API message. */
    public int reply(long chatId, long threadId, String ref, String text) {
        return enqueue(chatId, threadId, "reply", ref, text, "HTML", null);
    }

    /**
     * The first pending message of every chat (delivery is in order per chat), oldest first, that
     * is due and not claimed by another hub (or whose claim has run out); refreshes the gauges.
     *
     * @param hub this hub: its own claims do not hide a message from it (a claim it could not end
     *            while the store was away)
     */
    public List<OutboxMessage> heads(int limit, String hub) {
        return store.inTransaction(c -> {
            // COUNT(*) without a condition is the table's row count; the oldest message is the lowest id
            // (ids follow arrival), read through the primary key: neither scans the rows and their texts,
            // which a MIN(created_at) did ten times a second over a queue of thousands
            try (PreparedStatement st = c.prepareStatement("SELECT COUNT(*) FROM outbox");
                    ResultSet rs = st.executeQuery()) {
                rs.next();
                pending.set(rs.getLong(1));
            }
            try (PreparedStatement st = c.prepareStatement("SELECT created_at FROM outbox ORDER BY id LIMIT 1");
                    ResultSet rs = st.executeQuery()) {
                oldestCreatedAt.set(rs.next() ? rs.getLong(1) : 0);
            }
            List<OutboxMessage> out = new ArrayList<>();
            // each chat's first message by a skip scan over the index (chat_id, id): one index lookup per chat,
            // where a GROUP BY chat_id read every row's index entry ten times a second, over a backlog of
            // thousands when Telegram is slow or a chat is throttled
            try (PreparedStatement ps = c.prepareStatement("WITH RECURSIVE chats (chat_id) AS ("
                    + " SELECT (SELECT chat_id FROM outbox ORDER BY chat_id LIMIT 1)"
                    + " UNION ALL SELECT (SELECT n.chat_id FROM outbox n WHERE n.chat_id > chats.chat_id ORDER BY n.chat_id LIMIT 1)"
                    + " FROM chats WHERE chats.chat_id IS NOT NULL)"
                    + " SELECT o.id, o.chat_id, o.kind, o.ref, o.text, o.parse_mode,"
                    + " o.created_at, o.attempts, o.next_attempt_at, o.extra FROM chats JOIN outbox o"
                    + " ON o.id = (SELECT f.id FROM outbox f WHERE f.chat_id = chats.chat_id ORDER BY f.id LIMIT 1)"
                    + " WHERE o.claimed_until IS NULL OR o.claimed_until < ? OR o.claimed_by = ? ORDER BY o.id")) {
                long now = System.currentTimeMillis();
                ps.setLong(1, now);
                ps.setString(2, hub);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next() && out.size() < limit) {
                        if (rs.getLong(9) <= now) {
                            out.add(new OutboxMessage(
                                    rs.getLong(1),
                                    rs.getLong(2),
                                    rs.getString(3),
                                    rs.getString(4),
                                    rs.getString(5),
                                    rs.getString(6),
                                    rs.getLong(7),
                                    rs.getInt(8),
                                    rs.getString(10)));
                        }
                    }
                }
            }
            return out;
        });
    }

    /**
     * Forgets the send log before {@code before} (epoch ms); the prune timer calls it, so the send
     * path never waits on another hub's locks for it.
     *
     * @return rows removed
     */
    public int pruneSendLog(long before) {
        return store.inTransaction(c -> update(c, "DELETE FROM telegram_send_log WHERE sent_at < ?", before));
    }

    /**
     * The Bot API calls recorded since {@code since} (epoch ms), oldest first.
     *
     * @return pairs of chat id and time
     */
    public List<long[]> sendsSince(long since) {
        return store.inTransaction(c -> {
            List<long[]> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT chat_id, sent_at FROM telegram_send_log WHERE sent_at >= ? ORDER BY sent_at")) {
                ps.setLong(1, since);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new long[] {rs.getLong(1), rs.getLong(2)});
                    }
                }
            }
            return out;
        });
    }

    /**
     * Claims a message for sending (a conditional UPDATE, so of two hubs only one succeeds): it is
     * {@code hub}'s until {@code until} (epoch ms), unless a claim of another hub still runs at {@code now}.
     *
     * @return whether this hub has it now
     */
    public boolean claim(long id, String hub, long until, long now) {
        return store.inTransaction(c -> update(
                        c,
                        "UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE id = ?"
                                + " AND (claimed_until IS NULL OR claimed_until < ? OR claimed_by = ?)",
                        hub,
                        until,
                        id,
                        now,
                        hub))
                == 1;
    }

    /**
     * Right before a message's Bot API call: renews this hub's claim and writes the call to the
     * send log, in one transaction. A hub that lost the claim (it ran out and another hub took the
     * message) or cannot reach the store must not send.
     *
     * @return whether the claim still holds, so the call may be made
     * @throws org.opshub.state.StateUnavailableException when the store does not answer
     */
    public boolean confirmSend(OutboxMessage m, String hub, long until, long now) {
        return store.inTransaction(c -> {
            if (update(c, "UPDATE outbox SET claimed_until = ? WHERE id = ? AND claimed_by = ?", until, m.id(), hub)
                    != 1) {
                return false;
            }
            update(c, "INSERT INTO telegram_send_log (chat_id, sent_at) VALUES (?, ?)", m.chatId(), now);
            return true;
        });
    }

    /**
     * Ends every claim of other hubs: called by the hub that has just taken the cluster lease. The
     * hub that held it has lost it (dead, or cut off from the store), so its claims would only make
     * their messages wait until they run out (2 x {@code telegram.http-timeout}); a send it still
     * makes fails its {@link #confirmSend}, which needs the claim.
     *
     * @return the number of messages released
     */
    public int releaseClaimsOfOthers(String hub) {
        return store.inTransaction(c -> update(
                c,
                "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL"
                        + " WHERE claimed_by IS NOT NULL AND claimed_by <> ?",
                hub));
    }

    /** Ends this hub's claim of a message still in the outbox (it is to be tried again, or was not sent). */
    public void unclaim(long id, String hub) {
        store.inTransaction(c -> update(
                c,
                "UPDATE outbox SET claimed_by = NULL, claimed_until = NULL WHERE id = ? AND claimed_by = ?",
                id,
                hub));
    }

    /** Removes a message (sent, or given up). */
    public void delete(long id) {
        store.inTransaction(c -> update(c, "DELETE FROM outbox WHERE id = ?", id));
    }

    /** Schedules the next attempt of a message and records why the last one failed. */
    public void retryAt(long id, long nextAttemptAt, String error) {
        store.inTransaction(c -> update(
                c,
                "UPDATE outbox SET next_attempt_at = ?, attempts = attempts + 1, last_error = ?" + " WHERE id = ?",
                nextAttemptAt,
                error.length() > 1000 ? error.substring(0, 1000) : error,
                id));
    }

    /** Replaces the text, parse mode and extra of a pending message (a photo sent as text instead). */
    public void rewrite(OutboxMessage m) {
        store.inTransaction(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE outbox SET text = ?, parse_mode = ?, extra = ? WHERE id = ?")) {
                ps.setString(1, m.text());
                ps.setString(2, m.parseMode());
                ps.setString(3, m.extra());
                ps.setLong(4, m.id());
                return ps.executeUpdate();
            }
        });
    }

    /** Whether a message of {@code ref} waits in a chat, not claimed for sending. */
    public boolean waiting(long chatId, String ref) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT 1 FROM outbox WHERE chat_id = ? AND ref = ? AND claimed_by IS NULL")) {
                ps.setLong(1, chatId);
                ps.setString(2, ref);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /**
     * Replaces the text of a message still waiting in a chat ({@code ref} as queued); a claimed one
     * (being sent now) is left alone.
     *
     * @return whether one was waiting and was rewritten
     */
    public boolean rewriteWaiting(long chatId, String ref, String text) {
        return store.inTransaction(c -> update(
                        c,
                        "UPDATE outbox SET text = ? WHERE chat_id = ? AND ref = ? AND claimed_by IS NULL",
                        text,
                        chatId,
                        ref))
                > 0;
    }

    /** As {@link #rewriteWaiting}, for every waiting message whose ref starts with {@code refPrefix}. */
    public boolean rewriteWaitingStartingWith(long chatId, String refPrefix, String text) {
        String like = refPrefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        return store.inTransaction(c -> update(
                        c,
                        "UPDATE outbox SET text = ? WHERE chat_id = ? AND ref LIKE ? ESCAPE '\\' AND claimed_by IS NULL",
                        text,
                        chatId,
                        like))
                > 0;
    }

    /** Turns a message into plain text (Telegram refused its HTML entities), due now. */
    public void makePlain(long id, String plainText) {
        store.inTransaction(c -> update(
                c,
                "UPDATE outbox SET text = ?, parse_mode = NULL, attempts = attempts + 1 WHERE id = ?",
                plainText,
                id));
    }

    /** Moves every pending message of a chat to its new id (group upgraded to a supergroup). */
    public static int moveChat(Connection c, long from, long to) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE outbox SET chat_id = ? WHERE chat_id = ?"
                + " AND NOT EXISTS (SELECT 1 FROM outbox n WHERE n.chat_id = ? AND n.kind = outbox.kind"
                + " AND n.ref = outbox.ref AND n.part = outbox.part)")) {
            ps.setLong(1, to);
            ps.setLong(2, from);
            ps.setLong(3, to);
            int moved = ps.executeUpdate();
            update(c, "DELETE FROM outbox WHERE chat_id = ?", from);
            return moved;
        }
    }

    /** Drops every pending message of a chat (the bot was blocked or removed). */
    public static int dropChat(Connection c, long chatId) throws SQLException {
        return update(c, "DELETE FROM outbox WHERE chat_id = ?", chatId);
    }

    /** Messages pending as of the last drain cycle. */
    public long pending() {
        return pending.get();
    }

    /** Age of the oldest pending message in seconds (0 when none), as of the last drain cycle. */
    public double oldestAgeSeconds(long now) {
        long oldest = oldestCreatedAt.get();
        return pending.get() == 0 || oldest == 0 ? 0 : Math.max(0, now - oldest) / 1000.0;
    }

    private static int update(Connection c, String sql, Object... args) throws SQLException {
        return StateStore.update(c, sql, args);
    }
}
