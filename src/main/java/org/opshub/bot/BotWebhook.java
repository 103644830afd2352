package org.opshub.bot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashSet;
import org.apache.camel.Exchange;
import org.opshub.outbox.TelegramSettings;
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
    /** Exchange property holding the accepted update (the route reads it as {@code pushedUpdate}). */
    public static final String UPDATE = "pushedUpdate";

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
     * @return {@code off} (webhook mode off), {@code forbidden} (no or a wrong secret token),
     *         {@code invalid} (not a JSON object with a numeric {@code update_id}), {@code duplicate}
     *         (being or lately handled), or {@code new}: then the update (a JSON tree) is the body
     *         and the {@value #UPDATE} property
     */
    public String classify(Exchange exchange) {
        if (!settings.webhookMode()) {
            return "off";
        }
        String given = exchange.getMessage().getHeader(SECRET_HEADER, String.class);
        if (given == null || !MessageDigest.isEqual(secret, given.getBytes(StandardCharsets.UTF_8))) {
            logRefused(exchange);
            return "forbidden";
        }
        JsonNode update;
        try {
            String body = exchange.getMessage().getBody(String.class);
            update = body == null ? null : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            update = null;
        }
        if (update == null
                || !update.isObject()
                || !update.path("update_id").isIntegralNumber()
                || !update.path("update_id").canConvertToLong()) {
            return "invalid";
        }
        long id = update.path("update_id").asLong();
        synchronized (seen) {
            if (!seen.add(id)) {
                return "duplicate";
            }
            if (seen.size() > REMEMBERED) {
                seen.remove(seen.iterator().next());
            }
        }
        exchange.getMessage().setBody(update);
        exchange.setProperty(UPDATE, update);
        return "new";
    }

    /** Forgets an update that could not be handled, so that Telegram's next delivery of it is handled. */
    public void forget(JsonNode update) {
        synchronized (seen) {
            seen.remove(update.path("update_id").asLong());
        }
    }

    /**
     * Answers the request: the status, a JSON body ({@code {"ok":true}}, or {@code ok:false} with an
     * error naming what is wrong), and one count in {@code telegram_webhook_requests_total{result}}.
     *
     * @param result {@code handled}, {@code duplicate}, {@code not_found}, {@code forbidden},
     *               {@code invalid} or {@code unavailable}
     */
    public void answer(Exchange exchange, int status, String result) {
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
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage()
                .setBody(
                        error == null
                                ? "{\"ok\":true}"
                                : JSON.createObjectNode()
                                        .put("ok", false)
                                        .put("error", error)
                                        .toString());
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

    private void logRefused(Exchange exchange) {
        logRefused(exchange.getMessage().getHeader("CamelVertxPlatformHttpRemoteAddress"));
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
