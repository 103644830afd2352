package org.opshub.dicom;

import java.util.List;

/**
 * A presentation context, PS3.8 §9.3.2.2 (proposed) and §9.3.3.2 (accepted).
 *
 * @param id              odd number 1-255
 * @param abstractSyntax  SOP Class UID
 * @param transferSyntaxes proposed transfer syntaxes; after negotiation, the single accepted one
 * @param result          0 acceptance, 1 user rejection, 2 no reason, 3 abstract syntax not
 *                        supported, 4 transfer syntaxes not supported; -1 while only proposed
 */
public record PresentationContext(int id, String abstractSyntax, List<String> transferSyntaxes, int result) {

    /** A proposal of Explicit then Implicit VR Little Endian for one abstract syntax. */
    public static PresentationContext propose(int id, String abstractSyntax) {
        return new PresentationContext(
                id, abstractSyntax, List.of(UID.ExplicitVRLittleEndian, UID.ImplicitVRLittleEndian), -1);
    }

    public boolean accepted() {
        return result == 0;
    }

    /** True when the accepted transfer syntax is Explicit VR Little Endian. */
    public boolean explicitVr() {
        return UID.ExplicitVRLittleEndian.equals(transferSyntaxes.get(0));
    }

    /** Readable result for messages, PS3.8 Table 9-18. */
    public String resultText() {
        return switch (result) {
            case 0 -> "accepted";
            case 1 -> "rejected by user";
            case 2 -> "rejected, no reason";
            case 3 -> "abstract syntax not supported";
            case 4 -> "transfer syntaxes not supported";
            default -> "not negotiated";
        };
    }
}
