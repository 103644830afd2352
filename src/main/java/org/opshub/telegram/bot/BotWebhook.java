package org.opshub.telegram.bot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashSet;
import org.opshub.telegram.outbox.TelegramSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving end of webhook mode: {@code POST /telegram/webhook}, where Telegram pushes each
 * {@code Update} as JSON (core.telegram.org/bots/api#setwebhook, #update).
 *
 * <p>The {@code telegram-webhook} route answers, all with a small JSON body:
 * <ul>
 * <li>404 when webhook mode is off (no {@code telegram.webhook-url}, or console mode);</li>
 * <li>403 when {@code X-Telegram-Bot-Api-Secret-Token} is missing or wrong (compared in constant
 * time); nothing is handled;</li>
 * <li>400 when the body is not an update (not a JSON object with a numeric {@code update_id});</li>
 * <li>200 once the update is handled, or at once for an update already handled (Telegram
 * re-sends an update it did not see answered);</li>
 * <li>503 when the state store fails: Telegram delivers the update again later.</li>
 * </ul>
 * Every answer counts in {@code telegram_webhook_requests_total{result}}. Refused requests are
 * logged at WARN at most once a minute, with their number and the last sender's address.
 */
public final class BotWebhook {
    /** The header Telegram carries the {@code secret_token} of {@code setWebhook} in. */
    public static final String SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token";

    private static final Logger LOG = LoggerFactory.getLogger(BotWebhook.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int REMEMBERED = 1000;
    private final TelegramSettings settings;
    private final byte[] secret;
    private final MeterRegistry registry;
    /** update_ids being handled or handled lately, oldest first. */
    private final LinkedHashSet<Long> seen = new LinkedHashSet<>();

    private long refused;
    private long refusedLoggedAt;

    public BotWebhook(TelegramSettings settings, MeterRegistry registry) {
        this.settings = settings;
        this.secret = settings.webhookSecret().getBytes(StandardCharsets.UTF_8);
        this.registry = registry;
    }

    /**
     * Classifies one pushed request for the {@code telegram-webhook} route.
     *
     * @param given the request's {@code X-Telegram-Bot-Api-Secret-Token} header (may be null)
     * @param body the request body (may be null)
     * @param from the client's address, for the log
     * @return kind {@code off} (webhook mode off), {@code forbidden} (no or a wrong secret token),
     *         {@code invalid} (not a JSON object with a numeric {@code update_id}), {@code duplicate}
     *         (being or lately handled), or {@code new}, with the update (a JSON tree) for {@code new}
     */
    public Pushed classify(String given, String body, Object from) {
        if (!settings.webhookMode()) {
            return new Pushed("off", null);
        }
        if (given == null || !MessageDigest.isEqual(secret, given.getBytes(StandardCharsets.UTF_8))) {
            logRefused(from);
            return new Pushed("forbidden", null);
        }
        JsonNode update;
        try {
            update = body == null ? null : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            update = null;
        }
        if (update == null
                || !update.isObject()
                || !update.path("update_id").isIntegralNumber()
                || !update.path("update_id").canConvertToLong()) {
            return new Pushed("invalid", null);
        }
        long id = update.path("update_id").asLong();
        synchronized (seen) {
            if (!seen.add(id)) {
                return new Pushed("duplicate", null);
            }
            if (seen.size() > REMEMBERED) {
                seen.remove(seen.iterator().next());
            }
        }
        return new Pushed("new", update);
    }

    /**
     * What {@link #classify} made of a pushed request: its kind, and the update for {@code new}
     * (else null).
     */
    public record Pushed(String kind, JsonNode update) {}

    /** Forgets an update that could not be handled, so that Telegram's next delivery of it is handled. */
    public void forget(JsonNode update) {
        synchronized (seen) {
            seen.remove(update.path("update_id").asLong());
        }
    }

    /**
     * The JSON body of an answer ({@code {"ok":true}}, or {@code ok:false} with an error naming what
     * is wrong), counted once in {@code telegram_webhook_requests_total{result}}; the route sets the
     * status.
     *
     * @param result {@code handled}, {@code duplicate}, {@code not_found}, {@code forbidden},
     *               {@code invalid} or {@code unavailable}
     */
    public String answer(String result) {
        String error = switch (result) {
            case "not_found" -> "Telegram webhook mode is off (telegram.webhook-url is empty)";
            case "forbidden" -> "missing or wrong " + SECRET_HEADER;
            case "invalid" -> "not a Telegram update: a JSON object with a numeric update_id is expected";
            case "unavailable" -> "the state store is unavailable; deliver the update again later";
            default -> null;
        };
        Counter.builder("telegram_webhook_requests_total")
                .tag("result", result)
                .description("Requests on POST /telegram/webhook, by result")
                .register(registry)
                .increment();
        return error == null
                ? "{\"ok\":true}"
                : JSON.createObjectNode().put("ok", false).put("error", error).toString();
    }

    /**
     * A request the HTTP access layer refused before reading its body (no or a wrong secret
     * token): counted as {@code forbidden} and logged as the route's refusals are.
     *
     * @param from the client's address
     */
    public void refused(String from) {
        Counter.builder("telegram_webhook_requests_total")
                .tag("result", "forbidden")
                .description("Requests on POST /telegram/webhook, by result")
                .register(registry)
                .increment();
        logRefused(from);
    }

    private void logRefused(Object from) {
        long now = System.currentTimeMillis();
        synchronized (this) {
            refused++;
            if (now - refusedLoggedAt < 60_000) {
                return;
            }
            refusedLoggedAt = now;
            LOG.warn(
                    "Refused {} request(s) on /telegram/webhook without the right {} (last from {}); "
                            + "counted since the previous such line, logged once a minute at most",
                    refused,
                    SECRET_HEADER,
                    from);
            refused = 0;
        }
    }
}
