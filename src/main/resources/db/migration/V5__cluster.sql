-- Issue 13: several hubs on one PostgreSQL.
-- The leader lease of each namespace (LeaseClusterService): holder (cluster.hub-id, empty when
-- none), expiry (epoch ms) and a fencing counter that goes up at every change of holder.
CREATE TABLE cluster_lease (
    namespace  VARCHAR(64)  PRIMARY KEY,
    holder     VARCHAR(255) NOT NULL,
    expires_at BIGINT       NOT NULL,
    fencing    BIGINT       NOT NULL
);

-- Row claims, the second guard: a message taken for sending carries the hub that took it and
-- until when; another hub takes it only after that (a sender that died mid-call).
ALTER TABLE outbox ADD COLUMN claimed_by VARCHAR(255);
ALTER TABLE outbox ADD COLUMN claimed_until BIGINT;

-- Subscriptions and chat states are cached by every hub; a change on any hub bumps this one row
-- in its transaction, and a hub re-reads its cache when the version it holds is not the current one.
CREATE TABLE subscription_version (
    id      INT    PRIMARY KEY,
    version BIGINT NOT NULL
);
INSERT INTO subscription_version (id, version) VALUES (1, 0);
