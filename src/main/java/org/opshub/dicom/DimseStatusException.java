package org.opshub.dicom;

/**
 * A DIMSE response with a failure or warning status that ends the operation, PS3.7 Annex C
 * (e.g. C-FIND 0xA700 out of resources, 0xA900 identifier does not match SOP class,
 * 0xCxxx unable to process).
 */
public class DimseStatusException extends DicomException {
    private final int status;

    public DimseStatusException(String message, int status) {
        super(message);
        this.status = status;
    }

    /** The Status (0000,0900) value. */
    public int status() {
        return status;
    }
}
