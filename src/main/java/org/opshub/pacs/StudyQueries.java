package org.opshub.pacs;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.opshub.dicom.Association;
import org.opshub.dicom.DicomClient;
import org.opshub.dicom.DicomException;
import org.opshub.dicom.Pdu;
import org.opshub.dicom.Tag;
import org.opshub.dicomweb.DicomJson;
import org.opshub.dicomweb.QidoClient;

/**
 * The queries one reconciliation makes on one node, over the node's transport: DIMSE C-FIND on one
 * association ({@link StudyFinder}), or QIDO-RS searches (PS3.18 §10.6) that ask for the same
 * attributes. The reconciliation does not know which.
 */
interface StudyQueries {

    /** The studies of a StudyDate matching value; see {@link StudyFinder#list}. */
    StudyFinder.Listing list(String studyDateKey, int maxResults) throws DicomException;

    /** Candidates confirmed by StudyInstanceUID lists; see {@link StudyFinder#confirm}. */
    StudyFinder.Confirmation confirm(List<String> candidates, String sentinel, boolean listMatching)
            throws DicomException;

    /** The series of one study with their instance counts; see {@link StudyFinder#series}. */
    Map<String, StudyFinder.SeriesRecord> series(String studyInstanceUid) throws DicomException;

    /** The SOP instances of one study; see {@link StudyFinder#instances}. */
    List<StudyFinder.InstanceRecord> instances(String studyInstanceUid) throws DicomException;

    /** Ends the work: releases the association after success, aborts it otherwise. */
    void close(boolean ok);

    /** The queries of a node: QIDO-RS when it has a {@code qido-url}, else C-FIND on a new association. */
    static StudyQueries open(PacsNode node, DicomClient client, StudyFinder finder, boolean includePatient)
            throws DicomException {
        if (node.qido() != null) {
            return new Qido(node.qido(), includePatient);
        }
        return new Dimse(client.openStudyRootFind(node.dicom()), finder);
    }

    /** How a node's queries are opened. */
    @FunctionalInterface
    interface Opener {
        StudyQueries open() throws DicomException;
    }

    /**
     * Queries opened on first use: a check whose source listing another check of the round already made
     * opens no association on the source unless it needs the source's series.
     */
    final class Lazy implements StudyQueries {
        private final Opener opener;
        private StudyQueries open;

        Lazy(Opener opener) {
            this.opener = opener;
        }

        private StudyQueries get() throws DicomException {
            if (open == null) {
                open = opener.open();
            }
            return open;
        }

        @Override
        public StudyFinder.Listing list(String studyDateKey, int maxResults) throws DicomException {
            return get().list(studyDateKey, maxResults);
        }

        @Override
        public StudyFinder.Confirmation confirm(List<String> candidates, String sentinel, boolean listMatching)
                throws DicomException {
            return get().confirm(candidates, sentinel, listMatching);
        }

        @Override
        public Map<String, StudyFinder.SeriesRecord> series(String studyInstanceUid) throws DicomException {
            return get().series(studyInstanceUid);
        }

        @Override
        public List<StudyFinder.InstanceRecord> instances(String studyInstanceUid) throws DicomException {
            return get().instances(studyInstanceUid);
        }

        @Override
        public void close(boolean ok) {
            if (open != null) {
                open.close(ok);
            }
        }
    }

    /** Study Root C-FIND on one association. */
    record Dimse(Association as, StudyFinder finder) implements StudyQueries {
        @Override
        public StudyFinder.Listing list(String studyDateKey, int maxResults) throws DicomException {
            return finder.list(as, studyDateKey, maxResults);
        }

        @Override
        public StudyFinder.Confirmation confirm(List<String> candidates, String sentinel, boolean listMatching)
                throws DicomException {
            return finder.confirm(as, candidates, sentinel, listMatching);
        }

        @Override
        public Map<String, StudyFinder.SeriesRecord> series(String studyInstanceUid) throws DicomException {
            return finder.series(as, studyInstanceUid);
        }

        @Override
        public List<StudyFinder.InstanceRecord> instances(String studyInstanceUid) throws DicomException {
            return finder.instances(as, studyInstanceUid);
        }

        @Override
        public void close(boolean ok) {
            if (ok) {
                as.release();
            } else {
                as.abort(Pdu.ABORT_SOURCE_USER, 0);
            }
        }
    }

    /**
     * QIDO-RS: {@code GET /studies?StudyDate=…&includefield=…} paged with {@code limit}/{@code offset};
     * candidates by {@code StudyInstanceUID=uid1,uid2,…} (UID list matching, PS3.18 §8.3.4.1) in batches
     * of 100, checked with a sentinel as over DIMSE; series by {@code GET /studies/{uid}/series}.
     */
    final class Qido implements StudyQueries {
        static final int UIDS_PER_REQUEST = 100;
        private static final List<String> STUDY_FIELDS =
                List.of("0020000D", "00080020", "00080030", "00080050", "00080061", "00081030", "00201208");
        private final QidoClient client;
        private final boolean includePatient;

        Qido(QidoClient client, boolean includePatient) {
            this.client = client;
            this.includePatient = includePatient;
        }

        private List<Map.Entry<String, String>> fields(List<Map.Entry<String, String>> keys) {
            List<Map.Entry<String, String>> p = new ArrayList<>(keys);
            STUDY_FIELDS.forEach(f -> p.add(Map.entry("includefield", f)));
            if (includePatient) {
                p.add(Map.entry("includefield", "00100010"));
                p.add(Map.entry("includefield", "00100020"));
            }
            return p;
        }

        private StudyRecord record(JsonNode a) {
            String uid = DicomJson.string(a, Tag.StudyInstanceUID);
            if (uid == null) {
                return null;
            }
            return new StudyRecord(
                    uid,
                    DicomJson.string(a, Tag.StudyDate),
                    DicomJson.string(a, Tag.StudyTime),
                    DicomJson.string(a, Tag.AccessionNumber),
                    DicomJson.string(a, Tag.ModalitiesInStudy),
                    DicomJson.string(a, Tag.StudyDescription),
                    DicomJson.integer(a, Tag.NumberOfStudyRelatedInstances),
                    includePatient ? DicomJson.string(a, Tag.PatientID) : null,
                    includePatient ? DicomJson.string(a, Tag.PatientName) : null);
        }

        @Override
        public StudyFinder.Listing list(String studyDateKey, int maxResults) throws DicomException {
            List<JsonNode> found = client.search("/studies", fields(List.of(Map.entry("StudyDate", studyDateKey))));
            Map<String, StudyRecord> out = new LinkedHashMap<>();
            for (JsonNode a : found) {
                StudyRecord r = record(a);
                if (r != null) {
                    out.put(r.studyInstanceUid(), r);
                }
            }
            return new StudyFinder.Listing(out, found.size() / client.settings().pageSize() + 1, false);
        }

        @Override
        public StudyFinder.Confirmation confirm(List<String> candidates, String sentinel, boolean listMatching)
                throws DicomException {
            return StudyFinder.confirmInBatches(
                    candidates,
                    sentinel,
                    listMatching,
                    UIDS_PER_REQUEST,
                    (uids, out) -> {
                        byUid(String.join(",", uids), out);
                        return true;
                    },
                    this::byUid);
        }

        private void byUid(String uids, Map<String, StudyRecord> out) throws DicomException {
            for (JsonNode a : client.search("/studies", fields(List.of(Map.entry("StudyInstanceUID", uids))))) {
                StudyRecord r = record(a);
                if (r != null) {
                    out.put(r.studyInstanceUid(), r);
                }
            }
        }

        @Override
        public Map<String, StudyFinder.SeriesRecord> series(String studyInstanceUid) throws DicomException {
            Map<String, StudyFinder.SeriesRecord> out = new LinkedHashMap<>();
            for (JsonNode a : client.search(
                    "/studies/" + studyInstanceUid + "/series",
                    List.of(
                            Map.entry("includefield", "0020000E"), Map.entry("includefield", "00080060"),
                            Map.entry("includefield", "00200011"), Map.entry("includefield", "00201209")))) {
                String uid = DicomJson.string(a, Tag.SeriesInstanceUID);
                if (uid != null) {
                    out.put(
                            uid,
                            new StudyFinder.SeriesRecord(
                                    uid,
                                    DicomJson.string(a, Tag.Modality),
                                    DicomJson.string(a, Tag.SeriesNumber),
                                    DicomJson.integer(a, Tag.NumberOfSeriesRelatedInstances)));
                }
            }
            return out;
        }

        @Override
        public List<StudyFinder.InstanceRecord> instances(String studyInstanceUid) throws DicomException {
            List<StudyFinder.InstanceRecord> out = new ArrayList<>();
            for (JsonNode a : client.search(
                    "/studies/" + studyInstanceUid + "/instances",
                    List.of(
                            Map.entry("includefield", "0020000E"),
                            Map.entry("includefield", "00080016"),
                            Map.entry("includefield", "00080018")))) {
                String uid = DicomJson.string(a, Tag.SOPInstanceUID);
                if (uid != null) {
                    out.add(new StudyFinder.InstanceRecord(
                            DicomJson.string(a, Tag.SeriesInstanceUID), uid, DicomJson.string(a, Tag.SOPClassUID)));
                }
            }
            return out;
        }

        @Override
        public void close(boolean ok) {
            // nothing held between requests
        }
    }
}
