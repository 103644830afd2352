package org.opshub.alerts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;

/**
 * The HTTP side of {@code POST /alerts}: checks the bearer token, content type and size, parses
 * the payload, and writes the JSON answers. Errors are {@link WebhookRejectedException}s with
 * the 4xx status to answer; the body is {@code {"status":"error","error":"<what is wrong>"}}.
 */
public final class AlertWebhook {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final byte[] bearerToken;
    private final long maxBodyBytes;
    private final int maxAlerts;
    private final AlertInbox inbox;
    private final AlertmanagerPayload.Limits limits;

    /**
     * @param bearerToken  required token; empty: no authentication
     * @param maxBodyBytes largest accepted body, bytes
     * @param maxAlerts    most alerts in one payload ({@code alertmanager.max-alerts})
     * @param limits       what one alert may carry (value bytes, labels)
     */
    public AlertWebhook(String bearerToken, long maxBodyBytes, int maxAlerts, AlertInbox inbox,
                        AlertmanagerPayload.Limits limits) {
        this.bearerToken = bearerToken == null || bearerToken.isEmpty() ? null : bearerToken.getBytes(StandardCharsets.UTF_8);
        this.maxBodyBytes = maxBodyBytes;
        this.maxAlerts = maxAlerts;
        this.inbox = inbox;
        this.limits = limits;
    }

    /**
     * Validates the request and returns its alerts as template views.
     *
     * @throws WebhookRejectedException 401 (token), 415 (content type), 413 (size or number of alerts), 400 (payload)
     */
    public List<AlertView> receive(Exchange exchange) {
        if (bearerToken != null) {
            String auth = exchange.getIn().getHeader("Authorization", String.class);
            byte[] given = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? auth.substring(7).strip().getBytes(StandardCharsets.UTF_8) : new byte[0];
            if (!MessageDigest.isEqual(bearerToken, given)) {
                exchange.getMessage().setHeader("WWW-Authenticate", "Bearer");
                throw new WebhookRejectedException(401, auth == null ? "missing Authorization: Bearer token"
                        : "wrong bearer token");
            }
        }
        String type = exchange.getIn().getHeader(Exchange.CONTENT_TYPE, String.class);
        String mime = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase();
        if (!mime.equals("application/json")) {
            throw new WebhookRejectedException(415, "Content-Type must be application/json, got "
                    + (type == null ? "none" : "\"" + abbreviate(type) + "\""));
        }
        Long declared = exchange.getIn().getHeader(Exchange.CONTENT_LENGTH, Long.class);
        if (declared != null && declared > maxBodyBytes) {
            throw tooLarge(declared);
        }
        byte[] body = exchange.getIn().getBody(byte[].class);
        if (body == null || body.length == 0) {
            throw new WebhookRejectedException(400, "empty body: expected an Alertmanager webhook payload");
        }
        if (body.length > maxBodyBytes) {
            throw tooLarge(body.length);
        }
        List<Alert> alerts = AlertmanagerPayload.parse(body, limits);
        if (alerts.size() > maxAlerts) {
            throw new WebhookRejectedException(413, "payload has " + alerts.size() + " alerts, more than alertmanager.max-alerts="
                    + maxAlerts + " (set max_alerts in Alertmanager's webhook_config to at most that)");
        }
        return inbox.views(alerts);
    }

    /** The 200 answer: how many alerts the payload had (after the held-back lines of its message budget are queued). */
    public String accepted(List<AlertView> alerts) throws JsonProcessingException {
        inbox.heldBack(alerts);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "success");
        m.put("alerts", alerts.size());
        return JSON.writeValueAsString(m);
    }

    /** The JSON body of a refused request: {@code {"status":"error","error":"<message>"}}. */
    public static String error(String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "error");
        m.put("error", message);
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            return "{\"status\":\"error\"}";
        }
    }

    private WebhookRejectedException tooLarge(long size) {
        return new WebhookRejectedException(413, "body of " + size + " bytes is larger than alertmanager.max-body-bytes="
                + maxBodyBytes);
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }
}
