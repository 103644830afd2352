package org.opshub.telegram;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.opshub.alerts.SubscriptionStore;
import org.opshub.config.Secrets;
import org.opshub.outbox.BotCall;
import org.opshub.outbox.ChatTexts;
import org.opshub.outbox.Html;
import org.opshub.outbox.OutboxMessage;
import org.opshub.outbox.OutboxStore;
import org.opshub.outbox.TelegramSettings;
import org.opshub.state.StateStore;
import org.opshub.state.StateUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the outbox through the Bot API's {@code sendMessage}
 * (core.telegram.org/bots/api#sendmessage) and acts on each answer:
 * <ul>
 * <li>200: delete the message, count it in {@code telegram_messages_sent_total{kind}};</li>
 * <li>429: resend the same message after {@code parameters.retry_after} seconds;</li>
 * <li>5xx, 401, 404 and network errors: exponential backoff (1 s doubling, at most 5 min);</li>
 * <li>400 "can't parse entities": resend as plain text;</li>
 * <li>400 with {@code parameters.migrate_to_chat_id}: move the chat's subscriptions and pending
 * messages to the new id, resend;</li>
 * <li>403 (bot blocked or removed): disable the chat, drop its pending messages, log it;</li>
 * <li>any other 400: drop the message with an ERROR log.</li>
 * </ul>
 * A message older than {@code telegram.max-delivery-age} is dropped with an ERROR log. Errors are
 * counted in {@code telegram_send_errors_total{code}}, drops in
 * {@code telegram_messages_dropped_total{reason}}. One message per chat is in flight at a time,
 * which keeps the per-chat order, and {@link SendThrottle} keeps the rate limits.
 */
public final class Delivery {
    private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_BACKOFF_MS = 300_000;

    private final TelegramSettings settings;
    private final StateStore store;
    private final OutboxStore outbox;
    private final SubscriptionStore subscriptions;
    private volatile SendThrottle throttle = new SendThrottle();
    /**
     * The same limits over the times the calls are made ({@link #awaitSendSlot}), each window a little
     * longer: room for the spread between a call leaving and arriving at Telegram. The overall
     * second gets {@value #SEND_MARGIN_MS} ms (200 ms cost a sixth of the 30 messages a second;
     * scripts/bench-alerts.sh still sees no second above 30), each chat's window keeps
     * {@value #CHAT_MARGIN_MS} ms (one message a second to a private chat: the arrivals of two hubs
     * under load spread by more than 25 ms, and a chat's rate does not limit throughput).
     */
    private volatile SendThrottle sends = new SendThrottle(SEND_MARGIN_MS, CHAT_MARGIN_MS);

    static final long SEND_MARGIN_MS = 25;
    static final long CHAT_MARGIN_MS = 200;
    /** The limits of the last claim (the route passes them). */
    private volatile SendThrottle.Limits limits = SendThrottle.Limits.TELEGRAM;

    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    private final MeterRegistry registry;
    private volatile String lastError;
    private volatile boolean storeDown;
    /** Whether the throttle's windows were rebuilt from the send log (at the first claim, and after {@link #leading}). */
    private boolean throttleSeeded;

    private volatile boolean reseed;
    /** This hub's name in the outbox row claims ({@code cluster.hub-id}). */
    private volatile String hubId = "local";
    /** How long a claimed message stays this hub's: twice {@code telegram.http-timeout}. */
    private final long claimMillis;

    public Delivery(
            TelegramSettings settings,
            StateStore store,
            OutboxStore outbox,
            SubscriptionStore subscriptions,
            MeterRegistry registry) {
        this.settings = settings;
        this.store = store;
        this.outbox = outbox;
        this.subscriptions = subscriptions;
        this.registry = registry;
        this.claimMillis = 2 * settings.httpTimeout().toMillis();
        for (String kind : List.of("alert", "reply", "check", "photo")) {
            sent(kind, 0);
        }
    }

    /**
     * Right before the Bot API call of a claimed message: waits until the send is within the
     * limits as Telegram counts them (by the time calls are made, not claimed: the calls of one
     * claim tick go out over the senders' threads at slightly different times), then renews the
     * claim and logs the send in the store ({@link Outbox#confirmSend}).
     *
     * @return true to make the call; false when the claim is lost or the store does not answer
     *         (the message stays for whichever hub leads once the claim runs out)
     */
    public boolean awaitSendSlot(OutboxMessage m) throws InterruptedException {
        SendThrottle.Limits l = limits;
        while (true) {
            long now = System.currentTimeMillis();
            long wait;
            SendThrottle window = sends;
            synchronized (window) {
                wait = window.wait(m.chatId(), now, l);
                if (wait == 0) {
                    window.sent(m.chatId(), now);
                }
            }
            if (wait == 0) {
                try {
                    if (outbox.confirmSend(m, hubId, now + claimMillis, now)) {
                        return true;
                    }
                    LOG.warn("Message {} for chat {} was taken by another hub: not sent from here", m.id(), m.chatId());
                } catch (StateUnavailableException e) {
                    LOG.warn(
                            "Message {} for chat {} not sent: the state store does not answer ({})",
                            m.id(),
                            m.chatId(),
                            e.getMessage());
                }
                return false;
            }
            Thread.sleep(Math.min(wait, 1000));
        }
    }

    /**
     * This hub has just become the sender: the claims of the hub that led before are released at
     * once (its messages do not wait for their claims to run out), and the rate windows are rebuilt
     * from the send log at the next claim, so they hold the sends of the hub that led before (no
     * burst after a takeover).
     */
    public void leading() {
        reseed = true;
        try {
            int released = outbox.releaseClaimsOfOthers(hubId);
            if (released > 0) {
                LOG.info("Took over {} message(s) claimed by the hub that led before", released);
            }
        } catch (RuntimeException e) {
            LOG.warn("Claims of the hub that led before not released (they run out by themselves): {}", e.getMessage());
        }
    }

    /** Forgets sends older than the longest rate window (a minute); the prune timer calls it. */
    public int pruneSendLog() {
        return outbox.pruneSendLog(System.currentTimeMillis() - 60_000);
    }

    /** Names this hub in the row claims it writes ({@code cluster.hub-id}). */
    public void claimsAs(String hubId) {
        this.hubId = hubId;
    }

    /** {@link #claim(int, int, int)} with Telegram's documented limits. */
    public List<OutboxMessage> claim() {
        return claim(SendThrottle.Limits.TELEGRAM);
    }

    /**
     * The messages to send now: the head of each chat's queue that is due, not in flight and
     * within the rate limits. Each one returned is in flight until {@link #release(Exchange)}.
     *
     * @param perSecond         messages per second, all chats together ({@code telegram.rate.messages-per-second})
     * @param perChatPerSecond  messages per second to one private chat ({@code telegram.rate.per-chat-per-second})
     * @param perGroupPerMinute messages per minute to one group ({@code telegram.rate.per-group-per-minute})
     */
    public List<OutboxMessage> claim(int perSecond, int perChatPerSecond, int perGroupPerMinute) {
        return claim(new SendThrottle.Limits(perSecond, perChatPerSecond, perGroupPerMinute));
    }

    private List<OutboxMessage> claim(SendThrottle.Limits limits) {
        this.limits = limits;
        List<OutboxMessage> heads;
        try {
            heads = outbox.heads(200, hubId);
            if (storeDown) {
                storeDown = false;
                LOG.info("Outbox readable again");
            }
        } catch (StateUnavailableException e) {
            if (!storeDown) {
                storeDown = true;
                LOG.warn("Outbox unreadable, delivery paused: {}", e.getMessage());
            }
            return List.of();
        }
        long now = System.currentTimeMillis();
        if (reseed) {
            reseed = false;
            throttle = new SendThrottle();
            sends = new SendThrottle(SEND_MARGIN_MS, CHAT_MARGIN_MS);
            throttleSeeded = false;
        }
        if (!throttleSeeded) {
            // the last minute of sends, from before a restart: the windows start where they were
            try {
                outbox.sendsSince(now - 60_000).forEach(s -> {
                    throttle.sent(s[0], s[1]);
                    sends.sent(s[0], s[1]);
                });
                throttleSeeded = true;
            } catch (StateUnavailableException e) {
                return List.of();
            }
        }
        List<OutboxMessage> out = new ArrayList<>();
        for (OutboxMessage m : heads) {
            if (inFlight.contains(m.chatId())) {
                continue;
            }
            if (now - m.createdAt() > settings.maxDeliveryAge().toMillis()) {
                expire(m);
                continue;
            }
            if (throttle.tryAcquire(m.chatId(), now, limits) && inFlight.add(m.chatId())) {
                try {
                    if (outbox.claim(m.id(), hubId, now + claimMillis, now)) {
                        out.add(m);
                        continue;
                    }
                } catch (StateUnavailableException e) {
                    LOG.debug("Claim of message {} failed: {}", m.id(), e.getMessage());
                }
                inFlight.remove(m.chatId()); // another hub has it, or the store failed: not ours
            }
        }
        return out;
    }

    /** Drops a message older than telegram.max-delivery-age; a store failure leaves it for the next tick. */
    private void expire(OutboxMessage m) {
        try {
            outbox.delete(m.id());
        } catch (RuntimeException e) {
            LOG.warn("Could not drop an expired message for chat {} (retried next tick): {}", m.chatId(), e.toString());
            return;
        }
        LOG.error(
                "Gave up on a {} message for chat {} queued at {} (telegram.max-delivery-age={}), last error: {}",
                m.kind(),
                m.chatId(),
                Instant.ofEpochMilli(m.createdAt()),
                settings.maxDeliveryAge(),
                lastError);
        dropped("expired");
    }

    /**
     * Releases a claimed message that could not be handed on (e.g. the send queue refused
     * it), so its chat is claimed again at a later tick instead of never.
     */
    public void unclaim(OutboxMessage claimed) {
        if (claimed != null) {
            inFlight.remove(claimed.chatId());
            unclaimRow(claimed.id());
        }
    }

    private void unclaimRow(long id) {
        try {
            outbox.unclaim(id, hubId);
        } catch (RuntimeException e) {
            LOG.debug("Claim of message {} left to run out: {}", id, e.getMessage());
        }
    }

    /**
     * Whether this message is logged instead of sent: in console mode (no token), and for the
     * console chat (0: alerts in console mode, check notifications without {@code checks.chats}).
     */
    public boolean consoleMode(OutboxMessage m) {
        return settings.consoleMode() || m.chatId() == 0;
    }

    /** Logs the message at INFO and takes it off the outbox. */
    public void console(OutboxMessage m) {
        String what = "check".equals(m.kind()) ? "Check" : "alert".equals(m.kind()) ? "Alert" : "Telegram";
        if (m.chatId() == 0) {
            LOG.info(
                    "{} (console mode, no {}):\n{}",
                    what,
                    settings.consoleMode() ? "telegram.token" : "checks.chats",
                    m.text());
        } else {
            LOG.info("Telegram (console mode, no telegram.token) to chat {}:\n{}", m.chatId(), m.text());
        }
        outbox.delete(m.id());
        sent(m.kind(), 1);
    }

    /**
     * The Bot API call of a message ({@link BotCall}: sendMessage, sendPhoto with the rendered
     * panel, editMessageText, answerCallbackQuery), for the {@code bot-api} route.
     *
     * @param png the rendered panel ({@code panelPng}), or null
     */
    private volatile ChatTexts chatTexts = ChatTexts.embedded();

    /** The bot's texts in each chat's language, for what delivery writes itself (render errors, notes). */
    public void languages(ChatTexts chatTexts) {
        this.chatTexts = chatTexts;
    }

    private String t(long chatId, String key, Object... args) {
        return chatTexts.t(chatId, key, args);
    }

    public BotCall.Request call(OutboxMessage message, byte[] png) throws JsonProcessingException {
        return BotCall.of(message, png);
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
                "Panel {} of an alert for chat {} not rendered ({}): the alert goes as text{}",
                title,
                m.chatId(),
                error,
                retryable ? ", the picture follows when Grafana answers" : "");
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
     */
    public record Answer(boolean ok, String description, Long retryAfter, Long migrateTo) {}

    /** Reads a Bot API answer body (any text: an HTML error page from a proxy gives ok=false). */
    public static Answer answer(String body) {
        JsonNode json = parse(body);
        JsonNode p = json.path("parameters");
        return new Answer(
                json.path("ok").asBoolean(false),
                Secrets.excerpt(json.path("description").asText(body == null ? "" : body)),
                p.has("retry_after") ? p.path("retry_after").asLong() : null,
                p.has("migrate_to_chat_id") ? p.path("migrate_to_chat_id").asLong() : null);
    }

    /** 200 with {@code "ok": true}: the message is done and leaves the outbox. */
    public void delivered(OutboxMessage m) {
        outbox.delete(m.id());
        sent(m.kind(), 1);
    }

    /**
     * 429: the same message again after {@code retryAfterSeconds} ({@code parameters.retry_after};
     * 5 s when Telegram gave none).
     */
    public void throttled(OutboxMessage m, Long retryAfterSeconds, String description) {
        long now = failed(m, 429, description);
        long wait = Math.max(1, retryAfterSeconds == null ? 5 : retryAfterSeconds);
        LOG.warn("Telegram throttled chat {}: retrying the same message after {} s", m.chatId(), wait);
        outbox.retryAt(m.id(), now + wait * 1000, lastError);
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
        dropped("blocked");
        LOG.warn(
                "Telegram refused chat {} ({}): its subscriptions are disabled until it subscribes again",
                m.chatId(),
                description);
    }

    /** Another 4xx the message itself causes: dropped with an ERROR line. */
    public void rejected(OutboxMessage m, int status, String description) {
        failed(m, status, description);
        dropped("rejected");
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
        outbox.retryAt(m.id(), now + delay, lastError);
    }

    /** Counts the failed call and remembers it as the last delivery error; returns now, epoch ms. */
    private long failed(OutboxMessage m, int status, String description) {
        long now = System.currentTimeMillis();
        error(status >= 500 ? "5xx" : Integer.toString(status));
        lastError = Instant.ofEpochMilli(now) + " chat " + m.chatId() + ": " + status + " " + description;
        return now;
    }

    /** A network error {@code e} (refused, timeout, proxy; may be null): backoff; the message stays queued. */
    public void networkError(OutboxMessage m, Throwable e) {
        String what = e == null ? "unknown error" : e.getClass().getSimpleName() + ": " + e.getMessage();
        long now = System.currentTimeMillis();
        long delay = backoff(m.attempts());
        error("network");
        lastError = Instant.ofEpochMilli(now) + " chat " + m.chatId() + ": " + what;
        LOG.warn("Bot API unreachable for chat {} ({}): retrying in {} s", m.chatId(), what, delay / 1000);
        outbox.retryAt(m.id(), now + delay, what);
    }

    /** Ends the message's flight, whatever happened ({@code m} null: nothing was in flight). */
    public void release(OutboxMessage m) {
        if (m != null) {
            unclaimRow(m.id());
            inFlight.remove(m.chatId());
        }
    }

    /** The last delivery error (time, chat, status, description), or null. */
    public String lastError() {
        return lastError;
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

    private void sent(String kind, int n) {
        Counter.builder("telegram_messages_sent_total")
                .tag("kind", kind)
                .description("Telegram messages accepted by the Bot API (or logged in console mode)")
                .register(registry)
                .increment(n);
    }

    private void error(String code) {
        Counter.builder("telegram_send_errors_total")
                .tag("code", code)
                .description("Failed sendMessage calls by cause: HTTP status (429, 400, 403, 5xx, …) or network")
                .register(registry)
                .increment();
    }

    private void dropped(String reason) {
        Counter.builder("telegram_messages_dropped_total")
                .tag("reason", reason)
                .description("Messages given up: expired (telegram.max-delivery-age), rejected (400), blocked (403)")
                .register(registry)
                .increment();
    }
}
