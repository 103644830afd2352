package org.opshub.pacs;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the PACS monitor knows between periods: per node the last echo, per check the last
 * reconciliation and the first-seen instants of the source's studies. Lives as long as the
 * process (not re-created by route reloads).
 */
final class PacsState {

    /** One node's last observations. */
    static final class Node {
        volatile boolean echoOk;
        volatile boolean queryOk = true;
        volatile Boolean loggedUp; // null until the first observation
        volatile double echoSeconds;
        volatile String lastError;
        /** Whether the node matches lists of UIDs in C-FIND (PS3.4 §C.2.2.2.2); false once it refused one. */
        volatile boolean listMatching = true;

        /**
         * Whether the node returns ModalitiesInStudy (an optional return key, PS3.4 §C.6.2.1.2); false once a
         * window's studies came without it, and then a rule by modality reads the Modality of each study's series.
         */
        volatile boolean modalitiesInStudy = true;

        /** The series of this node's studies, as a rule by modality needed them; kept while the study's count stays. */
        final Map<String, StudySeries> series = new ConcurrentHashMap<>();

        /** The last window listing, shared by the checks of one round that have this node as their source. */
        volatile SharedListing listing;

        /** {@code pacs_up}: the last C-ECHO succeeded and no C-FIND failed since the last good one. */
        boolean up() {
            return echoOk && queryOk;
        }
    }

    /**
     * The series of one study as a SERIES-level C-FIND answered them.
     *
     * @param studyInstances the study's NumberOfStudyRelatedInstances when they were queried
     * @param used           when a reconciliation last read them (entries unused for three periods are dropped)
     */
    record StudySeries(Integer studyInstances, Map<String, StudyFinder.SeriesRecord> series, Instant used) {}

    /**
     * A window listing of a source, with the round (timer firing) and window it was made for.
     *
     * @param round  what identifies one period's run of the reconciliations
     * @param window the window's StudyDate key and rolling spec
     */
    record SharedListing(Object round, String window, StudyFinder.Listing listing) {}

    /** One check's last reconciliation. */
    static final class Check {
        final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();
        volatile Reconciliation last;
        volatile boolean success;
        volatile Boolean loggedSuccess;
        volatile double durationSeconds;
        volatile Instant lastSuccess;
        volatile String lastError;
        volatile boolean truncated;
        /** Studies found on the target by StudyInstanceUID with a StudyDate/StudyTime outside the window. */
        volatile int dateMismatch;
        /** C-FIND requests of the last reconciliation, per side. */
        volatile int sourceQueries;

        volatile int targetQueries;
        /** Per incomplete study: the series comparison, kept while both sides' counts stay the same. */
        final Map<String, SeriesGaps> series = new ConcurrentHashMap<>();
        /** Studies of the window the pair's rule does not expect, by the condition that excluded them. */
        volatile Map<String, Integer> excluded = Map.of();
        /** Studies of the window the rule expects at SERIES level (only some of their modalities). */
        volatile int seriesLevel;
        /** The target's series of the series-level studies it holds; kept while the study's count stays. */
        final Map<String, StudySeries> targetSeries = new ConcurrentHashMap<>();
        /** The studies of the window the rule expects (Storage Commitment counts only these). */
        volatile Set<String> expected = Set.of();
        /** The settled expected studies the target holds whole: what Storage Commitment may be asked for. */
        volatile List<String> complete = List.of();
        /** Per series-level study, the series the rule expects (the instances to commit are theirs only). */
        volatile Map<String, Map<String, StudyFinder.SeriesRecord>> expectedSeries = Map.of();
        /** The last Storage Commitment summary of this check, or null when it does not ask. */
        volatile PacsCommitments.Summary commitment;
        /** Whether the last commitment period failed (logged once per change). */
        volatile boolean commitmentFailing;
        /** Whether the source's ModalitiesInStudy was missing and the rule read its series instead. */
        volatile boolean modalitiesFromSeries;
    }

    /**
     * The series of one incomplete study that are absent or short on the target.
     *
     * @param sourceInstances the study's NumberOfStudyRelatedInstances on the source when compared
     * @param targetInstances the same on the target
     * @param gaps            the series absent (target count null) or with fewer instances on the target
     */
    record SeriesGaps(Integer sourceInstances, Integer targetInstances, List<SeriesGap> gaps) {}

    /** One series of a {@link SeriesGaps}. */
    record SeriesGap(
            String seriesInstanceUid,
            String modality,
            String seriesNumber,
            Integer sourceInstances,
            Integer targetInstances) {}

    private final Map<String, Node> nodes = new ConcurrentHashMap<>();
    private final Map<String, Check> checks = new ConcurrentHashMap<>();

    Node node(String name) {
        return nodes.computeIfAbsent(name, k -> new Node());
    }

    Check check(String key) {
        return checks.computeIfAbsent(key, k -> new Check());
    }

    Collection<Check> checks() {
        return checks.values();
    }
}
