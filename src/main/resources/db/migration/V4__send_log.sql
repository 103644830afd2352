-- Issue 12: Telegram's send limits hold across a restart (and, with a shared PostgreSQL, across
-- hubs). One row per Bot API call the outbox made: the throttle's sliding windows are rebuilt from
-- the last minute of rows when a hub starts sending; older rows are pruned as it goes.
CREATE TABLE telegram_send_log (
    chat_id BIGINT NOT NULL,
    sent_at BIGINT NOT NULL
);
CREATE INDEX telegram_send_log_sent ON telegram_send_log (sent_at);
