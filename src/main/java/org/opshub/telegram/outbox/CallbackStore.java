package org.opshub.telegram.outbox;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import org.opshub.state.StateStore;

/**
 * Inline-keyboard actions in the state store ({@code bot_callback}): a button's
 * {@code callback_data} is a random token (Telegram allows 64 bytes); the action JSON behind it is
 * found again only for the chat the keyboard was sent to, also after a restart. Rows older than
 * 30 days are pruned.
 */
public final class CallbackStore {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long RETENTION_MS = 30L * 24 * 3600 * 1000;
    private final StateStore store;

    public CallbackStore(StateStore store) {
        this.store = store;
    }

    /** Stores an action for a chat; returns its token (22 URL-safe characters). */
    public String put(long chatId, String action) {
        return store.inTransaction(c -> put(c, chatId, action));
    }

    /** {@link #put(long, String)} inside the caller's transaction. */
    public static String put(Connection c, long chatId, String action) throws SQLException {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        try (PreparedStatement ps =
                c.prepareStatement("INSERT INTO bot_callback (token, chat_id, action, created_at) VALUES (?,?,?,?)")) {
            ps.setString(1, token);
            ps.setLong(2, chatId);
            ps.setString(3, action);
            ps.setLong(4, System.currentTimeMillis());
            ps.executeUpdate();
        }
        return token;
    }

    /** The action of a token pressed in a chat; null when unknown, expired or of another chat. */
    public String get(long chatId, String token) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT action FROM bot_callback WHERE token = ? AND chat_id = ?")) {
                ps.setString(1, token);
                ps.setLong(2, chatId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }

    /** Forgets actions older than 30 days; returns how many. */
    public int prune() {
        long cutoff = System.currentTimeMillis() - RETENTION_MS;
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM bot_callback WHERE created_at < ?")) {
                ps.setLong(1, cutoff);
                return ps.executeUpdate();
            }
        });
    }
}
