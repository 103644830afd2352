package org.opshub.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.opshub.config.Secrets;
import org.opshub.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acknowledge until resolved (table {@code alert_ack}): an Ack is an Alertmanager silence on the
 * alert's labels ({@code alertmanager.ack-silence} long) that opshub extends while the alert fires and
 * expires once it resolves, so that a new fire after that pages again. The {@code alert-acks} route
 * reads Alertmanager's alerts (API v2, {@code GET /api/v2/alerts}: only alerts not resolved, with
 * {@code status.silencedBy}) and asks {@link #plan} what to do.
 *
 * <p>Alertmanager sends nothing when a silenced or inhibited alert resolves. So for every alert opshub
 * delivered that is acknowledged, or that Alertmanager listed as silenced ({@code status.silencedBy}) or
 * inhibited ({@code status.inhibitedBy}), the RESOLVED message is opshub's own: once
 * Alertmanager no longer lists the alert on two reads in a row (one read could follow an
 * Alertmanager restart), the alert as last received goes through the template with status resolved
 * (its de-duplication key is the one Alertmanager's own resolved notification would have, so the chat
 * never gets two). Alertmanager's notification log still holds such an alert as firing, so its next fire
 * would wait for {@code repeat_interval}: opshub delivers that fire itself when Alertmanager lists the
 * alert again, active (table {@code alert_resolved_muted}).
 */
public final class Acks {
    private static final Logger LOG = LoggerFactory.getLogger(Acks.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final AckStore store;
    private final Duration silence;
    private final ZoneId zone;
    private final Clock clock;
    private final Set<Long> users;
    /** Fingerprints Alertmanager did not list on the last read (leader's memory; a new leader starts over). */
    private final Set<String> absentOnce = new HashSet<>();

    private volatile String lastProblem;
    private volatile Function<Alert, AlertView> views;

    /**
     * One open acknowledgement.
     *
     * @param fingerprint   the alert's fingerprint (Alertmanager's)
     * @param alertname     for /acks and logs
     * @param labels        the silence's equality matchers
     * @param silenceId     Alertmanager's silence id
     * @param silenceEndsAt when the silence ends unless extended, epoch ms
     * @param chatId        the chat the Ack was pressed in
     * @param threadId      its forum topic, 0 for none
     * @param messageId     the alert message that was edited
     * @param ackedBy       who pressed, as shown
     * @param ackedById     the Telegram user id
     * @param ackedAt       when, epoch ms
     */
    public record Ack(
            String fingerprint,
            String alertname,
            Map<String, String> labels,
            String silenceId,
            long silenceEndsAt,
            long chatId,
            long threadId,
            long messageId,
            String ackedBy,
            long ackedById,
            long ackedAt) {}

    /**
     * What one read of Alertmanager's alerts calls for.
     *
     * @param extend   acknowledged alerts still firing whose silence ends within half of {@code alertmanager.ack-silence}
     * @param expire   acknowledged alerts that resolved: their silence is to be expired
     * @param resolved acknowledged or silenced alerts that resolved, as RESOLVED views for the template
     * @param fired    alerts opshub resolved itself that fire again, as FIRING views for the template
     */
    public record Plan(List<Ack> extend, List<Ack> expire, List<AlertView> resolved, List<AlertView> fired) {}

    /**
     * @param silence the length of an Ack's silence, and of each extension ({@code alertmanager.ack-silence})
     * @param users   the Telegram user ids that may acknowledge ({@code telegram.ack-users}); empty: anyone in an allowed chat
     */
    public Acks(StateStore store, Duration silence, Set<Long> users, ZoneId zone, Clock clock) {
        this.store = new AckStore(store);
        this.silence = silence;
        this.users = Set.copyOf(users);
        this.zone = zone;
        this.clock = clock;
    }

    /** How the alerts opshub sends itself are shown to the template ({@link AlertInbox#view}). */
    public void views(Function<Alert, AlertView> views) {
        this.views = views;
    }

    private AlertView view(Alert alert) {
        Function<Alert, AlertView> v = views;
        return v == null ? new AlertView(alert, zone) : v.apply(alert);
    }

    /** The length of an Ack's silence. */
    public Duration silence() {
        return silence;
    }

    /** Whether a Telegram user may acknowledge ({@code telegram.ack-users}, or anyone when it is empty). */
    public boolean mayAck(long userId) {
        return users.isEmpty() || users.contains(userId);
    }

    /** Records an acknowledgement whose silence Alertmanager created (replacing an older one of the alert). */
    public void opened(SilenceStep step, String silenceId, Instant endsAt) {
        store.open(new Ack(
                step.fingerprint(),
                step.labels().getOrDefault("alertname", ""),
                step.labels(),
                silenceId,
                endsAt.toEpochMilli(),
                step.chatId(),
                step.threadId(),
                step.messageId(),
                step.user(),
                step.userId(),
                clock.millis()));
        LOG.info(
                "Alert {} acknowledged by Telegram user {} in chat {}: silence {} until {}",
                step.labels().get("alertname"),
                step.userId(),
                step.chatId(),
                silenceId,
                endsAt);
    }

    /** The open acknowledgement of an alert, or null. */
    public Ack find(String fingerprint) {
        return all().stream()
                .filter(a -> a.fingerprint().equals(fingerprint))
                .findFirst()
                .orElse(null);
    }

    /** Every open acknowledgement, oldest first. */
    public List<Ack> all() {
        return store.all();
    }

    /**
     * One read of Alertmanager's alerts ({@code GET /api/v2/alerts}, a JSON array of
     * {@code gettableAlert}): marks delivered alerts that Alertmanager silences as muted, and says which
     * silences to extend or expire and which alerts resolved ({@link AckDecision#decide}, against the store in one
     * transaction).
     *
     * @throws IllegalArgumentException when the answer is not a JSON array (the route logs it)
     */
    public Plan plan(String alertsJson) {
        AckDecision.Listed listed = AckDecision.Listed.parse(alertsJson);
        long now = clock.millis();
        synchronized (absentOnce) {
            Set<String> before = Set.copyOf(absentOnce);
            AckDecision d = store.reconcile(
                    held -> AckDecision.decide(listed, held, before, now, silence.toMillis()), AckDecision::changes);
            absentOnce.clear();
            absentOnce.addAll(d.absentNow());
            lastProblem = null;
            Plan plan = new Plan(
                    d.extend(),
                    d.expire(),
                    d.resolved().stream().map(this::view).toList(),
                    d.fired().stream().map(this::view).toList());
            if (!d.extend().isEmpty()
                    || !d.expire().isEmpty()
                    || !d.resolved().isEmpty()
                    || !d.fired().isEmpty()) {
                LOG.info(
                        "Alertmanager read: {} acknowledgement(s) to extend, {} resolved (silence to expire), {} RESOLVED"
                                + " and {} FIRING message(s) Alertmanager will not send",
                        d.extend().size(),
                        d.expire().size(),
                        d.resolved().size(),
                        d.fired().size());
            }
            return plan;
        }
    }

    /** Forgets the alerts opshub resolved more than 30 days ago that never fired again (the alerts-prune route). */
    public int prune() {
        return store.pruneResolved(clock.millis() - Duration.ofDays(30).toMillis());
    }

    /**
     * The {@code postableSilence} that extends an acknowledgement's silence (API v2
     * {@code POST /api/v2/silences}): for an active silence its {@code id} and its own {@code startsAt},
     * so that Alertmanager updates it in place (it replaces a silence whose start or matchers change),
     * the same matchers, until now + {@code alertmanager.ack-silence}. A silence that is no longer active
     * (expired by hand) is created anew from now.
     *
     * @param current the silence as {@code GET /api/v2/silence/{id}} answered it ({@code gettableSilence}), or null
     */
    public String extension(Ack a, String current) {
        Instant now = clock.instant();
        JsonNode held;
        try {
            held = JSON.readTree(current == null ? "" : current);
        } catch (IOException e) {
            held = null;
        }
        boolean active = held != null
                && "active".equals(held.path("status").path("state").asText());
        ObjectNode body = JSON.createObjectNode();
        if (active) {
            body.put("id", a.silenceId());
        }
        ArrayNode matchers = body.putArray("matchers");
        a.labels()
                .forEach((k, v) -> matchers.addObject()
                        .put("name", k)
                        .put("value", v)
                        .put("isRegex", false)
                        .put("isEqual", true));
        body.put("startsAt", active ? held.path("startsAt").asText(now.toString()) : now.toString());
        body.put("endsAt", now.plus(silence).toString());
        body.put("createdBy", "Telegram: " + a.ackedBy() + " [id " + a.ackedById() + "]");
        body.put("comment", comment(a.chatId()));
        return body.toString();
    }

    /** The comment of an Ack's silence. */
    static String comment(long chatId) {
        return "Acknowledged from Telegram chat " + chatId
                + " (opshub): extended while the alert fires, expired when it resolves";
    }

    /** Alertmanager accepted an extension: the (possibly new) silence id and its end are kept. */
    public void extended(Ack a, String answer) {
        String id = a.silenceId();
        try {
            id = JSON.readTree(answer == null ? "" : answer).path("silenceID").asText(id);
        } catch (IOException e) {
            // the id stays
        }
        long endsAt = clock.instant().plus(silence).toEpochMilli();
        String newId = id;
        store.extended(a.fingerprint(), newId, endsAt);
        LOG.info(
                "Acknowledgement of {} extended: silence {} until {}",
                a.alertname(),
                newId,
                Instant.ofEpochMilli(endsAt));
    }

    /** Alertmanager refused or did not answer an extension: WARN; tried again at the next read. */
    public void extendFailed(Ack a, int status, String answer) {
        LOG.warn(
                "Alertmanager did not extend silence {} of the acknowledged {}: {} {}",
                a.silenceId(),
                a.alertname(),
                status,
                abbreviate(answer));
    }

    /**
     * The alert resolved and its silence was expired ({@code DELETE /api/v2/silence/{id}}; any answer:
     * a silence expired by hand answers an error): the acknowledgement ends.
     */
    public void expired(Ack a, int status) {
        store.close(a.fingerprint());
        if (status == 200) {
            LOG.info(
                    "{} resolved: acknowledgement by {} ended, silence {} expired",
                    a.alertname(),
                    a.ackedBy(),
                    a.silenceId());
        } else {
            LOG.warn(
                    "{} resolved: acknowledgement ended, but Alertmanager answered {} to expiring silence {}",
                    a.alertname(),
                    status,
                    a.silenceId());
        }
    }

    /**
     * Alertmanager's alerts could not be read (the route classifies the answer): one WARN per change of
     * the problem, naming the status (0: no answer), what came back and {@code hint}, what the class
     * of answer means for ops.
     */
    public void unreachable(int status, String problem, String hint) {
        String p = (status == 0 ? abbreviate(problem) : status + " " + abbreviate(problem))
                + (hint == null || hint.isBlank() ? "" : "; " + hint);
        if (!p.equals(lastProblem)) {
            LOG.warn(
                    "Alertmanager's alerts (API v2) cannot be read: {}; acknowledgements are not extended meanwhile",
                    p);
        }
        lastProblem = p;
    }

    private static String abbreviate(String s) {
        return Secrets.excerpt(s == null ? "" : s.strip());
    }
}
