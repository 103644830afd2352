package org.opshub.alerts;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A channel besides the subscribed chats that a new alert goes to (e-mail subscriptions), called by
 * {@link AlertInbox#record} inside its transaction, once per alert (after de-duplication).
 */
public interface AlertChannel {

    /**
     * @param text  the alert's text (the template's, Telegram's HTML subset)
     * @param panel the Grafana panel it references as JSON, or null
     * @param hold  whether quiet hours hold alerts now
     * @param now   epoch ms
     */
    void record(Connection c, Alert alert, String text, String panel, boolean hold, long now) throws SQLException;
}
