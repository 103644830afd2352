package org.opshub.checks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
        List<Window> read = windows();
        for (Window w : read) {
            if (w.holds(t) && w.checks().contains(check)) {
                return w;
            }
        }
        // a configured window that began since the last read holds at once (its row comes with the next tick)
        for (MaintenancePlan p : plans) {
            MaintenancePlan.Occurrence o = p.checks().contains(check) ? p.occurrence(now) : null;
            if (o != null
                    && read.stream()
                            .noneMatch(w -> w.source().equals("config")
                                    && w.target().equals(p.name())
                                    && w.startsAt() == o.start().toEpochMilli())) {
                return new Window(
                        0,
                        "config",
                        p.name(),
                        p.checks(),
                        o.start().toEpochMilli(),
                        o.end().toEpochMilli(),
                        p.reason(),
                        "checks.maintenance." + p.name(),
                        null,
                        false,
                        false,
                        null);
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

    /**
     * Alertmanager created the silence (200 {@code {"silenceID": ...}}): its id is kept for an early
     * end; an answer without one is a refusal.
     */
    public void silenced(Event e, String body) {
        String id = parse(body).path("silenceID").asText("");
        if (id.isEmpty()) {
            refused(e, 200, body);
            return;
        }
        store.silence(e.window().id(), id);
        LOG.info(
                "Maintenance {}: Alertmanager silence {} until its end",
                e.window().id(),
                id);
    }

    /** Alertmanager refused the silence ({@code status}), or did not answer (0): the window holds without one. */
    public void refused(Event e, int status, String body) {
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

    /** The {@code /maintenance} command of the chat. */
    public MaintenanceCommands commands() {
        return new MaintenanceCommands(store, plans, clock, users, checkNames, chatTexts, this::time, this::reread);
    }

    /** Reads the windows again (one was set or ended from the chat). */
    private void reread() {
        windows = store.unfinished();
    }

    /** A time in {@code checks.timezone}, in the format of the language's texts. */
    String time(long epochMs, Texts t, String lang) {
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
