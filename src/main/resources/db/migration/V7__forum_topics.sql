-- Issue 17: a subscription belongs to a topic of a forum supergroup (message_thread_id; 0: the chat
-- itself, or a forum's General topic). thread_gone: why the topic could not be reached any more
-- ("message thread not found", TOPIC_CLOSED): its alerts go to General until /subscribe is sent in a
-- live topic again. The primary key gains the topic, so the table is rebuilt (portable H2/PostgreSQL).
CREATE TABLE subscription_topic (
    chat_id      BIGINT       NOT NULL,
    thread_id    BIGINT       NOT NULL,
    pattern      VARCHAR(500) NOT NULL,
    created_at   BIGINT       NOT NULL,
    thread_gone  VARCHAR(500),
    PRIMARY KEY (chat_id, thread_id, pattern)
);
INSERT INTO subscription_topic (chat_id, thread_id, pattern, created_at)
    SELECT chat_id, 0, pattern, created_at FROM subscription;
DROP TABLE subscription;
ALTER TABLE subscription_topic RENAME TO subscription;
