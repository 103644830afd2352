-- Issue 11: any alert Alertmanager accepts must fit. Text that comes from alert labels and
-- annotations (names, summaries, silence matchers in keyboard actions, reply markup) is unbounded;
-- a value that does not fit must never turn into a 503 that Alertmanager retries forever.
-- Keys (fingerprint, alert_key, ref) stay bounded: the webhook validates them before storing.
ALTER TABLE firing_alert ALTER COLUMN alertname SET DATA TYPE TEXT;
ALTER TABLE firing_alert ALTER COLUMN severity SET DATA TYPE TEXT;
ALTER TABLE firing_alert ALTER COLUMN summary SET DATA TYPE TEXT;
ALTER TABLE outbox ALTER COLUMN text SET DATA TYPE TEXT;
ALTER TABLE outbox ALTER COLUMN extra SET DATA TYPE TEXT;
ALTER TABLE outbox ALTER COLUMN last_error SET DATA TYPE TEXT;
ALTER TABLE bot_callback ALTER COLUMN action SET DATA TYPE TEXT;
ALTER TABLE chat ALTER COLUMN disabled_reason SET DATA TYPE TEXT;
