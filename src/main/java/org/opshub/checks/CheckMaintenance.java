package org.opshub.checks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.opshub.checks.MaintenancePlan.SilenceMatcher;
import org.opshub.checks.MaintenanceStore.Window;
import org.opshub.telegram.outbox.ChatTexts;
import org.opshub.telegram.outbox.ChatTopic;
import org.opshub.telegram.outbox.Html;
import org.opshub.telegram.outbox.OutboxStore;
import org.opshub.telegram.outbox.Texts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maintenance windows of service checks (bean {@code checkMaintenance}): the configured ones
 * ({@link MaintenancePlan}) and those set from the chat ({@code /maintenance}), kept in {@link
 * MaintenanceStore}. During a window its checks probe and notify nothing; its start and end are
 * announced once in {@code checks.chats}. The {@code checks-maintenance} route calls {@link #tick}
 * every {@code checks.maintenance-interval} on the lease holder and carries out what it returns
 * (announcements, Alertmanager silences, the notifications due at a window's end).
 */
public final class CheckMaintenance {
    private static final Logger LOG = LoggerFactory.getLogger(CheckMaintenance.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final MaintenanceStore store;
    private final List<MaintenancePlan> plans;
    private final Clock clock;
    private final ZoneId zone;
    private final List<ChatTopic> chats;
    private final OutboxStore outbox;
    private final Set<Long> users;
    private final Supplier<Set<String>> checkNames;
    /** The unfinished windows as last read; null until the first read. */
    private volatile List<Window> windows;

    private volatile ChatTexts chatTexts = ChatTexts.embedded();

    /**
     * A window starting or ending, for the route.
     *
     * @param start   true: it starts, false: it ends
     * @param window  the window
     * @param silence the matchers of its Alertmanager silence (its group's {@code silence-alerts}); empty: none
     */
    public record Event(boolean start, Window window, List<SilenceMatcher> silence) {
        /** Whether an Alertmanager silence is to be created now (a start with matchers). */
        public boolean createsSilence() {
            return start && !silence.isEmpty() && window.silenceId() == null;
        }

        /** Whether its silence is to be expired now (ended early; one that ran out expires by itself). */
        public boolean expiresSilence() {
            return !start && window.silenceId() != null && window.endedAt() != null;
        }

        /** The silence id (for the DELETE path). */
        public String silenceId() {
            return window.silenceId();
        }
    }

    /**
     * @param users      Telegram user ids that may set and end windows ({@code checks.maintenance-users}); empty: anyone in an allowed chat
     * @param checkNames the checks running now (for the chat's names)
     */
    public CheckMaintenance(
            MaintenanceStore store,
            List<MaintenancePlan> plans,
            Clock clock,
            ZoneId zone,
            List<ChatTopic> chats,
            OutboxStore outbox,
            Set<Long> users,
            Supplier<Set<String>> checkNames) {
        this.store = store;
        this.plans = List.copyOf(plans);
        this.clock = clock;
        this.zone = zone;
        this.chats = chats;
        this.outbox = outbox;
        this.users = Set.copyOf(users);
        this.checkNames = checkNames;
    }

    /** The bot's texts in each chat's language. */
    public void languages(ChatTexts chatTexts) {
        this.chatTexts = chatTexts;
    }

    /** The window holding {@code check} at {@code now}, or null (as last read by {@link #tick} or a command). */
    public Window holding(String check, Instant now) {
        long t = now.toEpochMilli();
        for (Window w : windows()) {
            if (w.holds(t) && w.checks().contains(check)) {
                return w;
            }
        }
        return null;
    }

    /**
     * Opens the occurrences of configured windows that hold now, reads every unfinished window and
     * returns the starts and ends to announce (each marked announced: once, on any hub).
     */
    public List<Event> tick() {
        long now = clock.millis();
        for (MaintenancePlan p : plans) {
            MaintenancePlan.Occurrence o = p.occurrence(Instant.ofEpochMilli(now));
            if (o != null) {
                store.occurrence(
                        p.name(), p.checks(), o.start().toEpochMilli(), o.end().toEpochMilli(), p.reason());
            }
        }
        List<Window> unfinished = store.unfinished();
        windows = unfinished;
        List<Event> events = new ArrayList<>();
        for (Window w : unfinished) {
            if (w.holds(now) && !w.startAnnounced()) {
                store.startAnnounced(w.id());
                events.add(new Event(true, w, silence(w)));
            } else if (now >= w.end()) {
                store.endAnnounced(w.id());
                if (w.startAnnounced()) {
                    events.add(new Event(false, w, silence(w)));
                }
            }
        }
        return events;
    }

    /** The windows as last read; read now the first time (a probe right after a restart sees them). */
    private List<Window> windows() {
        List<Window> w = windows;
        if (w == null) {
            w = store.unfinished();
            windows = w;
        }
        return w;
    }

    private List<SilenceMatcher> silence(Window w) {
        return plans.stream()
                .filter(p -> p.name().equals(w.target()))
                .findFirst()
                .map(MaintenancePlan::silence)
                .orElse(List.of());
    }

    /** Queues the announcement of a start or an end in every {@code checks.chats} chat, in its language. */
    public void announce(Event e) {
        Window w = e.window();
        for (ChatTopic chat : chats) {
            String lang = chatTexts.lang(chat.chatId());
            Texts t = chatTexts.texts();
            String reason = w.reason().isEmpty() ? "" : t.t(lang, "maintenance.reason", Html.escape(w.reason()));
            String text = e.start()
                    ? t.t(
                            lang,
                            "maintenance.start",
                            w.id(),
                            Html.escape(w.target()),
                            time(w.startsAt(), t, lang),
                            time(w.endsAt(), t, lang),
                            reason,
                            Html.escape(String.join(", ", w.checks())))
                    : t.t(lang, "maintenance.end", w.id(), Html.escape(w.target()), time(w.end(), t, lang));
            outbox.enqueue(
                    chat.chatId(),
                    chat.threadId(),
                    "check",
                    "maintenance:" + w.id() + ":" + e.start(),
                    text,
                    "HTML",
                    null);
        }
        LOG.info(
                "Maintenance {} of {} {}: {}",
                w.id(),
                w.target(),
                e.start() ? "starts" : "ends",
                String.join(",", w.checks()));
    }

    /** The body of {@code POST /api/v2/silences} for a starting window: its matchers, until its end. */
    public String postableSilence(Event e) {
        Window w = e.window();
        ObjectNode s = JSON.createObjectNode();
        ArrayNode matchers = s.putArray("matchers");
        for (SilenceMatcher m : e.silence()) {
            matchers.addObject()
                    .put("name", m.name())
                    .put("value", m.value())
                    .put("isRegex", m.isRegex())
                    .put("isEqual", m.isEqual());
        }
        s.put("startsAt", Instant.ofEpochMilli(clock.millis()).toString());
        s.put("endsAt", Instant.ofEpochMilli(w.endsAt()).toString());
        s.put("createdBy", w.createdBy());
        // opshub:maintenance:<id> <target> - <reason>, as Alertmanager's UI lists it
        s.put(
                "comment",
                "opshub:maintenance:" + w.id() + " " + w.target() + (w.reason().isEmpty() ? "" : " - " + w.reason()));
        return s.toString();
    }

    /** Alertmanager answered the silence: 200 {@code {"silenceID": ...}} is kept for an early end. */
    public void silenced(Event e, int status, String body) {
        if (status == 200) {
            String id = parse(body).path("silenceID").asText("");
            if (!id.isEmpty()) {
                store.silence(e.window().id(), id);
                LOG.info(
                        "Maintenance {}: Alertmanager silence {} until its end",
                        e.window().id(),
                        id);
                return;
            }
        }
        LOG.warn(
                "Maintenance {}: Alertmanager did not create the silence ({}): {}",
                e.window().id(),
                status == 0 ? "unreachable" : status,
                Redaction.redact(body == null ? "" : body.length() > 300 ? body.substring(0, 300) : body));
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body == null ? "" : body);
        } catch (Exception ex) {
            return JSON.createObjectNode();
        }
    }

    /**
     * {@code /maintenance} from a chat: {@code <check|group> <duration> [reason]}, {@code list},
     * {@code end <id>}; anything else gives the usage.
     *
     * @param from the Telegram user who sent it (the message's {@code from}: id, first_name, username)
     * @return the reply (HTML)
     */
    public String command(String args, JsonNode from, String lang) {
        long userId = from.path("id").asLong();
        String username = from.path("username").asText("");
        String userName = from.path("first_name").asText("user") + (username.isEmpty() ? "" : " @" + username) + " [id "
                + userId + "]";
        Texts t = chatTexts.texts();
        String[] w = args.strip().split("\\s+", 3);
        if (w[0].equalsIgnoreCase("list")) {
            return list(t, lang);
        }
        if (!users.isEmpty() && !users.contains(userId)) {
            return t.t(lang, "maintenance.denied");
        }
        if (w[0].equalsIgnoreCase("end") && w.length == 2) {
            long id;
            try {
                id = Long.parseLong(w[1]);
            } catch (NumberFormatException e) {
                return t.t(lang, "maintenance.usage");
            }
            boolean ended = store.end(id, clock.millis());
            windows = store.unfinished();
            LOG.info("Maintenance {} {} by {}", id, ended ? "ended" : "not ended (unknown or over)", userName);
            return ended ? t.t(lang, "maintenance.ended", id) : t.t(lang, "maintenance.unknown", id);
        }
        if (w.length < 2 || w[0].isEmpty()) {
            return t.t(lang, "maintenance.usage");
        }
        List<String> checks = resolve(w[0]);
        if (checks.isEmpty()) {
            return t.t(lang, "maintenance.nothing", Html.escape(w[0]));
        }
        Duration d;
        try {
            d = org.opshub.http.Durations.parse(w[1]);
        } catch (IllegalArgumentException e) {
            return t.t(lang, "maintenance.usage");
        }
        if (d.toMinutes() < 1 || d.toDays() > 30) {
            return t.t(lang, "maintenance.duration");
        }
        long now = clock.millis();
        String reason = w.length > 2 ? w[2].strip() : "";
        long id = store.open("chat", w[0], checks, now, now + d.toMillis(), reason, userName);
        windows = store.unfinished();
        LOG.info("Maintenance {} of {} set by {} for {}: {}", id, w[0], userName, d, reason);
        return t.t(lang, "maintenance.set", id, Html.escape(w[0]), time(now + d.toMillis(), t, lang));
    }

    /** The checks of a group ({@code checks.maintenance.<name>}) or the one check of that name; else empty. */
    private List<String> resolve(String name) {
        for (MaintenancePlan p : plans) {
            if (p.name().equals(name)) {
                return p.checks();
            }
        }
        return checkNames.get().contains(name) ? List.of(name) : List.of();
    }

    private String list(Texts t, String lang) {
        long now = clock.millis();
        Map<Long, String> lines = new TreeMap<>();
        for (Window w : store.unfinished()) {
            if (now < w.end()) {
                lines.put(
                        w.id(),
                        t.t(
                                lang,
                                w.holds(now) ? "maintenance.item" : "maintenance.item.ahead",
                                w.id(),
                                Html.escape(w.target()),
                                time(w.startsAt(), t, lang),
                                time(w.end(), t, lang),
                                Html.escape(w.reason()),
                                Html.escape(w.createdBy())));
            }
        }
        for (MaintenancePlan p : plans) {
            if (p.start() != null && now < p.start().toEpochMilli()) {
                lines.put(
                        Long.MAX_VALUE - 1000 - lines.size(),
                        t.t(
                                lang,
                                "maintenance.item.planned",
                                Html.escape(p.name()),
                                time(p.start().toEpochMilli(), t, lang),
                                time(p.end().toEpochMilli(), t, lang),
                                Html.escape(p.reason())));
            }
            if (p.schedule() != null) {
                lines.put(
                        Long.MAX_VALUE - lines.size(),
                        t.t(
                                lang,
                                "maintenance.item.recurring",
                                Html.escape(p.name()),
                                Html.escape(p.schedule().toString())));
            }
        }
        return lines.isEmpty()
                ? t.t(lang, "maintenance.none")
                : t.t(lang, "maintenance.title") + "\n" + String.join("\n", lines.values());
    }

    private String time(long epochMs, Texts t, String lang) {
        return DateTimeFormatter.ofPattern(t.t(lang, "format.datetime"), Texts.locale(lang))
                .format(Instant.ofEpochMilli(epochMs).atZone(zone));
    }

    /** {@code GET /checks}: the windows holding now and ahead ({@code id, target, checks, start, end, reason}). */
    public List<Map<String, Object>> snapshot() {
        long now = clock.millis();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Window w : windows()) {
            if (now < w.end()) {
                out.add(Map.of(
                        "id", w.id(),
                        "target", w.target(),
                        "checks", w.checks(),
                        "start",
                                Instant.ofEpochMilli(w.startsAt())
                                        .atZone(zone)
                                        .toOffsetDateTime()
                                        .toString(),
                        "end",
                                Instant.ofEpochMilli(w.end())
                                        .atZone(zone)
                                        .toOffsetDateTime()
                                        .toString(),
                        "reason", w.reason(),
                        "holds", w.holds(now)));
            }
        }
        return out;
    }
}
