-- Issue 17: acknowledge until resolved. firing_alert keeps the alert as received (alert_json, the
-- webhook's alert object) so that opshub can send its RESOLVED message itself when Alertmanager
-- will not (a silenced alert resolves without a notification), and muted: Alertmanager's API v2
-- listed it as silenced.
ALTER TABLE firing_alert ADD COLUMN alert_json TEXT;
ALTER TABLE firing_alert ADD COLUMN muted BOOLEAN NOT NULL DEFAULT FALSE;

-- An open acknowledgement: the Alertmanager silence opshub extends while the alert fires and
-- expires once it resolves. One per alert (fingerprint); the message it was pressed on is edited.
CREATE TABLE alert_ack (
    fingerprint     VARCHAR(100) PRIMARY KEY,
    alertname       TEXT         NOT NULL,
    labels          TEXT         NOT NULL,
    silence_id      VARCHAR(100) NOT NULL,
    silence_ends_at BIGINT       NOT NULL,
    chat_id         BIGINT       NOT NULL,
    thread_id       BIGINT       NOT NULL,
    message_id      BIGINT       NOT NULL,
    acked_by        TEXT         NOT NULL,
    acked_by_id     BIGINT       NOT NULL,
    acked_at        BIGINT       NOT NULL
);

-- Alerts whose RESOLVED opshub sent itself (Alertmanager muted it): Alertmanager's notification log
-- still holds them as firing, so their next fire would wait for repeat_interval; opshub delivers that
-- fire itself when Alertmanager lists it again, and forgets the row.
CREATE TABLE alert_resolved_muted (
    fingerprint VARCHAR(100) PRIMARY KEY,
    resolved_at BIGINT       NOT NULL
);
