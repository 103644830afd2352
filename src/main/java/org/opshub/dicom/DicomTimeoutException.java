package org.opshub.dicom;

/** Connect, association (A-ASSOCIATE-AC / A-RELEASE-RP) or DIMSE response timeout expired. */
public class DicomTimeoutException extends DicomException {
    public DicomTimeoutException(String message) {
        super(message);
    }
}
