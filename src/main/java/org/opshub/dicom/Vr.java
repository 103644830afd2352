package org.opshub.dicom;

/**
 * Value Representations, PS3.5 §6.2 (Table 6.2-1), with the facts the encoder needs.
 *
 * <p>{@link #longLength} is true for the VRs that in Explicit VR Little Endian carry two reserved
 * bytes and a 32-bit length (PS3.5 §7.1.2, Table 7.1-1); the others carry a 16-bit length.
 * {@link #text} marks VRs whose values are decoded with the Specific Character Set
 * (PS3.5 §6.1.2.3); all other string VRs use the default repertoire.
 */
public enum Vr {
    AE(false, false),
    AS(false, false),
    AT(false, false),
    CS(false, false),
    DA(false, false),
    DS(false, false),
    DT(false, false),
    FL(false, false),
    FD(false, false),
    IS(false, false),
    LO(false, true),
    LT(false, true),
    OB(true, false),
    OD(true, false),
    OF(true, false),
    OL(true, false),
    OV(true, false),
    OW(true, false),
    PN(false, true),
    SH(false, true),
    SL(false, false),
    SQ(true, false),
    SS(false, false),
    ST(false, true),
    SV(true, false),
    TM(false, false),
    UC(true, true),
    UI(false, false),
    UL(false, false),
    UN(true, false),
    UR(true, false),
    US(false, false),
    UT(true, true),
    UV(true, false);

    /** Explicit VR encoding uses 2 reserved bytes and a 32-bit length (PS3.5 Table 7.1-1). */
    public final boolean longLength;
    /** Values are decoded with the data set's Specific Character Set (PS3.5 §6.1.2.3). */
    public final boolean text;

    Vr(boolean longLength, boolean text) {
        this.longLength = longLength;
        this.text = text;
    }

    /** Padding byte to reach an even value length: NUL for UI and binary VRs, space otherwise (PS3.5 §6.2). */
    public byte padding() {
        return switch (this) {
            case UI, OB, OD, OF, OL, OV, OW, UN -> 0;
            default -> ' ';
        };
    }

    /**
     * The VR for the two ASCII bytes of an explicit VR header.
     *
     * @return the VR, or {@code null} when the bytes name no VR of PS3.5 Table 6.2-1
     */
    public static Vr of(int b0, int b1) {
        if (b0 < 'A' || b0 > 'Z' || b1 < 'A' || b1 > 'Z') {
            return null;
        }
        try {
            return valueOf(new String(new char[] {(char) b0, (char) b1}));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
