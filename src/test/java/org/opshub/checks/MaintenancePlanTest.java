package org.opshub.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.opshub.checks.MaintenancePlan.Occurrence;
import org.opshub.checks.MaintenancePlan.SilenceMatcher;

/** Configured maintenance windows: parsing, and when a window holds (DST included), without a hub. */
class MaintenancePlanTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final Set<String> CHECKS = Set.of("pacs-echo", "pacs-web", "ris");

    private static List<MaintenancePlan> plans(Map<String, String> props) {
        return MaintenancePlan.from(props.keySet(), props::get, BERLIN, CHECKS);
    }

    private static MaintenancePlan plan(String... kv) {
        Map<String, String> p = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            p.put("checks.maintenance.nightly." + kv[i], kv[i + 1]);
        }
        return plans(p).get(0);
    }

    @Test
    void aRecurringWindowAcrossMidnightHoldsByTheWallClockThroughTheSpringDstChange() {
        // Saturday 23:00 to 03:30: on 2026-03-29 Berlin skips 02:00-03:00 (CET → CEST)
        MaintenancePlan p = plan("checks", "pacs-echo,pacs-web", "schedule", "SAT 23:00-03:30");
        Occurrence o = p.occurrence(Instant.parse("2026-03-28T22:30:00Z")); // Sat 23:30 CET
        assertEquals(Instant.parse("2026-03-28T22:00:00Z"), o.start(), "23:00 CET");
        assertEquals(Instant.parse("2026-03-29T01:30:00Z"), o.end(), "03:30 CEST");
        assertEquals(Duration.ofMinutes(210), Duration.between(o.start(), o.end()), "an hour shorter than 4h30");
        assertEquals(o, p.occurrence(Instant.parse("2026-03-29T00:59:00Z")), "01:59 CET, the night's window");
        assertEquals(o, p.occurrence(Instant.parse("2026-03-29T01:00:00Z")), "03:00 CEST, just after the jump");
        assertNull(p.occurrence(Instant.parse("2026-03-29T01:30:00Z")), "03:30 CEST: over");
        assertNull(p.occurrence(Instant.parse("2026-03-28T21:59:00Z")), "22:59 CET Saturday: not yet");
        assertNull(p.occurrence(Instant.parse("2026-03-27T22:30:00Z")), "Friday night: not a SAT window");
    }

    @Test
    void aRecurringWindowAcrossMidnightHoldsByTheWallClockThroughTheAutumnDstChange() {
        // on 2026-10-25 Berlin repeats 02:00-03:00 (CEST → CET): 01:00-03:30 lasts 3h30
        MaintenancePlan p = plan("checks", "ris", "schedule", "SAT-SUN 22:00-03:30", "reason", "backup");
        Occurrence o = p.occurrence(Instant.parse("2026-10-25T01:30:00Z")); // 02:30 CET, the second pass
        assertEquals(Instant.parse("2026-10-24T20:00:00Z"), o.start(), "Saturday 22:00 CEST");
        assertEquals(Instant.parse("2026-10-25T02:30:00Z"), o.end(), "Sunday 03:30 CET");
        assertEquals(Duration.ofMinutes(390), Duration.between(o.start(), o.end()));
        assertEquals("backup", p.reason());
        Occurrence sunday = p.occurrence(Instant.parse("2026-10-25T21:30:00Z")); // Sunday 22:30 CET
        assertEquals(Instant.parse("2026-10-25T21:00:00Z"), sunday.start());
        assertNull(p.occurrence(Instant.parse("2026-10-26T21:30:00Z")), "Monday: not in SAT-SUN");
    }

    @Test
    void aOneOffWindowIsLocalToTheZoneUnlessItHasAnOffset() {
        MaintenancePlan p = plan("checks", "pacs-echo", "start", "2026-12-24T22:00", "end", "2026-12-25T02:00+01:00");
        assertEquals(Instant.parse("2026-12-24T21:00:00Z"), p.start());
        assertEquals(Instant.parse("2026-12-25T01:00:00Z"), p.end());
        assertNull(p.occurrence(Instant.parse("2026-12-24T20:59:59Z")));
        assertEquals(new Occurrence(p.start(), p.end()), p.occurrence(Instant.parse("2026-12-24T23:00:00Z")));
        assertNull(p.occurrence(p.end()));
        MaintenancePlan group = plan("checks", "pacs-echo pacs-web");
        assertEquals(List.of("pacs-echo", "pacs-web"), group.checks());
        assertNull(group.occurrence(Instant.now()), "a group without times holds only when set from the chat");
    }

    @Test
    void silenceMattersAreAlertmanagersMatchers() {
        MaintenancePlan p =
                plan("checks", "pacs-echo", "silence-alerts", "{instance=~\"pacs-.*\", job=\"node\", env!=dev}");
        assertEquals(
                List.of(
                        new SilenceMatcher("instance", "pacs-.*", true, true),
                        new SilenceMatcher("job", "node", false, true),
                        new SilenceMatcher("env", "dev", false, false)),
                p.silence());
    }

    @Test
    void badValuesAreRefusedNamingTheProperty() {
        assertEquals(
                "checks.maintenance.nightly.checks names pacs, which is not a check",
                assertThrows(IllegalArgumentException.class, () -> plan("checks", "pacs"))
                        .getMessage());
        assertEquals(
                "checks.maintenance.nightly.checks must name at least one check",
                assertThrows(IllegalArgumentException.class, () -> plan("reason", "x"))
                        .getMessage());
        assertEquals(
                "checks.maintenance.nightly.start and checks.maintenance.nightly.end go together",
                assertThrows(IllegalArgumentException.class, () -> plan("checks", "ris", "start", "2026-12-24T22:00"))
                        .getMessage());
        assertEquals(
                "checks.maintenance.nightly.end must be after checks.maintenance.nightly.start",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> plan("checks", "ris", "start", "2026-12-24T22:00", "end", "2026-12-24T21:00"))
                        .getMessage());
        assertEquals(
                "checks.maintenance.nightly.start must be an ISO-8601 date-time such as 2026-12-24T22:00, not tonight",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> plan("checks", "ris", "start", "tonight", "end", "2026-12-24T21:00"))
                        .getMessage());
        assertEquals(
                "checks.maintenance.nightly.schedule must be [days] HH:mm-HH:mm, e.g. MON-FRI 07:00-19:00, not sundays",
                assertThrows(IllegalArgumentException.class, () -> plan("checks", "ris", "schedule", "sundays"))
                        .getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> plan("checks", "ris", "silence-alerts", "instance=~\"(pacs\""),
                "a matcher's regular expression must compile");
        assertEquals(
                "checks.maintenance.nightly.silence-alerts: at least one matcher must match a non-empty value",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> plan("checks", "ris", "silence-alerts", "job=~\".*\""))
                        .getMessage());
    }
}
