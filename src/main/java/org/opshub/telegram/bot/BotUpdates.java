package org.opshub.telegram.bot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.opshub.config.Secrets;
import org.opshub.state.StateStore;
import org.opshub.telegram.SendAnswers;
import org.opshub.telegram.outbox.BotCall;
import org.opshub.telegram.outbox.TelegramSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How updates reach the bot, driven by one timer route:
 * <ul>
 * <li>long polling (no {@code telegram.webhook-url}): {@code getUpdates}
 * (core.telegram.org/bots/api#getupdates). The offset (last confirmed {@code update_id} + 1) is
 * kept in the state store, so an update handled before a restart is not handled again after it.
 * Telegram answers 409 when a webhook is set for the token or another instance polls with it. By
 * default that is one ERROR line per change (another instance or a webhook holds the token) and
 * polling backs off: a staging copy with the production token must not take the production bot's
 * updates. With {@code telegram.take-over-webhook=true} a webhook is removed with
 * {@code deleteWebhook}, pending updates kept, and polling goes on.</li>
 * <li>webhook mode: {@code setWebhook} (core.telegram.org/bots/api#setwebhook) with the URL, the
 * secret token, {@code allowed_updates} and {@code max_connections=1} (updates one at a time, in
 * order, as with polling) until Telegram accepts it; then nothing is polled and updates arrive
 * through {@link BotWebhook}.</li>
 * </ul>
 * Errors back off (1 s doubling, at most 5 min) with one log line per change between working and
 * failing.
 */
public final class BotUpdates {
    private static final Logger LOG = LoggerFactory.getLogger(BotUpdates.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OFFSET = "telegram.update-offset";
    private static final List<String> ALLOWED_UPDATES = List.of("message", "callback_query");
    private final TelegramSettings settings;

    private final BotStateStore state;
    private volatile Long offset;
    private volatile long notBefore;
    private volatile int failures;
    private volatile boolean webhookSet;
    private volatile boolean webhookToDelete;
    private volatile boolean conflict;
    private final boolean takeOverWebhook;

    /**
     * @param takeOverWebhook {@code telegram.take-over-webhook}: delete a webhook that makes
     *                        getUpdates answer 409
     */
    public BotUpdates(TelegramSettings settings, StateStore store, boolean takeOverWebhook) {
        this.settings = settings;
        this.state = new BotStateStore(store);
        this.takeOverWebhook = takeOverWebhook;
    }

    /**
     * Whether to call the Bot API now: a token is set, no error backoff is running, and either
     * polling is on or the webhook is not set yet.
     */
    public boolean due() {
        return !settings.consoleMode()
                && System.currentTimeMillis() >= notBefore
                && !(settings.webhookMode() && webhookSet);
    }

    /**
     * The next call, for the {@code bot-api} route: {@code setWebhook} in webhook mode,
     * {@code deleteWebhook} after a 409 for a leftover webhook, else {@code getUpdates}.
     */
    public BotCall.Request nextCall() throws JsonProcessingException {
        Map<String, Object> body = new LinkedHashMap<>();
        String method;
        if (settings.webhookMode()) {
            method = "setWebhook";
            body.put("url", settings.webhookUrl());
            body.put("secret_token", settings.webhookSecret());
            body.put("allowed_updates", ALLOWED_UPDATES);
            body.put("max_connections", 1);
            body.put("drop_pending_updates", false);
        } else if (webhookToDelete) {
            method = "deleteWebhook";
            body.put("drop_pending_updates", false);
        } else {
            method = "getUpdates";
            body.put("offset", offset());
            body.put("timeout", settings.pollTimeout().toSeconds());
            body.put("allowed_updates", ALLOWED_UPDATES);
        }
        return BotCall.Request.json(method, body);
    }

    /**
     * A 200 answer of {@code call} (null: getUpdates) with {@code body}: the updates of a getUpdates
     * answer, each as a JSON tree; empty after setWebhook or deleteWebhook, and empty (with a backoff)
     * when the body is not a Bot API success.
     */
    public List<JsonNode> updates(BotCall.Request call, String body) {
        String method = method(call);
        JsonNode json = parse(body);
        if (conflict && method.equals("getUpdates")) {
            conflict = false;
            LOG.info("getUpdates works again: no other instance or webhook holds the bot token now");
        }
        if (json == null
                || !json.path("ok").asBoolean(false)
                || (method.equals("getUpdates") && !json.path("result").isArray())) {
            failed(method, "200 " + description(json));
            return List.of();
        }
        if (failures > 0) {
            LOG.info("{} works again", method);
        }
        failures = 0;
        switch (method) {
            case "setWebhook" -> {
                webhookSet = true;
                LOG.info(
                        "Telegram webhook set: updates are pushed to {} (checked by their secret token); polling is off",
                        settings.webhookUrl());
                return List.of();
            }
            case "deleteWebhook" -> {
                webhookToDelete = false;
                LOG.info("Telegram webhook deleted; polling getUpdates");
                return List.of();
            }
            default -> {
                List<JsonNode> out = new ArrayList<>();
                json.path("result").forEach(out::add);
                return out;
            }
        }
    }

    /**
     * A 409 answer of getUpdates ({@code body}: its JSON): another instance polls with this token, or
     * a webhook is set. With {@code telegram.take-over-webhook=true} a webhook is deleted (pending
     * updates kept) at the next call; otherwise one ERROR line and a backoff until it works again.
     */
    public void conflict(String body) {
        String description = description(parse(body));
        boolean webhook = description.toLowerCase().contains("webhook");
        if (webhook && takeOverWebhook) {
            LOG.warn(
                    "getUpdates refused: a webhook is still set at Telegram (\"{}\"); telegram.take-over-webhook=true, "
                            + "so the webhook is deleted (pending updates kept) and polling goes on",
                    description);
            webhookToDelete = true;
            return;
        }
        if (!conflict) {
            conflict = true;
            LOG.error(
                    "getUpdates refused with 409 (\"{}\"): {} holds this bot token, so this hub receives no updates;"
                            + " stop the other one{}",
                    description,
                    webhook ? "a webhook (another instance in webhook mode?)" : "another instance polling",
                    webhook ? ", or set telegram.take-over-webhook=true to delete the webhook" : "");
        }
        backOff();
    }

    /**
     * A 429 answer of {@code call} (Telegram's flood control, {@code body}: its JSON): no call before
     * its {@code parameters.retry_after} seconds (Bot API, ResponseParameters), or the usual backoff
     * when it names none. One WARN line per throttling.
     */
    public void throttled(BotCall.Request call, String body) {
        JsonNode json = parse(body);
        long retryAfter =
                json == null ? 0 : json.path("parameters").path("retry_after").asLong(0);
        if (retryAfter <= 0) {
            failed(method(call), "429 " + description(json));
            return;
        }
        LOG.warn("{} throttled by Telegram (429): next call in {} s", method(call), retryAfter);
        notBefore = System.currentTimeMillis() + retryAfter * 1000;
    }

    /** Any other answer of {@code call} ({@code status}, 0 for none; 5xx, 401, 404): backoff, one log line. */
    public void refused(BotCall.Request call, int status, String body) {
        failed(method(call), status + " " + description(parse(body)));
    }

    private static JsonNode parse(String body) {
        try {
            return body == null ? null : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String description(JsonNode json) {
        return json == null
                ? "(not JSON)"
                : Secrets.excerpt(json.path("description").asText(""));
    }

    private static String method(BotCall.Request call) {
        return call == null ? "getUpdates" : call.method();
    }

    /**
     * A network or state store error {@code e} (may be null) of {@code call} (null: getUpdates) while
     * polling: backoff, one log line until it works again.
     */
    public void failed(BotCall.Request call, Throwable e) {
        failed(method(call), e == null ? "unknown error" : e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    /** Marks an update handled: the next poll starts after it. */
    public void confirm(JsonNode update) {
        long next = update.path("update_id").asLong() + 1;
        if (offset != null && next <= offset) {
            return;
        }
        offset = next;
        state.put(OFFSET, Long.toString(next));
    }

    private long offset() {
        Long o = offset;
        if (o == null) {
            String stored = state.get(OFFSET);
            o = stored == null ? 0L : Long.parseLong(stored);
            offset = o;
        }
        return o;
    }

    private void failed(String method, String why) {
        if (failures == 0) {
            LOG.warn("{} failed ({}); retrying with backoff", method, why);
        }
        backOff();
    }

    private void backOff() {
        long delay = SendAnswers.backoff(failures);
        failures++;
        notBefore = System.currentTimeMillis() + delay;
    }
}
