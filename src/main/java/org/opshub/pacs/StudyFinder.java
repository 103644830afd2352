package org.opshub.pacs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.opshub.dicom.Association;
import org.opshub.dicom.Attributes;
import org.opshub.dicom.DicomClient;
import org.opshub.dicom.DicomException;
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
    public record Listing(Map<String, StudyRecord> studies, int queries, boolean truncated) {
    }

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

    private boolean query(Association as, String dateKey, String timeKey, int from, int to, int cap,
                          Map<String, StudyRecord> out, int[] queries) throws DicomException {
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

    /** The C-FIND identifier: matching keys StudyDate (and StudyTime), empty return keys. */
    Attributes identifier(String dateKey, String timeKey) {
        Attributes keys = new Attributes()
                .setString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY")
                .setString(Tag.StudyDate, Vr.DA, dateKey)
                .setString(Tag.StudyTime, Vr.TM, timeKey)
                .setString(Tag.AccessionNumber, Vr.SH, null)
                .setString(Tag.ModalitiesInStudy, Vr.CS, null)
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
        return new StudyRecord(uid, a.getString(Tag.StudyDate), a.getString(Tag.StudyTime),
                a.getString(Tag.AccessionNumber), a.getString(Tag.ModalitiesInStudy),
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
