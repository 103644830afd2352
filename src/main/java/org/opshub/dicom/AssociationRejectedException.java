package org.opshub.dicom;

/**
 * The peer answered A-ASSOCIATE-RJ, PS3.8 §9.3.4 (Table 9-21): result, source and reason as
 * sent, and an operator-readable message such as
 * "association rejected by DST (permanent): called AE title not recognized".
 */
public class AssociationRejectedException extends DicomException {
    private final int result;
    private final int source;
    private final int reason;

    public AssociationRejectedException(String peer, int result, int source, int reason) {
        super("association rejected by " + peer + " (" + (result == 1 ? "permanent" : "transient") + "): "
                + reasonText(source, reason));
        this.result = result;
        this.source = source;
        this.reason = reason;
    }

    /** 1 = rejected-permanent, 2 = rejected-transient. */
    public int result() {
        return result;
    }

    /** 1 = service-user, 2 = service-provider (ACSE), 3 = service-provider (presentation). */
    public int source() {
        return source;
    }

    /** Reason/diagnostic, interpreted by {@link #source()}. */
    public int reason() {
        return reason;
    }

    static String reasonText(int source, int reason) {
        return switch (source) {
            case 1 ->
                switch (reason) {
                    case 1 -> "no reason given";
                    case 2 -> "application context name not supported";
                    case 3 -> "calling AE title not recognized";
                    case 7 -> "called AE title not recognized";
                    default -> "service-user reason " + reason;
                };
            case 2 ->
                switch (reason) {
                    case 1 -> "no reason given (ACSE)";
                    case 2 -> "protocol version not supported";
                    default -> "ACSE reason " + reason;
                };
            case 3 ->
                switch (reason) {
                    case 1 -> "temporary congestion";
                    case 2 -> "local limit exceeded";
                    default -> "presentation reason " + reason;
                };
            default -> "source " + source + " reason " + reason;
        };
    }
}
