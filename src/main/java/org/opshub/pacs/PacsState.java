package org.opshub.pacs;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
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

        /** {@code pacs_up}: the last C-ECHO succeeded and no C-FIND failed since the last good one. */
        boolean up() {
            return echoOk && queryOk;
        }
    }

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
