package org.opshub.checks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of every service check, kept across route reloads. Each probe result moves a check
 * through UP → DOWN after {@code failureThreshold} consecutive failures and DOWN → UP after
 * {@code successThreshold} consecutive successes. A notification is made when the state differs
 * from the one last notified and the {@link NotifyWindow} is open (so a check that went DOWN at
 * night is notified once when the window opens, and one that went down and up at night not at
 * all), plus a reminder every {@code reminderInterval} while DOWN.
 *
 * <p>Gauges per check: {@code probe_success}, {@code probe_duration_seconds}, {@code check_up},
 * {@code check_consecutive_failures}; removed with the check's route.
 */
public final class ServiceChecks {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceChecks.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Map<String, CheckState> checks = new ConcurrentSkipListMap<>();
    private final CamelContext context;
    private final MeterRegistry registry;
    private final Clock clock;
    private final NotifyWindow window;
    private final CheckChats chats;
    private final CheckMetrics metrics;
    private final HostIdentity host = new HostIdentity();
    private volatile QuietLog quiet;
    private volatile CheckMaintenance maintenance;

    /**
     * @param chats the chats notifications go to, and how
     * @param clock the time used for thresholds, quiet hours and reminders
     */
    public ServiceChecks(
            CamelContext context, MeterRegistry registry, Clock clock, NotifyWindow window, CheckChats chats) {
        this.context = context;
        this.registry = registry;
        this.clock = clock;
        this.window = window;
        this.chats = chats;
        this.metrics = new CheckMetrics(registry);
    }

    /**
     * Records a probe of a check (the body of the {@code check-result} route), probed by route
     * {@code routeId} ({@code check-<name>}). A maintenance window holding the check, a DOWN check it
     * depends on ({@link CheckGraph#suppressor}) or one that failed its last probe without being DOWN
     * yet ({@link CheckGraph#undecided}) hold back its DOWN; a parent's message is edited as the
     * checks behind it fail or come back.
     *
     * @return the notification (or the edit of a message) to send now, or null
     */
    public CheckNotification record(String routeId, Check.Probed probed) {
        Check check = probed.check();
        String name = check.name();
        ProbeResult raw = probed.result();
        // what is shown in /checks, notifications and logs never carries URL credentials or API keys
        ProbeResult result = new ProbeResult(raw.success(), raw.durationSeconds(), Redaction.redact(raw.detail()));
        CheckState state = checks.computeIfAbsent(
                name, n -> new CheckState(n, metrics.gauges(n, checks::get, this::inMaintenance)));
        Instant now = clock.instant();
        synchronized (state) {
            state.type = check.type();
            state.target = Redaction.redact(check.target());
            state.routeId = routeId;
            state.dependsOn = check.dependsOn();
            boolean wasUp = state.up;
            state.probe(result, now, check.failureThreshold(), check.successThreshold());
            logChange(state, wasUp, result);
            Map<String, List<String>> graph = graph();
            String by = CheckGraph.suppressor(name, graph, this::down);
            if (state.suppressedBy != null && by == null) {
                state.afterRelease = true; // its own failureThreshold counts from now
                state.failuresSinceRelease = 0;
            }
            if (result.success()) {
                state.afterRelease = false;
            } else {
                state.failuresSinceRelease++;
            }
            metrics.suppressed(state, by);
            state.suppressedBy = by;
            CheckState parent = by == null ? null : checks.get(by);
            if (parent != null && !result.success()) {
                parent.behind.add(name);
            }
            if (wasUp && !state.up) {
                // DOWN now: the checks behind it that are failing already go into its first message
                for (CheckState other : checks.values()) {
                    if (!other.lastSuccess
                            && other.lastProbeAt != null
                            && name.equals(CheckGraph.suppressor(other.name, graph, this::down))) {
                        state.behind.add(other.name);
                    }
                }
            }
            CheckMaintenance m = maintenance;
            MaintenanceStore.Window held = m == null ? null : m.holding(name, now);
            state.maintenanceId = held == null ? null : held.id();
            if (held != null) {
                return null; // probes go on, nothing is notified; a check still DOWN at its end is notified then
            }
            boolean holdDown = by != null
                    || CheckGraph.undecided(name, graph, n -> !lastSuccess(n), this::down)
                    || (state.afterRelease && state.failuresSinceRelease < check.failureThreshold());
            boolean open = window.isOpen(now) || check.urgent();
            QuietLog q = quiet;
            if (!open && q != null && wasUp != state.up && !holdDown) {
                // for the morning digest; a recovery it reports needs no RECOVERED message of its own
                if (state.up) {
                    q.recovered(name, state.downSince, now);
                    state.notifiedUp = true;
                } else {
                    q.down(name, now);
                }
            }
            if (open && q != null && q.digestInFlight(now)) {
                return null; // the morning digest first: this notification is due again at the next probe
            }
            CheckNotification.Kind kind = holdDown && !state.up ? null : state.due(now, open, check.reminder());
            return kind != null ? notification(state, kind, now, false) : edit(state);
        }
    }

    /** The notifications due now of {@code names} (a maintenance window ended: a check still DOWN notifies at once). */
    public List<CheckNotification> dueNow(List<String> names) {
        List<CheckNotification> out = new ArrayList<>();
        Instant now = clock.instant();
        for (String name : names) {
            CheckState s = checks.get(name);
            if (s != null) {
                synchronized (s) {
                    s.maintenanceId = null;
                    if (!s.up && s.notifiedUp && s.suppressedBy == null && window.isOpen(now)) {
                        out.add(notification(s, s.due(now, true, null), now, false));
                    }
                }
            }
        }
        return out;
    }

    private void logChange(CheckState state, boolean wasUp, ProbeResult result) {
        if (wasUp != state.up) {
            if (state.up) {
                LOG.info(
                        "Check {} UP again after {} successful probes: {}",
                        state.name,
                        state.consecutiveSuccesses,
                        result.detail());
            } else {
                LOG.warn(
                        "Check {} DOWN after {} failed probes: {}",
                        state.name,
                        state.consecutiveFailures,
                        result.detail());
            }
        }
    }

    /**
     * The edit of a parent's message (its last DOWN or RECOVERED) when what it lists changed, and
     * the message can be edited now in every chat (else tried again at its next probe).
     */
    private CheckNotification edit(CheckState state) {
        if (state.messageKind == null || state.behind.isEmpty()) {
            return null;
        }
        Dependents d = dependents(state);
        if (d.text().equals(state.listed)) {
            return null;
        }
        CheckNotification n = notification(state, state.messageKind, state.messageAt, true);
        if (!chats.editable(CheckChats.ref(n))) {
            return null;
        }
        state.listed = d.text();
        return n;
    }

    private record Dependents(List<String> failing, List<String> back) {
        String text() {
            return failing + "/" + back;
        }
    }

    /** The checks behind a parent: for its DOWN all that failed; for its RECOVERED those back and those still failing. */
    private Dependents dependents(CheckState state) {
        List<String> failing = new ArrayList<>();
        List<String> back = new ArrayList<>();
        for (String n : state.behind) {
            (state.messageKind == CheckNotification.Kind.RECOVERED && lastSuccess(n) ? back : failing).add(n);
        }
        return new Dependents(failing, back);
    }

    private CheckNotification notification(CheckState s, CheckNotification.Kind kind, Instant at, boolean edit) {
        Dependents d = dependents(s);
        if (!edit && kind != CheckNotification.Kind.REMINDER) {
            s.listed = d.text();
        }
        return new CheckNotification(
                        kind,
                        s.name,
                        s.type,
                        s.target,
                        edit ? s.messageDetail : s.lastDetail,
                        s.downSince == null ? at : s.downSince,
                        at,
                        s.consecutiveFailures,
                        host,
                        window.zone())
                .withTexts(chats.chatTexts().texts(), "en")
                .withDependents(d.failing(), d.back(), edit);
    }

    private Map<String, List<String>> graph() {
        Map<String, List<String>> g = new HashMap<>();
        for (CheckState s : checks.values()) {
            if (!s.dependsOn.isEmpty()) {
                g.put(s.name, s.dependsOn);
            }
        }
        return g;
    }

    private boolean down(String name) {
        CheckState s = checks.get(name);
        return s != null && !s.up;
    }

    private boolean lastSuccess(String name) {
        CheckState s = checks.get(name);
        return s == null || s.lastProbeAt == null || s.lastSuccess;
    }

    private boolean inMaintenance(String name) {
        CheckMaintenance m = maintenance;
        return m != null && m.holding(name, clock.instant()) != null;
    }

    /** The maintenance windows, or null before they are set. */
    public CheckMaintenance maintenance() {
        return maintenance;
    }

    /** The maintenance windows (set once at start). */
    public void maintenance(CheckMaintenance maintenance) {
        this.maintenance = maintenance;
    }

    /** The names of the checks that have reported. */
    public Set<String> names() {
        return Set.copyOf(checks.keySet());
    }

    /** Keeps the morning digests of {@code log} (set once at start). */
    public void quietLog(QuietLog log) {
        this.quiet = log;
    }

    /**
     * The morning digests due now (the notify window is open and events of the closed window wait),
     * taken: each event goes into one digest. The {@code checks-digest} route renders and queues them
     * before any check notification of the same probe, so a chat gets the digest first.
     */
    public List<Digest> digests() {
        QuietLog q = quiet;
        if (q == null) {
            return List.of();
        }
        List<Digest> digests =
                q.take(clock.instant(), chats.chats(), chats.chatTexts().texts(), n -> {
                    CheckState s = checks.get(n);
                    if (s == null) {
                        return null;
                    }
                    synchronized (s) {
                        return s.up ? null : s.downSince;
                    }
                });
        Map<String, List<String>> behind = new HashMap<>();
        for (CheckState s : checks.values()) {
            if (!s.behind.isEmpty()) {
                behind.put(s.name, List.copyOf(s.behind));
            }
        }
        return digests.stream().map(d -> d.withBehind(behind)).toList();
    }

    /** Queues a rendered digest (the body) for its chat ({@link CheckChats#queueDigest}). */
    public void queueDigest(Digest digest, String text, String textRu) {
        chats.queueDigest(digest, text, textRu, quiet);
    }

    /** Keeps the external address answered by {@code checks.external-ip-url}. */
    public void externalIp(String body) {
        if (!host.externalIp(body)) {
            LOG.warn("checks.external-ip-url did not answer an IP address");
        }
    }

    /**
     * Forgets checks whose route is gone (removed from {@code routes/checks.yaml}) and their gauges.
     *
     * @return the names forgotten
     */
    public List<String> forgetRemoved() {
        List<String> gone = new ArrayList<>();
        for (CheckState s : checks.values()) {
            String routeId = s.routeId;
            if (routeId != null && context.getRoute(routeId) == null) {
                checks.remove(s.name);
                metrics.remove(s);
                gone.add(s.name);
                LOG.info("Check {} removed (route {} is gone)", s.name, routeId);
            }
        }
        return gone;
    }

    /**
     * {@code GET /checks} and the periodic log line: {@code {"notifyWindowOpen":bool,
     * "checks":[{"name","type","target","state":"UP|DOWN","since","consecutiveFailures",
     * "consecutiveSuccesses","lastProbe":{"success","durationSeconds","detail","at"},"notified"}]}}.
     * Times are ISO-8601 in {@code checks.timezone}.
     */
    public Map<String, Object> snapshot() {
        Instant now = clock.instant();
        List<Map<String, Object>> list = new ArrayList<>();
        for (CheckState s : checks.values()) {
            synchronized (s) {
                list.add(s.toMap(window.zone()));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("time", now.atZone(window.zone()).toOffsetDateTime().toString());
        out.put("notifyWindowOpen", window.isOpen(now));
        out.put("checks", list);
        CheckMaintenance m = maintenance;
        out.put("maintenance", m == null ? List.of() : m.snapshot());
        return out;
    }

    /** {@link #snapshot()} as one line of JSON. */
    public String snapshotJson() throws JsonProcessingException {
        return JSON.writeValueAsString(snapshot());
    }

    /** Whether any check has reported (the periodic log line is skipped when none has). */
    public boolean any() {
        return !checks.isEmpty();
    }

    public NotifyWindow window() {
        return window;
    }

    public ZoneId zone() {
        return window.zone();
    }
}
