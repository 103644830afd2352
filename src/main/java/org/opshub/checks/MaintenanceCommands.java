package org.opshub.checks;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.opshub.checks.MaintenanceStore.Window;
import org.opshub.http.Durations;
import org.opshub.telegram.outbox.ChatTexts;
import org.opshub.telegram.outbox.Html;
import org.opshub.telegram.outbox.Texts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat's {@code /maintenance} command: sets a window on a check or a group ({@code
 * checks.maintenance.<name>}) for a duration, lists the windows, ends one early. Only the users of
 * {@code checks.maintenance-users} may set or end windows (anyone in an allowed chat when it is
 * empty); anyone may list them. Windows are rows of {@link MaintenanceStore}; {@link
 * CheckMaintenance} announces them.
 */
public final class MaintenanceCommands {
    private static final Logger LOG = LoggerFactory.getLogger(MaintenanceCommands.class);
    private final MaintenanceStore store;
    private final List<MaintenancePlan> plans;
    private final Clock clock;
    private final Set<Long> users;
    private final Supplier<Set<String>> checkNames;
    private final ChatTexts chatTexts;
    private final Times time;
    private final Runnable reread;

    /** A time in {@code checks.timezone} as the texts of a language write it. */
    interface Times {
        String at(long epochMs, Texts texts, String lang);
    }

    MaintenanceCommands(
            MaintenanceStore store,
            List<MaintenancePlan> plans,
            Clock clock,
            Set<Long> users,
            Supplier<Set<String>> checkNames,
            ChatTexts chatTexts,
            Times time,
            Runnable reread) {
        this.store = store;
        this.plans = plans;
        this.clock = clock;
        this.users = users;
        this.checkNames = checkNames;
        this.chatTexts = chatTexts;
        this.time = time;
        this.reread = reread;
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
            reread.run();
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
            d = Durations.parse(w[1]);
        } catch (IllegalArgumentException e) {
            return t.t(lang, "maintenance.usage");
        }
        if (d.toMinutes() < 1 || d.toDays() > 30) {
            return t.t(lang, "maintenance.duration");
        }
        long now = clock.millis();
        String reason = w.length > 2 ? w[2].strip() : "";
        long id = store.open("chat", w[0], checks, now, now + d.toMillis(), reason, userName);
        reread.run();
        LOG.info("Maintenance {} of {} set by {} for {}: {}", id, w[0], userName, d, reason);
        return t.t(lang, "maintenance.set", id, Html.escape(w[0]), time.at(now + d.toMillis(), t, lang));
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
                                time.at(w.startsAt(), t, lang),
                                time.at(w.end(), t, lang),
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
                                time.at(p.start().toEpochMilli(), t, lang),
                                time.at(p.end().toEpochMilli(), t, lang),
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
}
