package org.opshub.dicom;

/** The peer sent A-ABORT, PS3.8 §9.3.8 (Table 9-26), or closed the connection mid-association. */
public class AssociationAbortedException extends DicomException {
    private final boolean abortPdu;

    /** The connection closed or broke without an A-ABORT. */
    public AssociationAbortedException(String message) {
        this(message, false);
    }

    /** @param abortPdu whether the peer sent A-ABORT (else the connection just closed or broke) */
    public AssociationAbortedException(String message, boolean abortPdu) {
        super(message);
        this.abortPdu = abortPdu;
    }

    /** Whether the peer sent an A-ABORT PDU, rather than closing the connection. */
    public boolean abortPdu() {
        return abortPdu;
    }

    static String reasonText(int source, int reason) {
        if (source == 0) {
            return "by the service user";
        }
        String why = switch (reason) {
            case 1 -> "unrecognized PDU";
            case 2 -> "unexpected PDU";
            case 4 -> "unrecognized PDU parameter";
            case 5 -> "unexpected PDU parameter";
            case 6 -> "invalid PDU parameter value";
            default -> "reason not specified";
        };
        return "by the service provider: " + why;
    }
}
