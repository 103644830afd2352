package org.opshub.pacs;

import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * The studies a forwarding check compares: {@code today} (the calendar day in
 * {@code pacs.timezone}) or a rolling ISO-8601 duration such as {@code PT24H}.
 *
 * <p>Both become one StudyDate range for the C-FIND (PS3.4 §C.2.2.2.5 range matching); a
 * rolling window is then cut to the exact instant locally, because StudyDate and StudyTime
 * ranges match independently.
 */
public final class StudyWindow {
    private static final DateTimeFormatter DA = DateTimeFormatter.BASIC_ISO_DATE;
    private final Duration rolling; // null = today

    private StudyWindow(Duration rolling) {
        this.rolling = rolling;
    }

    /**
     * Parses {@code today} or a positive ISO-8601 duration.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static StudyWindow parse(String spec) {
        String s = spec == null ? "" : spec.trim();
        if (s.isEmpty() || s.equalsIgnoreCase("today")) {
            return new StudyWindow(null);
        }
        try {
            Duration d = Duration.parse(s);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("window " + spec + " must be positive");
            }
            return new StudyWindow(d);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "window '" + spec + "' is neither 'today' nor an ISO-8601 duration such as PT24H");
        }
    }

    /** The StudyDate matching value for the C-FIND: {@code YYYYMMDD} or {@code YYYYMMDD-YYYYMMDD}. */
    public String studyDateKey(ZonedDateTime now) {
        LocalDate end = now.toLocalDate();
        if (rolling == null) {
            return DA.format(end);
        }
        LocalDate start = now.minus(rolling).toLocalDate();
        return start.equals(end) ? DA.format(end) : DA.format(start) + "-" + DA.format(end);
    }

    /**
     * Whether a study answered by the date-range query lies in the window. For {@code today}
     * every answer does; for a rolling window a study on a boundary day is cut by its StudyTime
     * (kept when it has none).
     */
    public boolean contains(StudyRecord study, ZonedDateTime now) {
        if (rolling == null) {
            return true;
        }
        LocalDate date;
        try {
            date = LocalDate.parse(study.studyDate(), DA);
        } catch (RuntimeException e) {
            return true;
        }
        LocalTime time = parseTime(study.studyTime());
        if (time == null) {
            return true;
        }
        LocalDateTime at = LocalDateTime.of(date, time);
        LocalDateTime from = now.minus(rolling).toLocalDateTime();
        return !at.isBefore(from) && !at.isAfter(now.toLocalDateTime());
    }

    /**
     * Whether any study (found by StudyInstanceUID, whatever its date) lies in the window: its
     * StudyDate within the window's days, then {@link #contains}. A study without a readable
     * StudyDate counts as inside.
     */
    public boolean includes(StudyRecord study, ZonedDateTime now) {
        LocalDate date;
        try {
            date = LocalDate.parse(study.studyDate(), DA);
        } catch (RuntimeException e) {
            return true;
        }
        LocalDate end = now.toLocalDate();
        LocalDate start = rolling == null ? end : now.minus(rolling).toLocalDate();
        return !date.isBefore(start) && !date.isAfter(end) && contains(study, now);
    }

    /** TM value (PS3.5 Table 6.2-1: HH, HHMM, HHMMSS, HHMMSS.F…) or {@code null}. */
    static LocalTime parseTime(String tm) {
        if (tm == null) {
            return null;
        }
        String t = tm.replace(":", "").trim();
        try {
            int h = Integer.parseInt(t.substring(0, 2));
            int m = t.length() >= 4 ? Integer.parseInt(t.substring(2, 4)) : 0;
            int s = t.length() >= 6 ? Integer.parseInt(t.substring(4, 6)) : 0;
            return LocalTime.of(h, m, Math.min(s, 59));
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return rolling == null ? "today" : rolling.toString();
    }
}
