package org.opshub.checks;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A configured maintenance window, {@code checks.maintenance.<name>.*}: the checks it holds
 * ({@code .checks}), when (a one-off {@code .start}/{@code .end}, ISO-8601 date-times, local to
 * {@code checks.timezone} unless they carry an offset; or a recurring {@code .schedule}, {@code
 * [days] HH:mm-HH:mm} in {@code checks.timezone}; or neither: a group the chat's {@code
 * /maintenance <name> <duration>} names), {@code .reason}, and {@code .silence-alerts}: Alertmanager
 * matchers ({@code instance=~"pacs.*", job="node"}) of the silence it creates for its duration.
 *
 * @param name     the {@code <name>}
 * @param checks   the check names
 * @param start    a one-off window's start, else null
 * @param end      a one-off window's end, else null
 * @param schedule a recurring window, else null
 * @param reason   shown in the announcements; may be empty
 * @param silence  the matchers of the Alertmanager silence; empty: none
 */
public record MaintenancePlan(
        String name,
        List<String> checks,
        Instant start,
        Instant end,
        NotifyWindow schedule,
        String reason,
        List<SilenceMatcher> silence) {

    /** The keys after {@code checks.maintenance.<name>.}. */
    public static final List<String> KEYS = List.of("checks", "start", "end", "schedule", "reason", "silence-alerts");

    private static final String PREFIX = "checks.maintenance.";
    private static final Pattern MATCHER = Pattern.compile(
            "\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*(=~|!~|!=|=)\\s*(\"((?:[^\"\\\\]|\\\\.)*)\"|[^,}\"]*)\\s*");

    /**
     * One matcher of Alertmanager API v2's postableSilence ({@code matchers[]}: name, value,
     * isRegex, isEqual; github.com/prometheus/alertmanager api/v2/openapi.yaml).
     */
    public record SilenceMatcher(String name, String value, boolean isRegex, boolean isEqual) {}

    /** One occurrence: {@code [start, end)}. */
    public record Occurrence(Instant start, Instant end) {}

    /**
     * The occurrence holding at {@code now}, or null. A recurring window spanning midnight belongs
     * to the day it starts on; its local times are placed in the zone as {@link ZonedDateTime#of}
     * does (a time in a DST gap moves forward by the gap, a time in an overlap takes the earlier offset).
     */
    public Occurrence occurrence(Instant now) {
        if (start != null) {
            return !now.isBefore(start) && now.isBefore(end) ? new Occurrence(start, end) : null;
        }
        if (schedule == null) {
            return null;
        }
        ZoneId zone = schedule.zone();
        LocalDate today = now.atZone(zone).toLocalDate();
        for (LocalDate day : List.of(today, today.minusDays(1))) {
            if (!schedule.days().contains(day.getDayOfWeek())) {
                continue;
            }
            ZonedDateTime from = ZonedDateTime.of(day, schedule.start(), zone);
            boolean nextDay = schedule.untilMidnight() || !schedule.end().isAfter(schedule.start());
            ZonedDateTime to = ZonedDateTime.of(nextDay ? day.plusDays(1) : day, schedule.end(), zone);
            if (!now.isBefore(from.toInstant()) && now.isBefore(to.toInstant())) {
                return new Occurrence(from.toInstant(), to.toInstant());
            }
        }
        return null;
    }

    /** Whether the plan has a time of its own (else it is a group for the chat's /maintenance only). */
    public boolean timed() {
        return start != null || schedule != null;
    }

    /**
     * The plans among {@code keys} ({@code checks.maintenance.<name>.*}).
     *
     * @param checkNames the checks of the route files
     * @throws IllegalArgumentException naming the property of a missing, unknown or malformed value
     */
    public static List<MaintenancePlan> from(
            Set<String> keys, Function<String, String> property, ZoneId zone, Set<String> checkNames) {
        Map<String, MaintenancePlan> out = new TreeMap<>();
        for (String key : keys) {
            if (!key.startsWith(PREFIX) || key.lastIndexOf('.') <= PREFIX.length()) {
                continue;
            }
            String name = key.substring(PREFIX.length(), key.lastIndexOf('.'));
            if (out.containsKey(name)) {
                continue;
            }
            String p = PREFIX + name + ".";
            List<String> checks = CheckGraph.names(value(property, p + "checks"));
            if (checks.isEmpty()) {
                throw new IllegalArgumentException(p + "checks must name at least one check");
            }
            for (String c : checks) {
                if (!checkNames.contains(c)) {
                    throw new IllegalArgumentException(p + "checks names " + c + ", which is not a check");
                }
            }
            String startText = value(property, p + "start");
            String endText = value(property, p + "end");
            String scheduleText = value(property, p + "schedule");
            if (startText.isEmpty() != endText.isEmpty()) {
                throw new IllegalArgumentException(p + "start and " + p + "end go together");
            }
            if (!startText.isEmpty() && !scheduleText.isEmpty()) {
                throw new IllegalArgumentException(p + "schedule or " + p + "start/.end, not both");
            }
            Instant start = startText.isEmpty() ? null : instant(startText, zone, p + "start");
            Instant end = endText.isEmpty() ? null : instant(endText, zone, p + "end");
            if (start != null && !end.isAfter(start)) {
                throw new IllegalArgumentException(p + "end must be after " + p + "start");
            }
            NotifyWindow schedule =
                    scheduleText.isEmpty() ? null : NotifyWindow.schedule(scheduleText, zone, p + "schedule");
            out.put(
                    name,
                    new MaintenancePlan(
                            name,
                            checks,
                            start,
                            end,
                            schedule,
                            value(property, p + "reason"),
                            matchers(value(property, p + "silence-alerts"), p + "silence-alerts")));
        }
        return List.copyOf(out.values());
    }

    /**
     * Alertmanager's matcher list, {@code {a="1", b=~"x.*"}} or {@code a=1,b!=2} (braces and quotes
     * optional); blank: none.
     *
     * @throws IllegalArgumentException naming {@code key}
     */
    public static List<SilenceMatcher> matchers(String text, String key) {
        String t = text.strip();
        if (t.startsWith("{") && t.endsWith("}")) {
            t = t.substring(1, t.length() - 1).strip();
        }
        List<SilenceMatcher> out = new ArrayList<>();
        if (t.isEmpty()) {
            return out;
        }
        Matcher m = MATCHER.matcher(t);
        int at = 0;
        while (at < t.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException(
                        key + ": not a matcher list (name=\"value\", name=~\"regex\", …): " + t);
            }
            String op = m.group(2);
            String value = m.group(4) != null
                    ? m.group(4).replaceAll("\\\\(.)", "$1")
                    : m.group(3).strip();
            if (op.endsWith("~")) {
                try {
                    Pattern.compile(value);
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(
                            key + ": " + m.group(1) + " is not a regular expression: " + value);
                }
            }
            out.add(new SilenceMatcher(m.group(1), value, op.endsWith("~"), !op.startsWith("!")));
            at = m.end();
            if (at < t.length()) {
                if (t.charAt(at) != ',') {
                    throw new IllegalArgumentException(key + ": matchers are separated by commas: " + t);
                }
                at++;
            }
        }
        if (out.stream()
                .noneMatch(x -> x.isEqual()
                        && !(x.isRegex() ? ".*" : "").equals(x.value())
                        && !x.value().isEmpty())) {
            throw new IllegalArgumentException(key + ": at least one matcher must match a non-empty value");
        }
        return List.copyOf(out);
    }

    private static Instant instant(String text, ZoneId zone, String key) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeException e) {
            try {
                return LocalDateTime.parse(text).atZone(zone).toInstant();
            } catch (DateTimeException e2) {
                throw new IllegalArgumentException(
                        key + " must be an ISO-8601 date-time such as 2026-12-24T22:00, not " + text);
            }
        }
    }

    private static String value(Function<String, String> property, String key) {
        return Objects.requireNonNullElse(property.apply(key), "").strip();
    }
}
