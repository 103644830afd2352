package org.opshub.dicom;

import java.io.IOException;

/**
 * A DICOM network failure an operator can act on; the message names the peer and the reason in
 * plain words. Subclasses tell rejects, aborts, timeouts, protocol violations and DIMSE failure
 * statuses apart.
 */
public class DicomException extends IOException {
    public DicomException(String message) {
        super(message);
    }

    public DicomException(String message, Throwable cause) {
        super(message, cause);
    }
}
