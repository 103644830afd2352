package org.opshub.telegram.outbox;

/**
 * One pending Telegram message of the outbox.
 *
 * @param id        outbox row id; ids grow in arrival order, which is the delivery order per chat
 * @param chatId    Telegram chat id (negative for groups and channels)
 * @param kind      {@code alert} or {@code reply}
 * @param ref       what the message is for (alert key, update id)
 * @param text      the text of this part (at most 4096 characters)
 * @param parseMode {@code HTML}, or {@code null} for plain text
 * @param createdAt when it was queued, epoch ms
 * @param attempts  send attempts so far
 * @param extra     JSON with the Bot API method and its other fields (see {@link BotCall}); null:
 *                  a plain sendMessage
 */
public record OutboxMessage(
        long id,
        long chatId,
        String kind,
        String ref,
        String text,
        String parseMode,
        long createdAt,
        int attempts,
        String extra) {

    /** The route variable holding the {@link OutboxMessage} being sent (routes: {@code ${variable.outboxMessage}}). */
    public static final String PROPERTY = "outboxMessage";
    /** The variables direct:render-panel sets for the message in hand: the PNG, or an error and whether to retry. */
    public static final String PANEL_PNG = "panelPng";

    public static final String RENDER_ERROR = "renderError";
    public static final String RENDER_RETRYABLE = "renderRetryable";

    public OutboxMessage(
            long id,
            long chatId,
            String kind,
            String ref,
            String text,
            String parseMode,
            long createdAt,
            int attempts) {
        this(id, chatId, kind, ref, text, parseMode, createdAt, attempts, null);
    }

    /** The forum topic this message goes to ({@code message_thread_id} of its extra), 0 for none. */
    public long threadId() {
        return BotCall.extra(this).path("message_thread_id").asLong(0);
    }

    /** Whether this is a photo of a Grafana panel that must be rendered before it is sent. */
    public boolean hasPanel() {
        return BotCall.extra(this).has("panel");
    }

    /** Whether this photo is an alert that goes as text when its panel cannot be rendered. */
    public boolean textFallback() {
        return "text".equals(BotCall.extra(this).path("fallback").asText());
    }
}
