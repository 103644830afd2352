package org.opshub.checks;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.time.format.TextStyle;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * When check notifications may be sent: {@code checks.notify-window} ({@code HH:mm-HH:mm}, end
 * exclusive, {@code 24:00} allowed, a start after the end spans midnight) on
 * {@code checks.notify-days} ({@code MON-FRI}, {@code MON,WED,SAT-SUN}), in {@code zone}. A window
 * spanning midnight belongs to the day it starts on.
 */
public record NotifyWindow(LocalTime start, LocalTime end, boolean untilMidnight, Set<DayOfWeek> days, ZoneId zone) {

    /**
     * Parses the two properties.
     *
     * @throws IllegalArgumentException naming the property when a value is malformed
     */
    public static NotifyWindow parse(String window, String days, ZoneId zone) {
        return parse(window, days, zone, "checks.notify-window", "checks.notify-days");
    }

    /**
     * Parses one schedule property of the form {@code [days] HH:mm-HH:mm} ({@code MON-FRI 07:00-19:00},
     * {@code 22:00-06:00}, {@code SAT-SUN 00:00-24:00}); without days, every day.
     *
     * @param key the property, named in the error
     * @throws IllegalArgumentException naming {@code key} when the value is malformed
     */
    public static NotifyWindow schedule(String spec, ZoneId zone, String key) {
        String[] parts = spec.strip().split("\\s+");
        if (parts.length > 2 || !parts[parts.length - 1].contains(":")) {
            throw new IllegalArgumentException(
                    key + " must be [days] HH:mm-HH:mm, e.g. MON-FRI 07:00-19:00, not " + spec.strip());
        }
        return parse(parts[parts.length - 1], parts.length == 2 ? parts[0] : "", zone, key, key);
    }

    private static NotifyWindow parse(String window, String days, ZoneId zone, String windowKey, String daysKey) {
        String w = window == null || window.isBlank() ? "00:00-24:00" : window.strip();
        String[] hm = w.split("\\s*-\\s*");
        if (hm.length != 2) {
            throw new IllegalArgumentException(windowKey + " must be HH:mm-HH:mm, not " + w);
        }
        LocalTime start;
        LocalTime end;
        boolean midnight = hm[1].equals("24:00");
        try {
            start = LocalTime.parse(hm[0]);
            end = midnight ? LocalTime.MIDNIGHT : LocalTime.parse(hm[1]);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(windowKey + " must be HH:mm-HH:mm, not " + w);
        }
        return new NotifyWindow(
                start, end, midnight, parseDays(days == null || days.isBlank() ? "MON-SUN" : days, daysKey), zone);
    }

    private static Set<DayOfWeek> parseDays(String text, String key) {
        Set<DayOfWeek> out = EnumSet.noneOf(DayOfWeek.class);
        for (String part : text.strip().split("\\s*,\\s*")) {
            String[] range = part.split("\\s*-\\s*");
            if (range.length > 2) {
                throw new IllegalArgumentException(key + ": not a day or range: " + part);
            }
            DayOfWeek from = day(range[0], key);
            DayOfWeek to = day(range[range.length - 1], key);
            for (DayOfWeek d = from; ; d = d.plus(1)) {
                out.add(d);
                if (d == to) {
                    break;
                }
            }
        }
        return out;
    }

    private static DayOfWeek day(String s, String key) {
        for (DayOfWeek d : DayOfWeek.values()) {
            if (d.getDisplayName(TextStyle.SHORT, Locale.ROOT).equalsIgnoreCase(s)
                    || d.name().equalsIgnoreCase(s)) {
                return d;
            }
        }
        throw new IllegalArgumentException(key + ": not a day (MON … SUN): " + s);
    }

    /** Whether a notification may be sent at {@code now}. */
    public boolean isOpen(Instant now) {
        ZonedDateTime t = now.atZone(zone);
        LocalTime time = t.toLocalTime();
        if (untilMidnight || !start.isAfter(end)) {
            boolean inside = !time.isBefore(start) && (untilMidnight || time.isBefore(end));
            return inside && days.contains(t.getDayOfWeek());
        }
        if (!time.isBefore(start)) {
            return days.contains(t.getDayOfWeek());
        }
        return time.isBefore(end) && days.contains(t.getDayOfWeek().minus(1));
    }

    @Override
    public String toString() {
        return start + "-" + (untilMidnight ? "24:00" : end) + " " + days + " " + zone;
    }
}
