package org.opshub.pacs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A pair's rule over a window, as the reconciliation uses it: excluded studies counted by condition,
 * mixed studies judged over their forwarded series only, and a source without ModalitiesInStudy read
 * by its series with the same answer.
 */
class ExpectationTest {
    static final ZoneId UTC = ZoneId.of("UTC");

    static StudyRecord study(String uid, String modalities, Integer n) {
        return new StudyRecord(uid, "20261207", "100000", null, modalities, null, n, null, null);
    }

    static StudyFinder.SeriesRecord series(String uid, String modality, int n) {
        return new StudyFinder.SeriesRecord(uid, modality, "1", n);
    }

    /** The source: a CT, an MR, a CR and a CT+SR study, with their series. */
    final Map<String, Map<String, StudyFinder.SeriesRecord>> sourceSeries = new HashMap<>();

    final List<String> seriesQueries = new ArrayList<>();

    Map<String, StudyRecord> window(boolean withModalities) {
        Map<String, StudyRecord> w = new LinkedHashMap<>();
        add(w, "ct", withModalities ? "CT" : null, series("ct.1", "CT", 3));
        add(w, "mr", withModalities ? "MR" : null, series("mr.1", "MR", 2));
        add(w, "cr", withModalities ? "CR" : null, series("cr.1", "CR", 1));
        add(w, "mix", withModalities ? "CT\\SR" : null, series("mix.1", "CT", 4), series("mix.2", "SR", 1));
        return w;
    }

    private void add(Map<String, StudyRecord> w, String uid, String modalities, StudyFinder.SeriesRecord... s) {
        Map<String, StudyFinder.SeriesRecord> m = new LinkedHashMap<>();
        int n = 0;
        for (StudyFinder.SeriesRecord r : s) {
            m.put(r.seriesInstanceUid(), r);
            n += r.instances();
        }
        sourceSeries.put(uid, m);
        w.put(uid, study(uid, modalities, n));
    }

    Expectation.SeriesLookup onSource() {
        return st -> {
            seriesQueries.add(st.studyInstanceUid());
            return sourceSeries.get(st.studyInstanceUid());
        };
    }

    static ForwardingRule modalities(String... codes) {
        return ForwardingRuleTest.rule(ForwardingRuleTest.props("modalities", String.join(",", codes)));
    }

    @Test
    void onlyWhatTheRuleForwardsIsExpectedAndTheRestIsCountedByCondition() throws Exception {
        Expectation toA = Expectation.of(modalities("CT", "MR"), window(true), onSource(), UTC);
        assertEquals(List.of("ct", "mr", "mix"), List.copyOf(toA.studies().keySet()));
        assertEquals(Map.of("modalities", 1), toA.excluded(), "the CR study");
        assertEquals(List.of("mix"), List.copyOf(toA.series().keySet()), "CT+SR is expected at SERIES level");
        assertEquals(4, toA.studies().get("mix").instances(), "the CT series' instances only");
        assertEquals(List.of("mix"), seriesQueries, "series are read only for the mixed study");

        Expectation toB = Expectation.of(modalities("CT"), window(true), onSource(), UTC);
        assertEquals(List.of("ct", "mix"), List.copyOf(toB.studies().keySet()));
        assertEquals(Map.of("modalities", 2), toB.excluded());
    }

    @Test
    void aMixedStudyIsJudgedOverItsForwardedSeriesOnTheTarget() throws Exception {
        Expectation e = Expectation.of(modalities("CT"), window(true), onSource(), UTC);
        // the target has the SR series only: the study is there, its CT series is not
        Map<String, StudyRecord> onTarget = new LinkedHashMap<>();
        onTarget.put("ct", study("ct", "CT", 3));
        onTarget.put("mix", study("mix", "SR", 1));
        Map<String, Map<String, StudyFinder.SeriesRecord>> target =
                e.judgeTarget(onTarget, st -> Map.of("mix.2", series("mix.2", "SR", 1)));
        assertEquals(0, onTarget.get("mix").instances(), "the expected series' instances on the target");
        Reconciliation r = Reconciliation.compare(e.studies(), onTarget, new HashMap<>(), Instant.now(), Duration.ZERO);
        assertEquals(
                List.of("mix"),
                r.incomplete().stream().map(g -> g.study().studyInstanceUid()).toList());
        assertTrue(r.missing().isEmpty());
        List<PacsState.SeriesGap> gaps = Expectation.gaps(e.series().get("mix").values(), target.get("mix"));
        assertEquals(1, gaps.size());
        assertEquals("mix.1", gaps.get(0).seriesInstanceUid());
        assertEquals("CT", gaps.get(0).modality());

        // the CT series arrived, the SR series never will: complete as the rule sees it
        onTarget.put("mix", study("mix", "CT", 4));
        e.judgeTarget(onTarget, st -> Map.of("mix.1", series("mix.1", "CT", 4)));
        r = Reconciliation.compare(e.studies(), onTarget, new HashMap<>(), Instant.now(), Duration.ZERO);
        assertTrue(r.incomplete().isEmpty() && r.missing().isEmpty(), r.toString());
    }

    static Map<String, Integer> counts(Expectation e) {
        Map<String, Integer> m = new LinkedHashMap<>();
        e.studies().forEach((uid, s) -> m.put(uid, s.instances()));
        return m;
    }

    @Test
    void aSourceWithoutModalitiesInStudyIsReadBySeriesWithTheSameAnswer() throws Exception {
        Expectation byStudy = Expectation.of(modalities("CT", "MR"), window(true), onSource(), UTC);
        seriesQueries.clear();
        Map<String, StudyRecord> bare = window(false);
        PacsState.Node node = new PacsState.Node();
        ForwardingCheck check = new ForwardingCheck(
                "p",
                "src",
                "a",
                StudyWindow.parse("today"),
                Duration.ZERO,
                null,
                modalities("CT", "MR"),
                ForwardingCheck.Commitment.OFF);
        Expectation bySeries = Expectation.ofSource(check, bare, node, onSource(), UTC);
        assertFalse(node.modalitiesInStudy, "detected");
        assertEquals(counts(byStudy), counts(bySeries));
        assertEquals(byStudy.excluded(), bySeries.excluded());
        assertEquals(byStudy.series(), bySeries.series());
        assertEquals(List.of("ct", "mr", "cr", "mix"), seriesQueries, "one SERIES-level query per study");

        // a rule that does not filter by modality needs no series, whatever the source returns
        seriesQueries.clear();
        Expectation all = Expectation.of(ForwardingRule.ALL, bare, onSource(), UTC);
        assertEquals(4, all.studies().size());
        assertTrue(seriesQueries.isEmpty());
    }
}
