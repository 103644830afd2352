package org.opshub.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class NotifyWindowTest {
    private static final ZoneId MOSCOW = ZoneId.of("Europe/Moscow");

    @Test
    void dayWindowIsEndExclusiveInItsZone() {
        NotifyWindow w = NotifyWindow.parse("07:00-20:00", "MON-SUN", MOSCOW);
        assertFalse(w.isOpen(Instant.parse("2026-11-23T03:59:59Z")), "06:59:59 MSK");
        assertTrue(w.isOpen(Instant.parse("2026-11-23T04:00:00Z")), "07:00 MSK");
        assertTrue(w.isOpen(Instant.parse("2026-11-23T16:59:59Z")), "19:59:59 MSK");
        assertFalse(w.isOpen(Instant.parse("2026-11-23T17:00:00Z")), "20:00 MSK");
    }

    @Test
    void daysAndRangesIncludingOnesThatWrapTheWeek() {
        NotifyWindow weekdays = NotifyWindow.parse("00:00-24:00", "MON-FRI", ZoneId.of("UTC"));
        assertTrue(weekdays.isOpen(Instant.parse("2026-11-27T23:59:00Z")), "Friday");
        assertFalse(weekdays.isOpen(Instant.parse("2026-11-28T12:00:00Z")), "Saturday");
        NotifyWindow weekend = NotifyWindow.parse("00:00-24:00", "SAT-SUN, wed", ZoneId.of("UTC"));
        assertTrue(weekend.isOpen(Instant.parse("2026-11-29T12:00:00Z")), "Sunday");
        assertTrue(weekend.isOpen(Instant.parse("2026-11-25T12:00:00Z")), "Wednesday");
        assertFalse(weekend.isOpen(Instant.parse("2026-11-24T12:00:00Z")), "Tuesday");
        NotifyWindow wrap = NotifyWindow.parse("00:00-24:00", "FRI-MON", ZoneId.of("UTC"));
        assertTrue(wrap.isOpen(Instant.parse("2026-11-23T12:00:00Z")), "Monday");
        assertFalse(wrap.isOpen(Instant.parse("2026-11-24T12:00:00Z")), "Tuesday");
    }

    @Test
    void aNightWindowBelongsToTheDayItStarts() {
        NotifyWindow nights = NotifyWindow.parse("22:00-06:00", "FRI", ZoneId.of("UTC"));
        assertTrue(nights.isOpen(Instant.parse("2026-11-27T23:00:00Z")), "Friday 23:00");
        assertTrue(nights.isOpen(Instant.parse("2026-11-28T05:59:00Z")), "Saturday 05:59, Friday's night");
        assertFalse(nights.isOpen(Instant.parse("2026-11-28T06:00:00Z")), "Saturday 06:00");
        assertFalse(nights.isOpen(Instant.parse("2026-11-27T05:00:00Z")), "Friday 05:00 is Thursday's night");
        assertFalse(nights.isOpen(Instant.parse("2026-11-28T23:00:00Z")), "Saturday 23:00");
    }

    @Test
    void emptyMeansAlwaysAndBadValuesNameTheProperty() {
        assertTrue(NotifyWindow.parse("", "", ZoneId.of("UTC")).isOpen(Instant.parse("2026-11-29T03:00:00Z")));
        assertEquals(
                "checks.notify-window must be HH:mm-HH:mm, not 7-20",
                assertThrows(IllegalArgumentException.class, () -> NotifyWindow.parse("7-20", "MON", MOSCOW))
                        .getMessage());
        assertEquals(
                "checks.notify-days: not a day (MON … SUN): MOON",
                assertThrows(IllegalArgumentException.class, () -> NotifyWindow.parse("07:00-20:00", "MOON", MOSCOW))
                        .getMessage());
    }
}
