package org.opshub.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
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
 * <p>Alertmanager sends nothing when a silenced alert resolves. So for every alert opshub delivered that
 * is acknowledged, or that Alertmanager listed as silenced, the RESOLVED message is opshub's own: once
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
    private final StateStore store;
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
        this.store = store;
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
        long now = clock.millis();
        store.inTransaction(c -> {
            StateStore.update(c, "DELETE FROM alert_ack WHERE fingerprint = ?", step.fingerprint());
            return StateStore.update(
                    c,
                    "INSERT INTO alert_ack (fingerprint, alertname, labels, silence_id, silence_ends_at,"
                            + " chat_id, thread_id, message_id, acked_by, acked_by_id, acked_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    step.fingerprint(),
                    step.labels().getOrDefault("alertname", ""),
                    JSON.valueToTree(step.labels()).toString(),
                    silenceId,
                    endsAt.toEpochMilli(),
                    step.chatId(),
                    step.threadId(),
                    step.messageId(),
                    step.user(),
                    step.userId(),
                    now);
        });
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
        return store.inTransaction(c -> {
            List<Ack> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                            "SELECT fingerprint, alertname, labels, silence_id, silence_ends_at,"
                                    + " chat_id, thread_id, message_id, acked_by, acked_by_id, acked_at FROM alert_ack ORDER BY acked_at");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Ack(
                            rs.getString(1),
                            rs.getString(2),
                            labels(rs.getString(3)),
                            rs.getString(4),
                            rs.getLong(5),
                            rs.getLong(6),
                            rs.getLong(7),
                            rs.getLong(8),
                            rs.getString(9),
                            rs.getLong(10),
                            rs.getLong(11)));
                }
            }
            return out;
        });
    }

    private static Map<String, String> labels(String json) {
        Map<String, String> m = new TreeMap<>();
        try {
            JSON.readTree(json)
                    .fields()
                    .forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
        } catch (IOException e) {
            // an unreadable row keeps no matchers; its extension is refused by Alertmanager and logged
        }
        return m;
    }

    /**
     * One read of Alertmanager's alerts ({@code GET /api/v2/alerts}, a JSON array of
     * {@code gettableAlert}): marks delivered alerts that Alertmanager silences as muted, and says which
     * silences to extend or expire and which alerts resolved.
     *
     * @throws IllegalArgumentException when the answer is not a JSON array (the route logs it)
     */
    public Plan plan(String alertsJson) {
        JsonNode alerts;
        try {
            alerts = JSON.readTree(alertsJson == null ? "" : alertsJson);
        } catch (IOException e) {
            alerts = null;
        }
        if (alerts == null || !alerts.isArray()) {
            throw new IllegalArgumentException("Alertmanager's /api/v2/alerts answer is not a JSON array");
        }
        Map<String, Boolean> listed = new HashMap<>();
        Map<String, JsonNode> active = new HashMap<>();
        for (JsonNode a : alerts) {
            listed.put(
                    a.path("fingerprint").asText(),
                    a.path("status").path("silencedBy").size() > 0);
            if ("active".equals(a.path("status").path("state").asText())) {
                active.put(a.path("fingerprint").asText(), a);
            }
        }
        long now = clock.millis();
        List<Ack> acks = all();
        Set<String> acked = new HashSet<>();
        List<Ack> extend = new ArrayList<>();
        List<Ack> expire = new ArrayList<>();
        Set<String> gone = new HashSet<>();
        synchronized (absentOnce) {
            Set<String> absentNow = new HashSet<>();
            for (Ack a : acks) {
                acked.add(a.fingerprint());
                if (listed.containsKey(a.fingerprint())) {
                    if (a.silenceEndsAt() - now < silence.toMillis() / 2) {
                        extend.add(a);
                    }
                } else if (absentOnce.contains(a.fingerprint())) {
                    expire.add(a);
                    gone.add(a.fingerprint());
                } else {
                    absentNow.add(a.fingerprint());
                }
            }
            List<AlertView> resolved = new ArrayList<>();
            List<AlertView> fired = new ArrayList<>();
            List<String> muted = new ArrayList<>();
            store.inTransaction(c -> {
                List<String> again = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT fingerprint FROM alert_resolved_muted");
                        ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        JsonNode a = active.get(rs.getString(1));
                        Alert alert = a == null ? null : firing(a);
                        if (alert != null) {
                            fired.add(view(alert));
                            again.add(rs.getString(1));
                        }
                    }
                }
                for (String fp : again) {
                    StateStore.update(c, "DELETE FROM alert_resolved_muted WHERE fingerprint = ?", fp);
                }
                try (PreparedStatement ps =
                                c.prepareStatement("SELECT fingerprint, muted, alert_json FROM firing_alert");
                        ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String fp = rs.getString(1);
                        Boolean silenced = listed.get(fp);
                        if (Boolean.TRUE.equals(silenced) && !rs.getBoolean(2)) {
                            muted.add(fp);
                        }
                        boolean watched = rs.getBoolean(2) || acked.contains(fp) || Boolean.TRUE.equals(silenced);
                        if (!watched || silenced != null || rs.getString(3) == null) {
                            continue;
                        }
                        if (gone.contains(fp) || !acked.contains(fp) && absentOnce.contains(fp)) {
                            Alert last = AlertmanagerPayload.fromJson(rs.getString(3));
                            resolved.add(view(new Alert(
                                    Alert.RESOLVED,
                                    last.labels(),
                                    last.annotations(),
                                    last.startsAt(),
                                    Instant.ofEpochMilli(now),
                                    last.generatorUrl(),
                                    last.fingerprint())));
                            StateStore.update(c, "DELETE FROM alert_resolved_muted WHERE fingerprint = ?", fp);
                            StateStore.update(
                                    c,
                                    "INSERT INTO alert_resolved_muted (fingerprint, resolved_at) VALUES (?, ?)",
                                    fp,
                                    now);
                        } else {
                            absentNow.add(fp);
                        }
                    }
                }
                for (String fp : muted) {
                    StateStore.update(c, "UPDATE firing_alert SET muted = TRUE WHERE fingerprint = ?", fp);
                }
                return null;
            });
            absentOnce.clear();
            absentOnce.addAll(absentNow);
            lastProblem = null;
            if (!extend.isEmpty() || !expire.isEmpty() || !resolved.isEmpty() || !fired.isEmpty()) {
                LOG.info(
                        "Alertmanager read: {} acknowledgement(s) to extend, {} resolved (silence to expire), {} RESOLVED"
                                + " and {} FIRING message(s) Alertmanager will not send",
                        extend.size(),
                        expire.size(),
                        resolved.size(),
                        fired.size());
            }
            return new Plan(extend, expire, resolved, fired);
        }
    }

    /** A {@code gettableAlert} of Alertmanager's API v2 as a firing alert, or null when it is not one. */
    private static Alert firing(JsonNode a) {
        try {
            SortedMap<String, String> labels = new TreeMap<>();
            a.path("labels")
                    .fields()
                    .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            SortedMap<String, String> annotations = new TreeMap<>();
            a.path("annotations")
                    .fields()
                    .forEachRemaining(
                            e -> annotations.put(e.getKey(), e.getValue().asText()));
            return new Alert(
                    Alert.FIRING,
                    labels,
                    annotations,
                    OffsetDateTime.parse(a.path("startsAt").asText()).toInstant(),
                    null,
                    a.path("generatorURL").asText(""),
                    a.path("fingerprint").asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Forgets the alerts opshub resolved more than 30 days ago that never fired again (the alerts-prune route). */
    public int prune() {
        long before = clock.millis() - Duration.ofDays(30).toMillis();
        return store.inTransaction(
                c -> StateStore.update(c, "DELETE FROM alert_resolved_muted WHERE resolved_at < ?", before));
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
        store.inTransaction(c -> StateStore.update(
                c,
                "UPDATE alert_ack SET silence_id = ?, silence_ends_at = ? WHERE fingerprint = ?",
                newId,
                endsAt,
                a.fingerprint()));
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
        store.inTransaction(c -> StateStore.update(c, "DELETE FROM alert_ack WHERE fingerprint = ?", a.fingerprint()));
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

    /** Alertmanager's alerts could not be read: one WARN per change of the problem. */
    public void unreachable(int status, String problem) {
        String p = status == 0 ? abbreviate(problem) : status + " " + abbreviate(problem);
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
