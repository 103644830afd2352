package org.opshub.checks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.ToDoubleFunction;
import org.apache.camel.CamelContext;
import org.opshub.alerts.AlertInbox;
import org.opshub.telegram.outbox.ChatTexts;
import org.opshub.telegram.outbox.ChatTopic;
import org.opshub.telegram.outbox.OutboxStore;
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
    private final List<ChatTopic> chats;
    private final OutboxStore outbox;
    private final HostIdentity host = new HostIdentity();
    private volatile QuietLog quiet;
    private volatile ChatTexts chatTexts = ChatTexts.embedded();

    /**
     * @param chats  the chats (and forum topics) notifications go to; empty: notifications are logged
     *               only (the console chat of the outbox)
     * @param clock  the time used for thresholds, quiet hours and reminders
     */
    public ServiceChecks(
            CamelContext context,
            MeterRegistry registry,
            Clock clock,
            NotifyWindow window,
            List<ChatTopic> chats,
            OutboxStore outbox) {
        this.context = context;
        this.registry = registry;
        this.clock = clock;
        this.window = window;
        this.chats = chats.isEmpty() ? List.of(new ChatTopic(AlertInbox.CONSOLE, 0)) : List.copyOf(chats);
        this.outbox = outbox;
    }

    /**
     * Records a probe of a check (the body of the {@code check-result} route), probed by route
     * {@code routeId} ({@code check-<name>}).
     *
     * @return the notification to send now, or null
     */
    public CheckNotification record(String routeId, Check.Probed probed) {
        Check check = probed.check();
        String name = check.name();
        String type = check.type();
        ProbeResult raw = probed.result();
        // what is shown in /checks, notifications and logs never carries URL credentials or API keys
        ProbeResult result = new ProbeResult(raw.success(), raw.durationSeconds(), Redaction.redact(raw.detail()));
        String target = Redaction.redact(check.target());
        Duration reminder = check.reminder();
        CheckState state = checks.computeIfAbsent(name, n -> new CheckState(n, gauges(n)));
        Instant now = clock.instant();
        synchronized (state) {
            state.type = type;
            state.target = target;
            state.routeId = routeId;
            boolean wasUp = state.up;
            state.probe(result, now, check.failureThreshold(), check.successThreshold());
            if (wasUp != state.up) {
                if (state.up) {
                    LOG.info(
                            "Check {} UP again after {} successful probes: {}",
                            name,
                            state.consecutiveSuccesses,
                            result.detail());
                } else {
                    LOG.warn(
                            "Check {} DOWN after {} failed probes: {}",
                            name,
                            state.consecutiveFailures,
                            result.detail());
                }
            }
            boolean open = window.isOpen(now) || check.urgent();
            QuietLog q = quiet;
            if (!open && q != null && wasUp != state.up) {
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
            CheckNotification.Kind kind = state.due(now, open, reminder);
            if (kind == null) {
                return null;
            }
            return new CheckNotification(
                            kind,
                            name,
                            type,
                            target,
                            result.detail(),
                            state.downSince,
                            now,
                            state.consecutiveFailures,
                            host,
                            window.zone())
                    .withTexts(chatTexts.texts(), "en");
        }
    }

    /** The bot's texts in each chat's language (/language, else {@code telegram.language}). */
    public void languages(ChatTexts chatTexts) {
        this.chatTexts = chatTexts;
    }

    /**
     * Queues the rendered notification for every {@code checks.chats} chat, in its topic and its
     * language: {@code text} ({@code checks.template}) or {@code textRu} ({@code checks.template-ru}).
     */
    public void queue(CheckNotification n, String text, String textRu) {
        String ref =
                "check:" + n.checkName() + ":" + n.kind() + ":" + n.instant().toEpochMilli();
        for (ChatTopic chat : chats) {
            outbox.enqueue(
                    chat.chatId(), chat.threadId(), "check", ref, inLanguageOf(chat, text, textRu), "HTML", null);
        }
        LOG.info("Check {} {}: notification queued for {} chat(s)", n.checkName(), n.getReason(), chats.size());
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
        return q.take(clock.instant(), chats, chatTexts.texts(), n -> {
            CheckState s = checks.get(n);
            if (s == null) {
                return null;
            }
            synchronized (s) {
                return s.up ? null : s.downSince;
            }
        });
    }

    /** Queues a rendered digest (the body) for its chat, blank lines of empty sections dropped. */
    public void queueDigest(Digest digest, String text, String textRu) {
        String tidy = inLanguageOf(digest.chat(), text, textRu)
                .replaceAll("(?m)^[ \t]+$", "")
                .replaceAll("\n{3,}", "\n\n")
                .strip();
        outbox.enqueue(
                digest.chat().chatId(),
                digest.chat().threadId(),
                "check",
                "digest:" + digest.at().toEpochMilli(),
                tidy,
                "HTML",
                null);
        QuietLog q = quiet;
        if (q != null) {
            q.queued();
        }
        LOG.info(
                "Morning digest queued for chat {}: {} check(s) down and back",
                digest.chat(),
                digest.episodes().size());
    }

    /** The Russian text for a chat that reads Russian (when there is one), else the English one. */
    private String inLanguageOf(ChatTopic chat, String text, String textRu) {
        return textRu != null && "ru".equals(chatTexts.lang(chat.chatId())) ? textRu : text;
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
                s.meters.forEach(registry::remove);
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

    private List<Meter> gauges(String name) {
        List<Meter> meters = new ArrayList<>();
        meters.add(Gauge.builder("probe_success", () -> value(name, s -> s.lastSuccess ? 1 : 0))
                .description("1 when the last probe of the check succeeded (blackbox_exporter naming)")
                .tag("check", name)
                .register(registry));
        meters.add(Gauge.builder("probe_duration_seconds", () -> value(name, s -> s.lastDuration))
                .description("How long the last probe of the check took")
                .tag("check", name)
                .baseUnit("seconds")
                .register(registry));
        meters.add(Gauge.builder("check_up", () -> value(name, s -> s.up ? 1 : 0))
                .description("1 = UP, 0 = DOWN: the check's state after failureThreshold/successThreshold")
                .tag("check", name)
                .register(registry));
        meters.add(Gauge.builder("check_consecutive_failures", () -> value(name, s -> s.consecutiveFailures))
                .description("Failed probes in a row (0 after a success)")
                .tag("check", name)
                .register(registry));
        return meters;
    }

    private double value(String name, ToDoubleFunction<CheckState> f) {
        CheckState s = checks.get(name);
        if (s == null) {
            return Double.NaN;
        }
        synchronized (s) {
            return f.applyAsDouble(s);
        }
    }
}
