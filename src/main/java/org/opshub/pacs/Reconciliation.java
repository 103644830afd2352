package org.opshub.pacs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The comparison of one forwarding check: which studies of the source's window are missing on
 * the target (by StudyInstanceUID) or present with fewer NumberOfStudyRelatedInstances.
 * Studies first seen on the source less than {@code settle} ago are still in flight and count
 * as neither.
 *
 * @param sourceStudies studies in the window on the source
 * @param missing       settled studies absent from the target, oldest first seen first
 * @param incomplete    settled studies on both with fewer instances on the target
 * @param inFlight      studies absent or short on the target but not yet settled
 */
public record Reconciliation(int sourceStudies, List<Gap> missing, List<Gap> incomplete, int inFlight) {

    /**
     * One study that did not arrive whole.
     *
     * @param study           as the source answered
     * @param targetInstances the target's NumberOfStudyRelatedInstances, {@code null} when missing
     * @param firstSeen       when this hub first saw the study on the source
     */
    public record Gap(StudyRecord study, Integer targetInstances, Instant firstSeen) {}

    /**
     * The settled source studies absent from the target's listing, in source order: the candidates to
     * confirm by StudyInstanceUID before they count as missing. Updates {@code firstSeen} as
     * {@link #compare} does.
     */
    public static List<String> candidates(
            Map<String, StudyRecord> source,
            Map<String, StudyRecord> target,
            Map<String, Instant> firstSeen,
            Instant now,
            Duration settle) {
        firstSeen.keySet().retainAll(source.keySet());
        List<String> out = new ArrayList<>();
        for (String uid : source.keySet()) {
            Instant seen = firstSeen.computeIfAbsent(uid, k -> now);
            if (!target.containsKey(uid) && Duration.between(seen, now).compareTo(settle) >= 0) {
                out.add(uid);
            }
        }
        return out;
    }

    /**
     * Compares the listings and updates {@code firstSeen}: new source studies get {@code now},
     * studies no longer on the source are forgotten.
     */
    public static Reconciliation compare(
            Map<String, StudyRecord> source,
            Map<String, StudyRecord> target,
            Map<String, Instant> firstSeen,
            Instant now,
            Duration settle) {
        firstSeen.keySet().retainAll(source.keySet());
        List<Gap> missing = new ArrayList<>();
        List<Gap> incomplete = new ArrayList<>();
        int inFlight = 0;
        for (StudyRecord s : source.values()) {
            Instant seen = firstSeen.computeIfAbsent(s.studyInstanceUid(), k -> now);
            StudyRecord t = target.get(s.studyInstanceUid());
            if (whole(s, t)) {
                continue;
            }
            if (Duration.between(seen, now).compareTo(settle) < 0) {
                inFlight++;
            } else if (t == null) {
                missing.add(new Gap(s, null, seen));
            } else {
                incomplete.add(new Gap(s, t.instances(), seen));
            }
        }
        missing.sort((a, b) -> a.firstSeen().compareTo(b.firstSeen()));
        incomplete.sort((a, b) -> a.firstSeen().compareTo(b.firstSeen()));
        return new Reconciliation(source.size(), List.copyOf(missing), List.copyOf(incomplete), inFlight);
    }

    /**
     * The settled source studies the target holds whole (as {@link #compare} judges them): the ones Storage
     * Commitment may be asked for. Reads {@code firstSeen} as {@link #compare} left it.
     */
    public static List<String> complete(
            Map<String, StudyRecord> source,
            Map<String, StudyRecord> target,
            Map<String, Instant> firstSeen,
            Instant now,
            Duration settle) {
        List<String> out = new ArrayList<>();
        for (StudyRecord s : source.values()) {
            StudyRecord t = target.get(s.studyInstanceUid());
            Instant seen = firstSeen.get(s.studyInstanceUid());
            if (whole(s, t) && seen != null && Duration.between(seen, now).compareTo(settle) >= 0) {
                out.add(s.studyInstanceUid());
            }
        }
        return out;
    }

    /**
     * Whether the target holds the source's study whole: present, and not with fewer
     * NumberOfStudyRelatedInstances (a count either side does not give is not compared).
     */
    static boolean whole(StudyRecord source, StudyRecord target) {
        return target != null
                && (source.instances() == null
                        || target.instances() == null
                        || target.instances() >= source.instances());
    }

    /** When the oldest missing study was first seen, or {@code null} when none is missing. */
    public Instant oldestMissing() {
        return missing.isEmpty() ? null : missing.get(0).firstSeen();
    }
}
