package org.opshub.alerts;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Quiet hours for alert messages ({@code telegram.quiet-hours}): while they hold, an alert for a
 * subscription that is not urgent is not sent; it is counted for the chat's morning digest instead.
 */
public interface QuietHours {

    /** Whether alert messages are held now. */
    boolean holds();

    /**
     * Counts a held firing alert for a chat's digest, inside the caller's transaction.
     *
     * @param at epoch ms
     */
    void held(Connection c, long chatId, long threadId, String alertname, long at) throws SQLException;
}
