package org.opshub.alerts;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of {@code POST /alerts}: checks the bearer token, content type and size, parses
 * the payload, commits it to the webhook journal ({@link IntakeStore}) and writes the JSON answers.
 * Errors are {@link WebhookRejectedException}s with the 4xx status to answer; the body is
 * {@code {"status":"error","error":"<what is wrong>"}}.
 */
public final class AlertWebhook {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final byte[] bearerToken;
    private final long maxBodyBytes;
    private final int maxAlerts;
    private final AlertInbox inbox;
    private final AlertmanagerPayload.Limits limits;
    private IntakeStore journal;
    private volatile String hubId = "local";
    /** How long the receiving hub keeps a journal row to itself before any leading hub may record it. */
    static final long CLAIM_MS = 60_000;
    /** Recording a journal row failed this often: it is dropped with an ERROR line (the data itself is refused). */
    static final int MAX_ATTEMPTS = 10;

    private static final Logger LOG = LoggerFactory.getLogger(AlertWebhook.class);

    /**
     * A webhook request committed to the journal: its row and its alerts as template views (sharing
     * the request's message budget).
     */
    public record Intake(long id, List<AlertView> views) {}

    /**
     * @param bearerToken  required token; empty: no authentication
     * @param maxBodyBytes largest accepted body, bytes
     * @param maxAlerts    most alerts in one payload ({@code alertmanager.max-alerts})
     * @param limits       what one alert may carry (value bytes, labels)
     */
    public AlertWebhook(
            String bearerToken, long maxBodyBytes, int maxAlerts, AlertInbox inbox, AlertmanagerPayload.Limits limits) {
        this.bearerToken =
                bearerToken == null || bearerToken.isEmpty() ? null : bearerToken.getBytes(StandardCharsets.UTF_8);
        this.maxBodyBytes = maxBodyBytes;
        this.maxAlerts = maxAlerts;
        this.inbox = inbox;
        this.limits = limits;
    }

    /**
     * Validates a request (its {@code Authorization}, {@code Content-Type} and {@code Content-Length}
     * headers, each may be null, and its body) and returns its alerts as template views.
     *
     * @throws WebhookRejectedException 401 (token; the route answers it with {@code WWW-Authenticate:
     *     Bearer}), 415 (content type), 413 (size or number of alerts), 400 (payload)
     */
    public List<AlertView> receive(String auth, String type, Long declared, byte[] body) {
        if (bearerToken != null) {
            byte[] given = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? auth.substring(7).strip().getBytes(StandardCharsets.UTF_8)
                    : new byte[0];
            if (!MessageDigest.isEqual(bearerToken, given)) {
                throw new WebhookRejectedException(
                        401, auth == null ? "missing Authorization: Bearer token" : "wrong bearer token");
            }
        }
        String mime = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase();
        if (!mime.equals("application/json")) {
            throw new WebhookRejectedException(
                    415,
                    "Content-Type must be application/json, got "
                            + (type == null ? "none" : "\"" + abbreviate(type) + "\""));
        }
        if (declared != null && declared > maxBodyBytes) {
            throw tooLarge(declared);
        }
        if (body == null || body.length == 0) {
            throw new WebhookRejectedException(400, "empty body: expected an Alertmanager webhook payload");
        }
        if (body.length > maxBodyBytes) {
            throw tooLarge(body.length);
        }
        List<Alert> alerts = AlertmanagerPayload.parse(body, limits);
        if (alerts.size() > maxAlerts) {
            throw new WebhookRejectedException(
                    413,
                    "payload has " + alerts.size() + " alerts, more than alertmanager.max-alerts=" + maxAlerts
                            + " (set max_alerts in Alertmanager's webhook_config to at most that)");
        }
        return inbox.views(alerts);
    }

    /**
     * Validates the request (as {@link #receive}) and commits its body to the journal: once this
     * returns, the request is on disk and may be answered 200.
     *
     * @throws WebhookRejectedException as {@link #receive}
     * @throws org.opshub.state.StateUnavailableException when the store fails (answer 503, nothing stored)
     */
    public Intake accept(String auth, String type, Long declared, byte[] body) {
        // the journal holds the very bytes parsed
        long now = System.currentTimeMillis();
        List<AlertView> views = receive(auth, type, declared, body);
        views.forEach(v -> v.arrivedAt(now));
        long id = journal.add(body, hubId, now, now + CLAIM_MS);
        journal.recording(id);
        return new Intake(id, views);
    }

    /** The journal and this hub's name in its claims ({@code cluster.hub-id}). */
    public void journal(IntakeStore store, String hub) {
        this.journal = store;
        this.hubId = hub;
    }

    /**
     * The journal rows no hub is recording (left by a crash, a failure, or a full queue), claimed by
     * this hub, as intakes to record again. A row that failed {@value #MAX_ATTEMPTS} times, or
     * whose body no longer parses, is dropped with an ERROR line.
     */
    public List<Intake> due() {
        journal.flush();
        long now = System.currentTimeMillis();
        List<Intake> out = new ArrayList<>();
        for (IntakeStore.Row r : journal.claimDue(hubId, now, now + CLAIM_MS, 100)) {
            if (r.attempts() >= MAX_ATTEMPTS) {
                LOG.error(
                        "Webhook request {} dropped after {} failed attempts to record its alerts (see the WARN lines before)",
                        r.id(),
                        r.attempts());
                journal.done(r.id());
                continue;
            }
            try {
                journal.recording(r.id());
                List<AlertView> views = inbox.views(AlertmanagerPayload.parse(r.body(), limits));
                views.forEach(v -> v.arrivedAt(r.receivedAt()));
                out.add(new Intake(r.id(), views));
            } catch (WebhookRejectedException e) {
                LOG.error(
                        "Webhook request {} in the journal no longer parses and is dropped: {}",
                        r.id(),
                        e.getMessage());
                journal.done(r.id());
            }
        }
        return out;
    }

    /** Every alert of the intake is recorded: the held-back lines of its message budget are queued and its row deleted. */
    public void recorded(Intake intake) {
        inbox.heldBack(intake.views());
        journal.done(intake.id());
    }

    /** Recording failed (the store): the row is tried again at a later round. */
    public void failed(Intake intake, String reason) {
        LOG.warn(
                "Alerts of webhook request {} not recorded yet, tried again in a few seconds: {}", intake.id(), reason);
        try {
            journal.failed(intake.id(), System.currentTimeMillis() + 5_000);
        } catch (RuntimeException e) {
            journal.forget(intake.id()); // its claim runs out; any hub takes it up then
        }
    }

    /** The 200 answer: how many alerts the payload had. */
    public String accepted(Intake intake) throws JsonProcessingException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "success");
        m.put("alerts", intake.views().size());
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
        return new WebhookRejectedException(
                413, "body of " + size + " bytes is larger than alertmanager.max-body-bytes=" + maxBodyBytes);
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }
}
