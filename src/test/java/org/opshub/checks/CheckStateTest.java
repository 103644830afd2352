package org.opshub.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One check's thresholds, notifications and reminders as a state machine on a test clock; no Camel, no store. */
class CheckStateTest {
    private static final Instant T0 = Instant.parse("2026-12-07T08:00:00Z");
    private static final ProbeResult OK = new ProbeResult(true, 0.01, "connected");
    private static final ProbeResult FAIL = new ProbeResult(false, 10, "timeout");

    private final CheckState s = new CheckState("main-db", List.of());

    private CheckNotification.Kind probe(ProbeResult r, int minute, boolean windowOpen) {
        Instant at = T0.plus(Duration.ofMinutes(minute));
        s.probe(r, at, 3, 2);
        return s.due(at, windowOpen, Duration.ofHours(1));
    }

    @Test
    void downOnlyAfterTheFailureThresholdAndRecoveredOnlyAfterTheSuccessThreshold() {
        assertNull(probe(FAIL, 0, true));
        assertNull(probe(FAIL, 1, true));
        assertNull(probe(OK, 2, true), "a success resets the failures");
        assertNull(probe(FAIL, 3, true));
        assertNull(probe(FAIL, 4, true));
        assertEquals(CheckNotification.Kind.DOWN, probe(FAIL, 5, true));
        assertEquals(T0.plus(Duration.ofMinutes(5)), s.downSince);
        assertNull(probe(OK, 6, true), "one success of the two needed");
        assertEquals(CheckNotification.Kind.RECOVERED, probe(OK, 7, true));
        assertTrue(s.up);
    }

    @Test
    void aClosedWindowHoldsTheNotificationAndAFlapWhileClosedNotifiesNothing() {
        for (int m = 0; m < 3; m++) {
            assertNull(probe(FAIL, m, false));
        }
        assertEquals(false, s.up);
        assertEquals(CheckNotification.Kind.DOWN, s.due(T0.plus(Duration.ofMinutes(3)), true, null), "when it opens");

        CheckState flap = new CheckState("flap", List.of());
        for (int m = 0; m < 3; m++) {
            flap.probe(FAIL, T0.plus(Duration.ofMinutes(m)), 3, 1);
        }
        flap.probe(OK, T0.plus(Duration.ofMinutes(4)), 3, 1);
        assertNull(
                flap.due(T0.plus(Duration.ofMinutes(5)), true, null), "down and up again while closed: nothing to say");
    }

    @Test
    void aReminderComesEveryIntervalWhileDown() {
        for (int m = 0; m < 3; m++) {
            probe(FAIL, m, true);
        }
        assertNull(probe(FAIL, 59, true));
        assertEquals(CheckNotification.Kind.REMINDER, probe(FAIL, 62, true));
        assertNull(probe(FAIL, 63, true));
        assertEquals(CheckNotification.Kind.REMINDER, probe(FAIL, 122, true));
    }
}
