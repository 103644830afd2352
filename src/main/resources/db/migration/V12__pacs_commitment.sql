-- Storage Commitment (PS3.4 Annex J) of the studies a forwarding check expects and found complete on its
-- target: one row per request (N-ACTION), matched to its report (N-EVENT-REPORT) by the Transaction UID
-- opshub generated for it. state: pending (asked, no report yet), committed (every expected instance in
-- the report's success list), failed (the report names failed instances, or leaves some out),
-- uncommitted (no report within the pair's commitment-timeout). A restart does not ask again for what is
-- committed; a study is asked at most commitment-retries times.
CREATE TABLE pacs_commitment (
    transaction_uid VARCHAR(64)  PRIMARY KEY,
    check_key       VARCHAR(255) NOT NULL,
    target_ae       VARCHAR(16)  NOT NULL,
    study_uid       VARCHAR(64)  NOT NULL,
    attempt         INT          NOT NULL,
    instances       INT          NOT NULL,
    expected        TEXT         NOT NULL,
    requested_at    BIGINT       NOT NULL,
    state           VARCHAR(16)  NOT NULL,
    reported_at     BIGINT,
    failures        TEXT
);
CREATE INDEX pacs_commitment_check ON pacs_commitment (check_key, requested_at);
-- one row per attempt: a request is stored before it is sent, so this bounds the requests per study
CREATE UNIQUE INDEX pacs_commitment_attempt ON pacs_commitment (check_key, study_uid, attempt);
