-- When an alert was first delivered on any channel (epoch ms), so that the time from its arrival
-- (received_at: the POST /alerts that brought it) to its first delivery is measured once per alert
-- (alert_delivery_seconds), however many chats and messages it became.
ALTER TABLE alert_seen ADD COLUMN delivered_at BIGINT;
