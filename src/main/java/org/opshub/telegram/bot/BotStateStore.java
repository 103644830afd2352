package org.opshub.telegram.bot;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.opshub.state.StateStore;

/**
 * The bot's own values in the state store ({@code bot_state}, key and text value), such as the
 * getUpdates offset. All of its SQL.
 *
 * @throws org.opshub.state.StateUnavailableException from every method when the store does not answer
 */
final class BotStateStore {
    private final StateStore store;

    BotStateStore(StateStore store) {
        this.store = store;
    }

    /** The value of {@code key}, or null when none is stored. */
    String get(String key) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT state_value FROM bot_state WHERE state_key = ?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
    }

    /** Stores {@code value} under {@code key}, replacing any value it had. */
    void put(String key, String value) {
        store.inTransaction(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("UPDATE bot_state SET state_value = ? WHERE state_key = ?")) {
                ps.setString(1, value);
                ps.setString(2, key);
                if (ps.executeUpdate() == 1) {
                    return 1;
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO bot_state (state_key, state_value) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, key);
                ps.setString(2, value);
                return ps.executeUpdate();
            }
        });
    }
}
