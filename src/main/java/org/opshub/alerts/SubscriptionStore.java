package org.opshub.alerts;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.opshub.state.StateStore;

/**
 * Chats and their subscription patterns (tables {@code chat}, {@code subscription}). A subscription
 * belongs to a topic of a forum supergroup (its {@code message_thread_id}, Bot API "Message"), or to
 * the chat itself (topic 0, a forum's General topic). Compiled patterns are cached per version of
 * {@code subscription_version}, which every change bumps in its transaction, so a change on any hub
 * sharing the store is seen at the next lookup.
 */
public final class SubscriptionStore {
    private final StateStore store;
    /** The patterns of the enabled chats as read at a version of {@code subscription_version}. */
    private record Cached(long version, Map<Long, List<Subscription>> patterns) {}

    /**
     * One subscription.
     *
     * @param threadId   the forum topic ({@code message_thread_id}), 0 for the chat itself or General
     * @param pattern    the parsed pattern
     * @param threadGone why the topic cannot be reached any more (Telegram's description), or null
     * @param urgent     delivered during quiet hours too ({@code /subscribe <pattern> urgent})
     */
    public record Subscription(long threadId, SubscriptionPattern pattern, String threadGone, boolean urgent) {}

    /**
     * Where an alert goes: a chat, and the topic of the subscription that matched it.
     *
     * @param chatId     the chat
     * @param threadId   the topic to send to; 0: the chat itself (or General)
     * @param goneThread the topic the subscription was made in, when that topic is gone and the alert
     *                   goes to General instead ({@code threadId} is then 0); else 0
     * @param urgent     a matching subscription is urgent: delivered during quiet hours too
     */
    public record Target(long chatId, long threadId, long goneThread, boolean urgent) {}

    private volatile Cached cache;

    public SubscriptionStore(StateStore store) {
        this.store = store;
    }

    /**
     * Adds a pattern for a topic of a chat ({@code threadId} 0: the chat itself) and (re-)enables the
     * chat. The command came from that topic, so it is alive: a "gone" mark on the topic's
     * subscriptions is cleared. {@code urgent}: its alerts are delivered during quiet hours too (an
     * existing subscription of the pattern takes the flag).
     *
     * @return false when the topic already had that pattern with that flag
     * @throws IllegalArgumentException when the pattern is invalid (the parser's message)
     */
    public boolean subscribe(long chatId, long threadId, String text, boolean urgent) {
        SubscriptionPattern p = SubscriptionPattern.parse(text);
        long now = System.currentTimeMillis();
        return store.inTransaction(c -> {
            enableChat(c, chatId, now);
            bump(c);
            StateStore.update(
                    c,
                    "UPDATE subscription SET thread_gone = NULL WHERE chat_id = ? AND thread_id = ?",
                    chatId,
                    threadId);
            if (StateStore.update(
                            c,
                            "UPDATE subscription SET urgent = ? WHERE chat_id = ? AND thread_id = ? AND pattern = ?"
                                    + " AND urgent <> ?",
                            urgent,
                            chatId,
                            threadId,
                            p.text(),
                            urgent)
                    == 1) {
                return true;
            }
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO subscription (chat_id, thread_id, pattern, created_at,"
                            + " urgent) VALUES (?,?,?,?,?) ON CONFLICT DO NOTHING")) {
                ps.setLong(1, chatId);
                ps.setLong(2, threadId);
                ps.setString(3, p.text());
                ps.setLong(4, now);
                ps.setBoolean(5, urgent);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /**
     * Removes one pattern of a topic of a chat, or every pattern of that topic with {@code all}.
     *
     * @return the number of patterns removed
     */
    public int unsubscribe(long chatId, long threadId, String text) {
        String t = text == null ? "" : text.strip();
        return store.inTransaction(c -> {
            bump(c);
            boolean all = t.equalsIgnoreCase("all");
            try (PreparedStatement ps = c.prepareStatement(
                    all
                            ? "DELETE FROM subscription WHERE chat_id = ? AND thread_id = ?"
                            : "DELETE FROM subscription WHERE chat_id = ? AND thread_id = ? AND pattern = ?")) {
                ps.setLong(1, chatId);
                ps.setLong(2, threadId);
                if (!all) {
                    ps.setString(3, t);
                }
                return ps.executeUpdate();
            }
        });
    }

    /** A chat's subscriptions (every topic), by topic, then in the order they were added. */
    public List<Subscription> subscriptions(long chatId) {
        List<Subscription> ps = all().get(chatId);
        if (ps == null) {
            return List.of();
        }
        List<Subscription> sorted = new ArrayList<>(ps);
        sorted.sort(Comparator.comparingLong(Subscription::threadId));
        return sorted;
    }

    /**
     * Where an alert goes: per enabled chat among {@code allowed}, each topic with a matching pattern,
     * once. A topic that is gone sends to the chat itself (General) instead, unless the chat itself
     * already gets the alert. In chat id order, then topic order.
     */
    public List<Target> targetsFor(Alert alert, Set<Long> allowed) {
        List<Target> out = new ArrayList<>();
        for (Map.Entry<Long, List<Subscription>> e : all().entrySet()) {
            if (!allowed.contains(e.getKey())) {
                continue;
            }
            TreeMap<Long, Target> topics = new TreeMap<>();
            for (Subscription s : e.getValue()) {
                if (s.pattern().matches(alert)) {
                    long to = s.threadGone() == null ? s.threadId() : 0;
                    Target held = topics.get(to);
                    boolean urgent = s.urgent() || held != null && held.urgent();
                    Target t = new Target(e.getKey(), to, s.threadGone() == null ? 0 : s.threadId(), urgent);
                    if (held == null || held.goneThread() != 0 && t.goneThread() == 0) {
                        topics.put(to, t);
                    } else if (urgent && !held.urgent()) {
                        topics.put(to, new Target(held.chatId(), held.threadId(), held.goneThread(), true));
                    }
                }
            }
            out.addAll(topics.values());
        }
        return out;
    }

    /**
     * Marks a topic of a chat as gone (Telegram answered "message thread not found" or that the topic
     * is closed), inside the caller's transaction: its subscriptions send to General from now on, and
     * /list says so, until /subscribe is sent in a live topic again.
     *
     * @return the number of subscriptions marked
     */
    public int threadGone(Connection c, long chatId, long threadId, String reason) throws SQLException {
        bump(c);
        return StateStore.update(
                c,
                "UPDATE subscription SET thread_gone = ? WHERE chat_id = ? AND thread_id = ?",
                reason.length() > 500 ? reason.substring(0, 500) : reason,
                chatId,
                threadId);
    }

    /** Moves a chat's subscriptions to its new id (Telegram's {@code migrate_to_chat_id}), inside the
     * caller's transaction (it bumps the version, so every hub re-reads after the commit). */
    public void migrate(Connection c, long from, long to) throws SQLException {
        long now = System.currentTimeMillis();
        enableChat(c, to, now);
        bump(c);
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO subscription (chat_id, thread_id, pattern, created_at,"
                        + " thread_gone, urgent) SELECT ?, thread_id, pattern, created_at, thread_gone, urgent FROM subscription"
                        + " WHERE chat_id = ? ON CONFLICT DO NOTHING")) {
            ps.setLong(1, to);
            ps.setLong(2, from);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM subscription WHERE chat_id = ?")) {
            ps.setLong(1, from);
            ps.executeUpdate();
        }
    }

    /** Stops delivering to a chat (Telegram's 403: the bot was blocked or removed), inside the caller's
     * transaction (it bumps the version, so every hub re-reads after the commit). */
    public void disable(Connection c, long chatId, String reason) throws SQLException {
        long now = System.currentTimeMillis();
        bump(c);
        int n;
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE chat SET enabled = FALSE, disabled_reason = ?, updated_at = ? WHERE chat_id = ?")) {
            ps.setString(1, reason.length() > 500 ? reason.substring(0, 500) : reason);
            ps.setLong(2, now);
            ps.setLong(3, chatId);
            n = ps.executeUpdate();
        }
        if (n == 0) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO chat (chat_id, enabled, disabled_reason,"
                    + " updated_at) VALUES (?, FALSE, ?, ?) ON CONFLICT DO NOTHING")) {
                ps.setLong(1, chatId);
                ps.setString(2, reason.length() > 500 ? reason.substring(0, 500) : reason);
                ps.setLong(3, now);
                ps.executeUpdate();
            }
        }
    }

    /**
     * Records that a chat outside the allowlist was told how to get access.
     *
     * @return true the first time for that chat (so it gets exactly one such reply)
     */
    public boolean markDeniedNotice(long chatId) {
        long now = System.currentTimeMillis();
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE chat SET denied_notice_at = ? WHERE chat_id = ? AND denied_notice_at IS NULL")) {
                ps.setLong(1, now);
                ps.setLong(2, chatId);
                if (ps.executeUpdate() == 1) {
                    return true;
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO chat (chat_id, enabled, denied_notice_at,"
                    + " updated_at) VALUES (?, TRUE, ?, ?) ON CONFLICT DO NOTHING")) {
                ps.setLong(1, chatId);
                ps.setLong(2, now);
                ps.setLong(3, now);
                return ps.executeUpdate() == 1;
            }
        });
    }

    private static void enableChat(Connection c, long chatId, long now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE chat SET enabled = TRUE, disabled_reason = NULL, updated_at = ? WHERE chat_id = ?")) {
            ps.setLong(1, now);
            ps.setLong(2, chatId);
            if (ps.executeUpdate() == 1) {
                return;
            }
        }
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO chat (chat_id, enabled, updated_at) VALUES (?, TRUE, ?) ON CONFLICT DO NOTHING")) {
            ps.setLong(1, chatId);
            ps.setLong(2, now);
            ps.executeUpdate();
        }
    }

    /** The language chosen for a chat with /language, or null (then {@code telegram.language}). */
    public String language(long chatId) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT language FROM chat WHERE chat_id = ?")) {
                ps.setLong(1, chatId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }

    /** Sets the language of a chat ({@code en}, {@code ru}). */
    public void language(long chatId, String language) {
        long now = System.currentTimeMillis();
        store.inTransaction(c -> {
            if (StateStore.update(
                            c, "UPDATE chat SET language = ?, updated_at = ? WHERE chat_id = ?", language, now, chatId)
                    == 0) {
                StateStore.update(
                        c,
                        "INSERT INTO chat (chat_id, enabled, updated_at, language) VALUES (?, TRUE, ?, ?)"
                                + " ON CONFLICT DO NOTHING",
                        chatId,
                        now,
                        language);
            }
            return null;
        });
    }

    /** Marks a change for every hub's cache, inside the changing transaction. */
    private static void bump(Connection c) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("UPDATE subscription_version SET version = version + 1 WHERE id = 1")) {
            ps.executeUpdate();
        }
    }

    private static long version(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT version FROM subscription_version WHERE id = 1");
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /**
     * The patterns of the enabled chats: the cache while its version is the store's (one
     * primary-key read per lookup), else read again, so a change made on another hub is seen at
     * the next lookup.
     */
    private Map<Long, List<Subscription>> all() {
        Cached held = cache;
        Cached current = store.inTransaction(c -> {
            long version = version(c);
            if (held != null && held.version() == version) {
                return held;
            }
            Map<Long, List<Subscription>> r = new LinkedHashMap<>();
            try (PreparedStatement ps =
                            c.prepareStatement("SELECT s.chat_id, s.thread_id, s.pattern, s.thread_gone, s.urgent"
                                    + " FROM subscription s JOIN chat ch ON ch.chat_id = s.chat_id WHERE ch.enabled = TRUE"
                                    + " ORDER BY s.chat_id, s.created_at, s.thread_id, s.pattern");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    r.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>())
                            .add(new Subscription(
                                    rs.getLong(2),
                                    SubscriptionPattern.parse(rs.getString(3)),
                                    rs.getString(4),
                                    rs.getBoolean(5)));
                }
            }
            return new Cached(version, r);
        });
        cache = current;
        return current.patterns();
    }
}
