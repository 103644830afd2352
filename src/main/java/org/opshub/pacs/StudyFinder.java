package org.opshub.pacs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.opshub.dicom.Association;
import org.opshub.dicom.Attributes;
import org.opshub.dicom.DicomClient;
import org.opshub.dicom.DicomException;
import org.opshub.dicom.DimseStatusException;
import org.opshub.dicom.FindResponses;
import org.opshub.dicom.Tag;
import org.opshub.dicom.Vr;

/**
 * Lists a node's studies of one StudyDate range with Study Root C-FIND at STUDY level on one
 * association (PS3.4 §C.6.2). When a node caps its answers ({@link PacsNode#maxResults()}) and a
 * query reaches the cap, the query is cancelled (C-CANCEL) and the StudyTime range is halved
 * and queried again until every part is under the cap.
 *
 * <p>Studies without a StudyTime cannot be found by time ranges, so on a capped node they are
 * only seen when the unsplit query is under the cap.
 */
public final class StudyFinder {
    private static final int DAY_SECONDS = 24 * 3600;

    private final DicomClient client;
    private final boolean includePatient;

    public StudyFinder(DicomClient client, boolean includePatient) {
        this.client = client;
        this.includePatient = includePatient;
    }

    /** What one listing found. */
    public record Listing(Map<String, StudyRecord> studies, int queries, boolean truncated) {}

    /**
     * Lists the studies of {@code studyDateKey} on the association's node.
     *
     * @param studyDateKey a StudyDate matching value, {@code YYYYMMDD} or a range
     * @param maxResults   the node's cap, 0 for none
     * @return studies by StudyInstanceUID (answers without one are dropped)
     * @throws DicomException when any query fails; nothing partial is returned
     */
    public Listing list(Association as, String studyDateKey, int maxResults) throws DicomException {
        Map<String, StudyRecord> out = new LinkedHashMap<>();
        int[] queries = {0};
        boolean truncated = query(as, studyDateKey, null, 0, DAY_SECONDS - 1, maxResults, out, queries);
        return new Listing(out, queries[0], truncated);
    }

    private boolean query(
            Association as,
            String dateKey,
            String timeKey,
            int from,
            int to,
            int cap,
            Map<String, StudyRecord> out,
            int[] queries)
            throws DicomException {
        List<StudyRecord> found = new ArrayList<>();
        queries[0]++;
        FindResponses responses = client.findResponses(as, identifier(dateKey, timeKey));
        for (Attributes match = responses.next(); match != null; match = responses.next()) {
            StudyRecord r = record(match);
            if (r != null) {
                found.add(r);
            }
            if (cap > 0 && found.size() >= cap) {
                responses.cancel(); // the node's cap is reached: split the range below
            }
        }
        if (cap > 0 && found.size() >= cap) {
            if (to <= from) {
                found.forEach(r -> out.put(r.studyInstanceUid(), r));
                return true; // one second with more studies than the cap: cannot split further
            }
            int mid = from + (to - from) / 2;
            boolean t1 = query(as, dateKey, range(from, mid), from, mid, cap, out, queries);
            boolean t2 = query(as, dateKey, range(mid + 1, to), mid + 1, to, cap, out, queries);
            return t1 || t2;
        }
        found.forEach(r -> out.put(r.studyInstanceUid(), r));
        return false;
    }

    /**
     * What a confirmation by StudyInstanceUID found.
     *
     * @param found        the candidates the node has, by StudyInstanceUID, as it answered (its StudyDate may
     *                     lie outside the window)
     * @param queries      C-FIND requests sent
     * @param listMatching whether the node matched a list of UIDs (false: it refused lists or ignored them,
     *                     and each UID was queried alone)
     */
    public record Confirmation(Map<String, StudyRecord> found, int queries, boolean listMatching) {}

    /**
     * Confirms candidates by StudyInstanceUID with list-of-UID matching (PS3.4 §C.2.2.2.2: UIDs
     * separated by backslash), in batches that fit one P-DATA-TF of the peer's maximum PDU length
     * (and the 64 KiB value of a UI element), on the open association. Each batch also carries
     * {@code sentinel}, a study the node is known to have: a node that answers a list without it does
     * not do list matching, and so does one that answers a list with a failure status; each UID is then
     * queried alone (and {@code listMatching=false} is remembered by the caller).
     *
     * @param candidates   StudyInstanceUIDs to look for
     * @param sentinel     a StudyInstanceUID the node returned by the window query, or null
     * @param listMatching false when the node is known to refuse lists: one query per UID from the start
     * @throws DicomException when a query fails other than by refusing a list
     */
    public Confirmation confirm(Association as, List<String> candidates, String sentinel, boolean listMatching)
            throws DicomException {
        return confirmInBatches(
                candidates,
                sentinel,
                listMatching,
                batchSize(as.peerMaxPduLength()),
                (uids, out) -> {
                    try {
                        byUid(as, String.join("\\", uids), out);
                        return true;
                    } catch (DimseStatusException e) {
                        if (!as.isOpen()) {
                            throw e;
                        }
                        return false; // a failure status for the list: one UID per query
                    }
                },
                (uid, out) -> byUid(as, uid, out));
    }

    /** A query of one UID list into {@code out}; false when the node refused the list as such. */
    @FunctionalInterface
    interface ListQuery {
        boolean query(List<String> uids, Map<String, StudyRecord> out) throws DicomException;
    }

    /** A query of one UID into {@code out}. */
    @FunctionalInterface
    interface OneQuery {
        void query(String uid, Map<String, StudyRecord> out) throws DicomException;
    }

    /**
     * The confirmation by UID over any transport: lists of {@code batch} candidates, each with the sentinel
     * added; once a list is refused or answered without the sentinel, one query per remaining UID.
     */
    static Confirmation confirmInBatches(
            List<String> candidates, String sentinel, boolean listMatching, int batch, ListQuery lists, OneQuery one)
            throws DicomException {
        Map<String, StudyRecord> found = new LinkedHashMap<>();
        int queries = 0;
        boolean matching = listMatching;
        int i = 0;
        while (matching && i < candidates.size()) {
            List<String> part = new ArrayList<>(candidates.subList(i, Math.min(candidates.size(), i + batch)));
            boolean probe = sentinel != null && !part.contains(sentinel);
            if (probe) {
                part.add(sentinel);
            }
            Map<String, StudyRecord> got = new LinkedHashMap<>();
            queries++;
            // refused, or the known study is not in the answer: the node does not match lists
            if (!lists.query(part, got) || probe && !got.containsKey(sentinel)) {
                matching = false;
                break;
            }
            if (probe) {
                got.remove(sentinel);
            }
            found.putAll(got);
            i += batch;
        }
        for (; i < candidates.size(); i++) {
            queries++;
            one.query(candidates.get(i), found);
        }
        return new Confirmation(found, queries, matching);
    }

    /** UIDs per list query: 65 bytes each (64 and a backslash) in one PDV of the peer's PDU, at most 1,000. */
    static int batchSize(long peerMaxPdu) {
        long room = (peerMaxPdu == 0 ? 65536 : Math.min(peerMaxPdu, 65536)) - 6 - 512;
        return (int) Math.max(1, Math.min(1000, room / 65));
    }

    private void byUid(Association as, String uidKey, Map<String, StudyRecord> out) throws DicomException {
        Attributes keys = identifier(null, null).setString(Tag.StudyInstanceUID, Vr.UI, uidKey);
        FindResponses responses = client.findResponses(as, keys);
        for (Attributes match = responses.next(); match != null; match = responses.next()) {
            StudyRecord r = record(match);
            if (r != null) {
                out.put(r.studyInstanceUid(), r);
            }
        }
    }

    /**
     * One series of a study as a SERIES-level C-FIND answered it (PS3.4 §C.6.2.1.2).
     *
     * @param instances NumberOfSeriesRelatedInstances, or null when the node did not return it
     */
    public record SeriesRecord(String seriesInstanceUid, String modality, String seriesNumber, Integer instances) {}

    /**
     * The series of one study: Study Root C-FIND at SERIES level with StudyInstanceUID as the unique
     * key of the level above (PS3.4 §C.4.1.3.1), on the open association.
     *
     * @return series by SeriesInstanceUID
     */
    public Map<String, SeriesRecord> series(Association as, String studyInstanceUid) throws DicomException {
        Attributes keys = new Attributes()
                .setString(Tag.QueryRetrieveLevel, Vr.CS, "SERIES")
                .setString(Tag.StudyInstanceUID, Vr.UI, studyInstanceUid)
                .setString(Tag.SeriesInstanceUID, Vr.UI, null)
                .setString(Tag.Modality, Vr.CS, null)
                .setString(Tag.SeriesNumber, Vr.IS, null)
                .setString(Tag.NumberOfSeriesRelatedInstances, Vr.IS, null);
        Map<String, SeriesRecord> out = new LinkedHashMap<>();
        FindResponses responses = client.findResponses(as, keys);
        for (Attributes a = responses.next(); a != null; a = responses.next()) {
            String uid = a.getString(Tag.SeriesInstanceUID);
            if (uid != null && !uid.isEmpty()) {
                Long n = a.getLong(Tag.NumberOfSeriesRelatedInstances);
                out.put(
                        uid,
                        new SeriesRecord(
                                uid,
                                a.getString(Tag.Modality),
                                a.getString(Tag.SeriesNumber),
                                n == null ? null : n.intValue()));
            }
        }
        return out;
    }

    /**
     * One SOP instance as an IMAGE-level C-FIND answered it.
     *
     * @param sopClassUid SOPClassUID (0008,0016), or null when the node did not return it (an optional key)
     */
    public record InstanceRecord(String seriesInstanceUid, String sopInstanceUid, String sopClassUid) {}

    /**
     * The SOP instances of one study: Study Root C-FIND at IMAGE level with StudyInstanceUID as the
     * unique key above (PS3.4 §C.6.2.1.4), returning SeriesInstanceUID, SOPInstanceUID and SOPClassUID.
     */
    public List<InstanceRecord> instances(Association as, String studyInstanceUid) throws DicomException {
        Attributes keys = new Attributes()
                .setString(Tag.QueryRetrieveLevel, Vr.CS, "IMAGE")
                .setString(Tag.StudyInstanceUID, Vr.UI, studyInstanceUid)
                .setString(Tag.SeriesInstanceUID, Vr.UI, null)
                .setString(Tag.SOPInstanceUID, Vr.UI, null)
                .setString(Tag.SOPClassUID, Vr.UI, null);
        List<InstanceRecord> out = new ArrayList<>();
        FindResponses responses = client.findResponses(as, keys);
        for (Attributes a = responses.next(); a != null; a = responses.next()) {
            String uid = a.getString(Tag.SOPInstanceUID);
            if (uid != null && !uid.isEmpty()) {
                String cls = a.getString(Tag.SOPClassUID);
                out.add(new InstanceRecord(
                        a.getString(Tag.SeriesInstanceUID), uid, cls == null || cls.isEmpty() ? null : cls));
            }
        }
        return out;
    }

    /** The C-FIND identifier: matching keys StudyDate (and StudyTime), empty return keys. */
    Attributes identifier(String dateKey, String timeKey) {
        Attributes keys = new Attributes()
                .setString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY")
                .setString(Tag.StudyDate, Vr.DA, dateKey)
                .setString(Tag.StudyTime, Vr.TM, timeKey)
                .setString(Tag.AccessionNumber, Vr.SH, null)
                .setString(Tag.ModalitiesInStudy, Vr.CS, null)
                .setString(Tag.StudyDescription, Vr.LO, null)
                .setString(Tag.StudyInstanceUID, Vr.UI, null)
                .setString(Tag.NumberOfStudyRelatedInstances, Vr.IS, null);
        if (includePatient) {
            keys.setString(Tag.PatientName, Vr.PN, null).setString(Tag.PatientID, Vr.LO, null);
        }
        return keys;
    }

    private StudyRecord record(Attributes a) {
        String uid = a.getString(Tag.StudyInstanceUID);
        if (uid == null || uid.isEmpty()) {
            return null;
        }
        Long n = a.getLong(Tag.NumberOfStudyRelatedInstances);
        return new StudyRecord(
                uid,
                a.getString(Tag.StudyDate),
                a.getString(Tag.StudyTime),
                a.getString(Tag.AccessionNumber),
                a.getString(Tag.ModalitiesInStudy),
                a.getString(Tag.StudyDescription),
                n == null ? null : n.intValue(),
                includePatient ? a.getString(Tag.PatientID) : null,
                includePatient ? a.getString(Tag.PatientName) : null);
    }

    private static String range(int from, int to) {
        return hhmmss(from) + "-" + hhmmss(to);
    }

    private static String hhmmss(int s) {
        return String.format("%02d%02d%02d", s / 3600, s / 60 % 60, s % 60);
    }
}
