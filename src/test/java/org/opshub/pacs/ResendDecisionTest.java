package org.opshub.pacs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The automatic re-send's decision as a function of the gaps, the move history and the clock; no PACS, no database. */
class ResendDecisionTest {
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    private static final ForwardingCheck.Resend RESEND =
            new ForwardingCheck.Resend("DST", true, 3, Duration.ofMinutes(15), 10);

    private static Reconciliation.Gap gap(String uid, Duration seenAgo) {
        StudyRecord s = new StudyRecord(uid, "20261207", "100000", "ACC-" + uid, "CT", null, 10, null, null);
        return new Reconciliation.Gap(s, null, NOW.minus(seenAgo));
    }

    private static List<String> due(List<Reconciliation.Gap> gaps, Map<String, long[]> history) {
        return PacsResends.due(gaps, () -> history, NOW, RESEND).stream()
                .map(g -> g.study().studyInstanceUid())
                .toList();
    }

    @Test
    void aStudyIsMovedOnceItIsOldEnoughInTheOrderItWasFirstSeen() {
        assertEquals(
                List.of("1.1", "1.3"),
                due(
                        List.of(
                                gap("1.1", Duration.ofHours(2)),
                                gap("1.2", Duration.ofMinutes(14)),
                                gap("1.3", Duration.ofMinutes(15))),
                        Map.of()));
    }

    @Test
    void aStudyMovedMaxAttemptsTimesOrLessThanMinAgeAgoWaits() {
        long longAgo = NOW.minus(Duration.ofHours(1)).toEpochMilli();
        long justNow = NOW.minus(Duration.ofMinutes(5)).toEpochMilli();
        assertEquals(
                List.of("2.3"),
                due(
                        List.of(
                                gap("2.1", Duration.ofHours(3)),
                                gap("2.2", Duration.ofHours(3)),
                                gap("2.3", Duration.ofHours(3))),
                        Map.of("2.1", new long[] {3, longAgo}, "2.2", new long[] {1, justNow}, "2.3", new long[] {
                            2, longAgo
                        })));
    }

    @Test
    void theHistoryIsNotReadWhenNoStudyIsOldEnough() {
        List<Reconciliation.Gap> young = List.of(gap("3.1", Duration.ofMinutes(1)));
        assertEquals(
                List.of(),
                PacsResends.due(
                        young,
                        () -> {
                            throw new AssertionError("no query for studies too young to move");
                        },
                        NOW,
                        RESEND));
    }
}
