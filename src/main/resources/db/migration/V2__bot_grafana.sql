-- Issue 4: Bot API calls other than a plain sendMessage, and inline keyboards that survive restarts.
-- outbox.extra (JSON, optional): the Bot API method (sendPhoto, editMessageText,
-- answerCallbackQuery), reply_markup, message_id, callback_query_id, and the Grafana panel to
-- render for a photo.
ALTER TABLE outbox ADD COLUMN extra VARCHAR(8000);

-- One row per inline-keyboard button: callback_data carries only the token (Telegram allows 64
-- bytes); the action (JSON) is looked up here, for the chat it was shown in only.
CREATE TABLE bot_callback (
    token      VARCHAR(32)   PRIMARY KEY,
    chat_id    BIGINT        NOT NULL,
    action     VARCHAR(8000) NOT NULL,
    created_at BIGINT        NOT NULL
);
CREATE INDEX bot_callback_created ON bot_callback (created_at);
