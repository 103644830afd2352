package org.opshub.dicom;

/**
 * A TLS failure on a DICOM connection (PS3.15 Annex B): its message says what an operator can do
 * (see {@link DicomTls#reason}).
 */
public class DicomTlsException extends DicomException {
    public DicomTlsException(String message, Throwable cause) {
        super(message, cause);
    }
}
