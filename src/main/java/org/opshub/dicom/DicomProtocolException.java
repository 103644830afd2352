package org.opshub.dicom;

/**
 * The peer broke PS3.8 or PS3.5: an unknown PDU type, a length that runs past its PDU, a PDU
 * longer than we accept, a malformed data set. The association has been aborted.
 */
public class DicomProtocolException extends DicomException {
    public DicomProtocolException(String message) {
        super(message);
    }
}
