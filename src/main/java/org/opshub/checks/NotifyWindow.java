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
        String w = window == null || window.isBlank() ? "00:00-24:00" : window.strip();
        String[] hm = w.split("\\s*-\\s*");
        if (hm.length != 2) {
            throw new IllegalArgumentException("checks.notify-window must be HH:mm-HH:mm, not " + w);
        }
        LocalTime start;
        LocalTime end;
        boolean midnight = hm[1].equals("24:00");
        try {
            start = LocalTime.parse(hm[0]);
            end = midnight ? LocalTime.MIDNIGHT : LocalTime.parse(hm[1]);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("checks.notify-window must be HH:mm-HH:mm, not " + w);
        }
        return new NotifyWindow(
                start, end, midnight, parseDays(days == null || days.isBlank() ? "MON-SUN" : days), zone);
    }

    private static Set<DayOfWeek> parseDays(String text) {
        Set<DayOfWeek> out = EnumSet.noneOf(DayOfWeek.class);
        for (String part : text.strip().split("\\s*,\\s*")) {
            String[] range = part.split("\\s*-\\s*");
            if (range.length > 2) {
                throw new IllegalArgumentException("checks.notify-days: not a day or range: " + part);
            }
            DayOfWeek from = day(range[0]);
            DayOfWeek to = day(range[range.length - 1]);
            for (DayOfWeek d = from; ; d = d.plus(1)) {
                out.add(d);
                if (d == to) {
                    break;
                }
            }
        }
        return out;
    }

    private static DayOfWeek day(String s) {
        for (DayOfWeek d : DayOfWeek.values()) {
            if (d.getDisplayName(TextStyle.SHORT, Locale.ROOT).equalsIgnoreCase(s)
                    || d.name().equalsIgnoreCase(s)) {
                return d;
            }
        }
        throw new IllegalArgumentException("checks.notify-days: not a day (MON … SUN): " + s);
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
