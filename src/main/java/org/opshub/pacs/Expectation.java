package org.opshub.pacs;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.opshub.dicom.DicomException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a pair's {@link ForwardingRule} expects the target to hold of the source's window: the studies
 * expected whole, the studies expected at SERIES level (only the series of the forwarded modalities,
 * their instance count being the sum over those series), and the count of excluded studies by
 * condition.
 *
 * @param studies  the expected studies by StudyInstanceUID; a series-level one carries the expected
 *                 instance count (null when a series did not say)
 * @param series   per series-level study, the expected series by SeriesInstanceUID
 * @param excluded studies not expected, by the condition that excluded them ({@link ForwardingRule#CONDITIONS})
 */
record Expectation(
        Map<String, StudyRecord> studies,
        Map<String, Map<String, StudyFinder.SeriesRecord>> series,
        Map<String, Integer> excluded) {
    private static final Logger LOG = LoggerFactory.getLogger(Expectation.class);

    /** The series of a study on one node, from a cache or a SERIES-level C-FIND. */
    @FunctionalInterface
    interface SeriesLookup {
        Map<String, StudyFinder.SeriesRecord> series(StudyRecord study) throws DicomException;
    }

    /**
     * Applies the rule to the source's window.
     *
     * @param onSource the series of a source study: asked for a study whose modalities the source did not
     *                 return (a rule by modality then reads them from its series), and for each study expected
     *                 at SERIES level
     * @throws DicomException when a series query fails
     */
    static Expectation of(ForwardingRule rule, Map<String, StudyRecord> window, SeriesLookup onSource, ZoneId zone)
            throws DicomException {
        Map<String, StudyRecord> studies = new LinkedHashMap<>();
        Map<String, Map<String, StudyFinder.SeriesRecord>> series = new LinkedHashMap<>();
        Map<String, Integer> excluded = new TreeMap<>();
        for (StudyRecord s : window.values()) {
            String modalities = s.modalities();
            Map<String, StudyFinder.SeriesRecord> all = null;
            if (rule.byModality() && (modalities == null || modalities.isBlank())) {
                all = onSource.series(s);
                modalities = all.values().stream()
                        .map(StudyFinder.SeriesRecord::modality)
                        .filter(m -> m != null && !m.isBlank())
                        .distinct()
                        .collect(Collectors.joining("\\"));
            }
            ForwardingRule.Verdict v = rule.judge(s, modalities, zone);
            if (!v.expected()) {
                excluded.merge(v.excludedBy(), 1, Integer::sum);
            } else if (v.seriesModalities() == null) {
                studies.put(s.studyInstanceUid(), s);
            } else {
                Map<String, StudyFinder.SeriesRecord> kept = new LinkedHashMap<>();
                for (StudyFinder.SeriesRecord r : (all != null ? all : onSource.series(s)).values()) {
                    if (rule.forwards(r.modality())) {
                        kept.put(r.seriesInstanceUid(), r);
                    }
                }
                series.put(s.studyInstanceUid(), kept);
                studies.put(s.studyInstanceUid(), s.withInstances(units(kept.values(), kept)));
            }
        }
        return new Expectation(studies, series, excluded);
    }

    /**
     * A check's rule over its source's window. A rule by modality on a source whose answers carry no
     * ModalitiesInStudy (an optional return key) reads the Modality of each study's series instead; that
     * is remembered in {@code node.modalitiesInStudy} and said once in the log.
     *
     * @param node     the source's state
     * @param onSource the source's series of a study (cached)
     */
    static Expectation ofSource(
            ForwardingCheck check,
            Map<String, StudyRecord> window,
            PacsState.Node node,
            SeriesLookup onSource,
            ZoneId zone)
            throws DicomException {
        ForwardingRule rule = check.rule();
        if (rule.byModality() && !window.isEmpty()) {
            boolean without = window.values().stream()
                    .allMatch(s -> s.modalities() == null || s.modalities().isBlank());
            if (without && node.modalitiesInStudy) {
                LOG.warn(
                        "PACS node {} returns no ModalitiesInStudy (0008,0061); the rule of pair {} reads the"
                                + " Modality of each study's series instead (one SERIES-level C-FIND per study,"
                                + " kept while its instance count stays)",
                        check.source(),
                        check.pair());
            }
            node.modalitiesInStudy = !without;
        }
        return of(rule, window, onSource, zone);
    }

    /**
     * The target's side of the series-level studies it holds: each such study's record in
     * {@code onTarget} is replaced by one whose instance count is the sum over the expected series only
     * (a series the target lacks counts 0), so that the study comparison judges just what the rule sends.
     *
     * @param onTarget the target's studies, changed in place
     * @param target   the series of a target study, from a cache or a SERIES-level C-FIND
     * @return per such study, the target's series
     */
    Map<String, Map<String, StudyFinder.SeriesRecord>> judgeTarget(
            Map<String, StudyRecord> onTarget, SeriesLookup target) throws DicomException {
        Map<String, Map<String, StudyFinder.SeriesRecord>> out = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, StudyFinder.SeriesRecord>> e : series.entrySet()) {
            StudyRecord t = onTarget.get(e.getKey());
            if (t == null) {
                continue;
            }
            Map<String, StudyFinder.SeriesRecord> there = target.series(t);
            onTarget.put(e.getKey(), t.withInstances(units(there.values(), e.getValue())));
            out.put(e.getKey(), there);
        }
        return out;
    }

    /**
     * The gaps of one study: of {@code expected} (the source's series, or a series-level study's expected
     * ones), those absent or with fewer instances on the target.
     */
    static List<PacsState.SeriesGap> gaps(
            Iterable<StudyFinder.SeriesRecord> expected, Map<String, StudyFinder.SeriesRecord> onTarget) {
        List<PacsState.SeriesGap> gaps = new ArrayList<>();
        for (StudyFinder.SeriesRecord sr : expected) {
            StudyFinder.SeriesRecord tr = onTarget.get(sr.seriesInstanceUid());
            if (tr == null || sr.instances() != null && tr.instances() != null && tr.instances() < sr.instances()) {
                gaps.add(new PacsState.SeriesGap(
                        sr.seriesInstanceUid(),
                        sr.modality(),
                        sr.seriesNumber(),
                        sr.instances(),
                        tr == null ? null : tr.instances()));
            }
        }
        return gaps;
    }

    /**
     * A lookup of a node's study series through {@code cache}: kept while the study's instance count is what
     * it was, else a SERIES-level C-FIND on {@code q} (counted in {@code queries[side]}).
     */
    static SeriesLookup cached(
            Map<String, PacsState.StudySeries> cache, StudyQueries q, int[] queries, int side, Instant now) {
        return study -> {
            PacsState.StudySeries hit = cache.get(study.studyInstanceUid());
            if (hit == null || study.instances() == null || !study.instances().equals(hit.studyInstances())) {
                Map<String, StudyFinder.SeriesRecord> series = q.series(study.studyInstanceUid());
                queries[side]++;
                hit = new PacsState.StudySeries(
                        study.instances(), Collections.unmodifiableMap(new LinkedHashMap<>(series)), now);
            } else {
                hit = new PacsState.StudySeries(hit.studyInstances(), hit.series(), now);
            }
            cache.put(study.studyInstanceUid(), hit);
            return hit.series();
        };
    }

    /**
     * What a series-level study's count is, on either side: the instances of its expected series when the
     * source gave every one's NumberOfSeriesRelatedInstances (a series the target lacks counts 0, one it
     * holds without a count counts as whole), else the number of expected series present.
     *
     * @param present  the series a node holds of the study
     * @param expected the expected series, as the source answered them
     */
    static int units(Iterable<StudyFinder.SeriesRecord> present, Map<String, StudyFinder.SeriesRecord> expected) {
        boolean counted = expected.values().stream().allMatch(r -> r.instances() != null);
        int n = 0;
        for (StudyFinder.SeriesRecord r : present) {
            StudyFinder.SeriesRecord want = expected.get(r.seriesInstanceUid());
            if (want != null) {
                n += !counted
                        ? 1
                        : r.instances() == null ? want.instances() : Math.min(r.instances(), want.instances());
            }
        }
        return n;
    }
}
