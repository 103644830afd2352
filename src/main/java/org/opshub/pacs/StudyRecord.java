package org.opshub.pacs;

/**
 * A study as a C-FIND at STUDY level answered it (PS3.4 §C.6.2.1.2 Study Root keys). Patient
 * fields are {@code null} unless {@code pacs.missing.include-patient} is on.
 *
 * @param instances NumberOfStudyRelatedInstances, or {@code null} when the node did not return it
 */
public record StudyRecord(
        String studyInstanceUid,
        String studyDate,
        String studyTime,
        String accessionNumber,
        String modalities,
        Integer instances,
        String patientId,
        String patientName) {}
