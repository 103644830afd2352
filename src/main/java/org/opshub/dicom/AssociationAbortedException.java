package org.opshub.dicom;

/** The peer sent A-ABORT, PS3.8 §9.3.8 (Table 9-26), or closed the connection mid-association. */
public class AssociationAbortedException extends DicomException {
    public AssociationAbortedException(String message) {
        super(message);
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
