package org.opshub.pacs;

/**
 * A study as a C-FIND at STUDY level answered it (PS3.4 §C.6.2.1.2 Study Root keys). Patient
 * fields are {@code null} unless {@code pacs.missing.include-patient} is on.
 *
 * @param modalities       ModalitiesInStudy (0008,0061), backslash-separated, or {@code null} when the node
 *                         did not return it (an optional return key)
 * @param studyDescription StudyDescription (0008,1030), or {@code null}
 * @param instances        NumberOfStudyRelatedInstances, or {@code null} when the node did not return it
 */
public record StudyRecord(
        String studyInstanceUid,
        String studyDate,
        String studyTime,
        String accessionNumber,
        String modalities,
        String studyDescription,
        Integer instances,
        String patientId,
        String patientName) {

    /** The same study with another instance count (the expected instances of a series-level rule). */
    public StudyRecord withInstances(Integer n) {
        return new StudyRecord(
                studyInstanceUid,
                studyDate,
                studyTime,
                accessionNumber,
                modalities,
                studyDescription,
                n,
                patientId,
                patientName);
    }
}
