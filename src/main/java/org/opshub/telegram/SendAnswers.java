package org.opshub.telegram;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import org.opshub.alerts.AlertStore;
import org.opshub.alerts.SubscriptionStore;
import org.opshub.config.Secrets;
import org.opshub.state.StateStore;
import org.opshub.telegram.outbox.BotCall;
import org.opshub.telegram.outbox.ChatTexts;
import org.opshub.telegram.outbox.Html;
import org.opshub.telegram.outbox.OutboxMessage;
import org.opshub.telegram.outbox.OutboxStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each answer to a send does to its outbox message (bean {@code sendAnswers}); the
 * {@code bot-api} route of {@code routes/alert-delivery.yaml} classifies the Bot API's answer
 * (core.telegram.org/bots/api#making-requests) and calls one of these:
 * <ul>
 * <li>200: delete the message, count it in {@code telegram_messages_sent_total{kind}};</li>
 * <li>429: resend the same message after {@code parameters.retry_after} seconds;</li>
 * <li>5xx, 401, 404 and network errors: exponential backoff (1 s doubling, at most 5 min);</li>
 * <li>400 "can't parse entities": resend as plain text;</li>
 * <li>400 with {@code parameters.migrate_to_chat_id}: move the chat's subscriptions and pending
 * messages to the new id, resend;</li>
 * <li>400 "message thread not found": the message goes to the chat's General topic;</li>
 * <li>403 (bot blocked or removed): disable the chat, drop its pending messages, log it;</li>
 * <li>any other 400: drop the message with an ERROR log.</li>
 * </ul>
 * And when a panel picture was not rendered: the alert as text now, the panel later, or the error in
 * its place; when a picture was rendered but its send fails (pictures throttled while texts go), the
 * alert as text now and the picture later, given up after {@code telegram.picture-attempts}. Errors are counted in {@code telegram_send_errors_total{code}}, drops in
 * {@code telegram_messages_dropped_total{reason}} ({@link TelegramMetrics}).
 */
public final class SendAnswers {
    private static final Logger LOG = LoggerFactory.getLogger(SendAnswers.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_BACKOFF_MS = 300_000;

    private final StateStore store;
    private final OutboxStore outbox;
    private final SubscriptionStore subscriptions;
    private final TelegramMetrics metrics;

    SendAnswers(StateStore store, OutboxStore outbox, SubscriptionStore subscriptions, TelegramMetrics metrics) {
        this.store = store;
        this.outbox = outbox;
        this.subscriptions = subscriptions;
        this.metrics = metrics;
    }

    private volatile ChatTexts chatTexts = ChatTexts.embedded();

    /** The bot's texts in each chat's language, for what delivery writes itself (render errors, notes). */
    public void languages(ChatTexts chatTexts) {
        this.chatTexts = chatTexts;
    }

    private String t(long chatId, String key, Object... args) {
        return chatTexts.t(chatId, key, args);
    }

    /**
     * An alert whose panel was not rendered goes as text now, never delayed: the message is
     * rewritten without its panel; when the failure may pass ({@code retryable}) the picture is
     * queued again as a photo of its own.
     *
     * @return the message to send now (text)
     */
    public OutboxMessage asTextNow(OutboxMessage m, String error, boolean retryable) {
        ObjectNode extra = BotCall.extra(m);
        ObjectNode panel = (ObjectNode) extra.remove("panel");
        extra.remove("fallback");
        String title = panel == null ? "panel" : panel.path("title").asText("panel");
        OutboxMessage asText = new OutboxMessage(
                m.id(),
                m.chatId(),
                m.kind(),
                m.ref(),
                m.text(),
                m.parseMode(),
                m.createdAt(),
                m.attempts(),
                extra.isEmpty() ? null : extra.toString());
        outbox.rewrite(asText);
        LOG.warn(
                "Picture {} of an alert for chat {} not sent ({}): the alert goes as text{}",
                title,
                m.chatId(),
                error,
                retryable ? ", the picture follows" : "");
        if (retryable && panel != null) {
            ObjectNode photo = JSON.createObjectNode();
            photo.set("panel", panel);
            String range = Html.escape(panel.path("range").asText(""));
            outbox.enqueue(
                    m.chatId(),
                    m.threadId(),
                    "photo",
                    m.ref() + ":photo",
                    t(m.chatId(), "alert.photo", Html.escape(title), range),
                    "HTML",
                    photo.toString());
        }
        return asText;
    }

    private volatile int pictureAttempts = 5;
    private volatile long pictureBackoffMillis = 300_000;
    private volatile long picturesFailingUntil;

    /**
     * How pictures are given up: {@code telegram.picture-attempts} failed sends of a picture of its own,
     * and how long after a picture failed alerts go as text first ({@code telegram.picture-backoff}).
     */
    public void pictures(int attempts, Duration backoff) {
        this.pictureAttempts = attempts;
        this.pictureBackoffMillis = backoff.toMillis();
    }

    /**
     * Whether a picture failed (timeout, network, 5xx) within {@code telegram.picture-backoff}: pictures
     * are throttled while texts may go, so an alert goes as text first and its picture follows.
     */
    public boolean picturesFailing() {
        return System.currentTimeMillis() < picturesFailingUntil;
    }

    /**
     * The photo of an alert (its text as caption) failed in transport or with a 5xx: pictures count as
     * failing for {@code telegram.picture-backoff}, and the alert goes as text now, its picture queued on
     * its own.
     *
     * @param error what failed: an exception or a Bot API description
     * @return the message to send now (text)
     */
    public OutboxMessage pictureFailed(OutboxMessage m, Object error) {
        picturesFailingUntil = System.currentTimeMillis() + pictureBackoffMillis;
        metrics.error(error instanceof Throwable ? "network" : "5xx");
        return asTextNow(m, "sendPhoto failed: " + describe(error), true);
    }

    /**
     * A picture of its own (an alert's, or one asked for in the chat) failed in transport or with a 5xx:
     * tried again after a backoff, and given up after {@code telegram.picture-attempts} sends
     * ({@code telegram_messages_dropped_total{reason="picture"}}, one WARN).
     */
    public void pictureLater(OutboxMessage m, Object error) {
        picturesFailingUntil = System.currentTimeMillis() + pictureBackoffMillis;
        metrics.error(error instanceof Throwable ? "network" : "5xx");
        if (m.attempts() + 1 >= pictureAttempts) {
            metrics.dropped("picture");
            outbox.delete(m.id());
            LOG.warn(
                    "Picture {} for chat {} given up after {} sends ({})",
                    panelTitle(m),
                    m.chatId(),
                    pictureAttempts,
                    describe(error));
            return;
        }
        long delay = backoff(m.attempts());
        outbox.retryAt(m.id(), System.currentTimeMillis() + delay, describe(error));
    }

    private static String describe(Object error) {
        return error instanceof Throwable t
                ? t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage())
                : String.valueOf(error);
    }

    /** A requested panel not rendered yet: the same message again after a backoff (1 s doubling, at most 5 min). */
    public void renderLater(OutboxMessage m, String error) {
        long delay = backoff(m.attempts());
        LOG.warn(
                "Panel {} for chat {} not rendered ({}): retrying in {} s",
                panelTitle(m),
                m.chatId(),
                error,
                delay / 1000);
        outbox.retryAt(m.id(), System.currentTimeMillis() + delay, error);
    }

    /**
     * A requested panel that cannot be rendered: the chat gets the error in its place.
     *
     * @return the message to send now: {@code ⚠️ Could not render <b>title</b>: error}
     */
    public OutboxMessage renderError(OutboxMessage m, String error) {
        OutboxMessage reply = new OutboxMessage(
                m.id(),
                m.chatId(),
                m.kind(),
                m.ref(),
                t(m.chatId(), "render.error", Html.escape(panelTitle(m)), Html.escape(error)),
                "HTML",
                m.createdAt(),
                m.attempts(),
                null);
        outbox.rewrite(reply);
        return reply;
    }

    private static String panelTitle(OutboxMessage m) {
        return BotCall.extra(m).path("panel").path("title").asText("panel");
    }

    /**
     * A Bot API answer (core.telegram.org/bots/api#making-requests and #responseparameters).
     *
     * @param ok          the answer's {@code ok}; false for a body that is not JSON
     * @param description its {@code description}, or the start of a body that is not a Bot API answer
     * @param retryAfter  {@code parameters.retry_after}, seconds, or null
     * @param migrateTo   {@code parameters.migrate_to_chat_id}, or null
     * @param messageId   {@code result.message_id} (the Message sent), or null
     */
    public record Answer(boolean ok, String description, Long retryAfter, Long migrateTo, Long messageId) {}

    /** Reads a Bot API answer body (any text: an HTML error page from a proxy gives ok=false). */
    public static Answer answer(String body) {
        JsonNode json = parse(body);
        JsonNode p = json.path("parameters");
        return new Answer(
                json.path("ok").asBoolean(false),
                Secrets.excerpt(json.path("description").asText(body == null ? "" : body)),
                p.has("retry_after") ? p.path("retry_after").asLong() : null,
                p.has("migrate_to_chat_id") ? p.path("migrate_to_chat_id").asLong() : null,
                json.path("result").has("message_id")
                        ? json.path("result").path("message_id").asLong()
                        : null);
    }

    /** 200 with {@code "ok": true}: the message is done and leaves the outbox. */
    public void delivered(OutboxMessage m) {
        outbox.delete(m.id());
        metrics.sent(m.kind(), 1);
        if ("alert".equals(m.kind())) {
            // the alert's first delivery on any channel: its time from arrival, once per alert
            long now = System.currentTimeMillis();
            Long arrived = AlertStore.firstDelivery(store, m.ref().replaceFirst("#topic\\d+$", ""), now);
            if (arrived != null) {
                metrics.deliveryTime("telegram", m.attempts() == 0, Math.max(0, now - arrived));
            }
        }
    }

    /**
     * 429: the same message again after {@code retryAfterSeconds} ({@code parameters.retry_after};
     * 5 s when Telegram gave none).
     */
    public void throttled(OutboxMessage m, Long retryAfterSeconds, String description) {
        long now = failed(m, 429, description);
        long wait = Math.max(1, retryAfterSeconds == null ? 5 : retryAfterSeconds);
        LOG.warn("Telegram throttled chat {}: retrying the same message after {} s", m.chatId(), wait);
        outbox.retryAt(m.id(), now + wait * 1000, metrics.lastError());
    }

    /** 400 with {@code parameters.migrate_to_chat_id}: the group became a supergroup; move its subscriptions and queue. */
    public void migrated(OutboxMessage m, long toChatId, String description) {
        failed(m, 400, description);
        store.inTransaction(c -> {
            subscriptions.migrate(c, m.chatId(), toChatId);
            return OutboxStore.moveChat(c, m.chatId(), toChatId);
        });
        LOG.warn("Chat {} migrated to {}: subscriptions and pending messages moved", m.chatId(), toChatId);
    }

    /**
     * 400 "message thread not found" (or TOPIC_CLOSED/TOPIC_DELETED) for a message to a forum topic:
     * the same message goes to the chat's General topic, due now, with a note naming the topic (so it
     * falls back once and cannot loop), and the topic's subscriptions are marked gone in the same
     * transaction (they send to General from now on; /list shows it).
     */
    public void threadGone(OutboxMessage m, String description) {
        failed(m, 400, description);
        long thread = m.threadId();
        ObjectNode extra = BotCall.extra(m);
        extra.remove("message_thread_id");
        String note = "\n\n" + t(m.chatId(), "topic.gone.note", thread);
        OutboxMessage general = new OutboxMessage(
                m.id(),
                m.chatId(),
                m.kind(),
                m.ref(),
                "HTML".equals(m.parseMode()) ? m.text() + note : m.text() + Html.toPlain(note),
                m.parseMode(),
                m.createdAt(),
                m.attempts(),
                extra.isEmpty() ? null : extra.toString());
        int marked = store.inTransaction(c -> subscriptions.threadGone(c, m.chatId(), thread, description));
        outbox.rewrite(general);
        LOG.warn(
                "Topic {} of chat {} cannot be reached ({}): this message goes to General, {} subscription(s) of the topic"
                        + " send there until /subscribe is sent in a live topic",
                thread,
                m.chatId(),
                description,
                marked);
    }

    /** 400 "can't parse entities": the same text again as plain text (links as "text (url)"). */
    public void resendAsPlainText(OutboxMessage m, String description) {
        failed(m, 400, description);
        LOG.warn(
                "Telegram could not parse the HTML of a message for chat {} ({}): resending as plain text",
                m.chatId(),
                description);
        outbox.makePlain(m.id(), Html.toPlain(m.text()));
    }

    /** 403: the bot was blocked or removed; the chat is disabled and its queue dropped until it subscribes again. */
    public void blocked(OutboxMessage m, String description) {
        failed(m, 403, description);
        store.inTransaction(c -> {
            subscriptions.disable(c, m.chatId(), description);
            return OutboxStore.dropChat(c, m.chatId());
        });
        metrics.dropped("blocked");
        LOG.warn(
                "Telegram refused chat {} ({}): its subscriptions are disabled until it subscribes again",
                m.chatId(),
                description);
    }

    /** Another 4xx the message itself causes: dropped with an ERROR line. */
    public void rejected(OutboxMessage m, int status, String description) {
        failed(m, status, description);
        metrics.dropped("rejected");
        outbox.delete(m.id());
        LOG.error(
                "Telegram rejected a {} message for chat {}: {} {}; dropped",
                m.kind(),
                m.chatId(),
                status,
                description);
    }

    /** 5xx, 401, 404, or a 200 that is not "ok": the same message again after a backoff (1 s doubling, at most 5 min). */
    public void retryLater(OutboxMessage m, int status, String description) {
        long now = failed(m, status, description);
        long delay = backoff(m.attempts());
        LOG.warn(
                "Telegram answered {} {} for chat {}: retrying in {} s", status, description, m.chatId(), delay / 1000);
        outbox.retryAt(m.id(), now + delay, metrics.lastError());
    }

    /** Counts the failed call and remembers it as the last delivery error; returns now, epoch ms. */
    private long failed(OutboxMessage m, int status, String description) {
        long now = System.currentTimeMillis();
        metrics.error(status >= 500 ? "5xx" : Integer.toString(status));
        metrics.lastError(Instant.ofEpochMilli(now) + " chat " + m.chatId() + ": " + status + " " + description);
        return now;
    }

    /** A network error {@code e} (refused, timeout, proxy; may be null): backoff; the message stays queued. */
    public void networkError(OutboxMessage m, Throwable e) {
        String what = e == null ? "unknown error" : e.getClass().getSimpleName() + ": " + e.getMessage();
        long now = System.currentTimeMillis();
        long delay = backoff(m.attempts());
        metrics.error("network");
        metrics.lastError(Instant.ofEpochMilli(now) + " chat " + m.chatId() + ": " + what);
        LOG.warn("Bot API unreachable for chat {} ({}): retrying in {} s", m.chatId(), what, delay / 1000);
        outbox.retryAt(m.id(), now + delay, what);
    }

    /** Backoff in ms after {@code attempts} failures in a row: 1 s, 2 s, 4 s, … at most 5 min. */
    public static long backoff(int attempts) {
        return Math.min(MAX_BACKOFF_MS, 1000L << Math.min(attempts, 20));
    }

    private static JsonNode parse(String text) {
        try {
            JsonNode n = text == null ? null : JSON.readTree(text);
            return n == null ? JSON.createObjectNode() : n;
        } catch (JsonProcessingException e) {
            return JSON.createObjectNode();
        }
    }
}
