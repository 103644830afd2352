package org.opshub.alerts;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.opshub.state.StateStore;

/**
 * Chats and their subscription patterns (tables {@code chat}, {@code subscription}). Compiled
 * patterns are cached per version of {@code subscription_version}, which every change bumps in its
 * transaction, so a change on any hub sharing the store is seen at the next lookup.
 */
public final class Subscriptions {
    private final StateStore store;
    /** The patterns of the enabled chats as read at a version of {@code subscription_version}. */
    private record Cached(long version, Map<Long, List<SubscriptionPattern>> patterns) {
    }

    private volatile Cached cache;

    public Subscriptions(StateStore store) {
        this.store = store;
    }

    /**
     * Adds a pattern for a chat and (re-)enables the chat.
     *
     * @return false when the chat already had that pattern
     * @throws IllegalArgumentException when the pattern is invalid (the parser's message)
     */
    public boolean subscribe(long chatId, String text) {
        SubscriptionPattern p = SubscriptionPattern.parse(text);
        long now = System.currentTimeMillis();
        boolean added = store.inTransaction(c -> {
            enableChat(c, chatId, now);
            bump(c);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO subscription (chat_id, pattern, created_at) VALUES (?,?,?) ON CONFLICT DO NOTHING")) {
                ps.setLong(1, chatId);
                ps.setString(2, p.text());
                ps.setLong(3, now);
                return ps.executeUpdate() == 1;
            }
        });
        return added;
    }

    /**
     * Removes one pattern of a chat, or every pattern with {@code all}.
     *
     * @return the number of patterns removed
     */
    public int unsubscribe(long chatId, String text) {
        String t = text == null ? "" : text.strip();
        int removed = store.inTransaction(c -> {
            bump(c);
            boolean all = t.equalsIgnoreCase("all");
            try (PreparedStatement ps = c.prepareStatement(all ? "DELETE FROM subscription WHERE chat_id = ?"
                    : "DELETE FROM subscription WHERE chat_id = ? AND pattern = ?")) {
                ps.setLong(1, chatId);
                if (!all) {
                    ps.setString(2, t);
                }
                return ps.executeUpdate();
            }
        });
        return removed;
    }

    /** A chat's patterns, in the order they were added. */
    public List<String> list(long chatId) {
        List<SubscriptionPattern> ps = all().get(chatId);
        return ps == null ? List.of() : ps.stream().map(SubscriptionPattern::text).toList();
    }

    /** The enabled chats among {@code allowed} with a pattern matching the alert, in chat id order. */
    public List<Long> chatsFor(Alert alert, Set<Long> allowed) {
        List<Long> out = new ArrayList<>();
        for (Map.Entry<Long, List<SubscriptionPattern>> e : all().entrySet()) {
            if (allowed.contains(e.getKey()) && e.getValue().stream().anyMatch(p -> p.matches(alert))) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** Moves a chat's subscriptions to its new id (Telegram's {@code migrate_to_chat_id}), inside the
     * caller's transaction (it bumps the version, so every hub re-reads after the commit). */
    public void migrate(Connection c, long from, long to) throws SQLException {
        long now = System.currentTimeMillis();
        enableChat(c, to, now);
        bump(c);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO subscription (chat_id, pattern, created_at)"
                + " SELECT ?, pattern, created_at FROM subscription WHERE chat_id = ? ON CONFLICT DO NOTHING")) {
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

    /** Marks a change for every hub's cache, inside the changing transaction. */
    private static void bump(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE subscription_version SET version = version + 1 WHERE id = 1")) {
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
    private Map<Long, List<SubscriptionPattern>> all() {
        Cached held = cache;
        Cached current = store.inTransaction(c -> {
            long version = version(c);
            if (held != null && held.version() == version) {
                return held;
            }
            Map<Long, List<SubscriptionPattern>> r = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT s.chat_id, s.pattern FROM subscription s"
                    + " JOIN chat ch ON ch.chat_id = s.chat_id WHERE ch.enabled = TRUE ORDER BY s.chat_id, s.created_at, s.pattern");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    r.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(SubscriptionPattern.parse(rs.getString(2)));
                }
            }
            return new Cached(version, r);
        });
        cache = current;
        return current.patterns();
    }

}
