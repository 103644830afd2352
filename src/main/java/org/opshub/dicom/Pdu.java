package org.opshub.dicom;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Upper-layer PDU encoding and decoding, PS3.8 §9.3: A-ASSOCIATE-RQ/AC/RJ, P-DATA-TF,
 * A-RELEASE-RQ/RP and A-ABORT. All multi-byte PDU fields are big-endian (§9.3.1).
 *
 * <p>Every PDU starts with a 6-byte header: type, reserved, 32-bit length of the rest.
 */
public final class Pdu {
    public static final int A_ASSOCIATE_RQ = 0x01;
    public static final int A_ASSOCIATE_AC = 0x02;
    public static final int A_ASSOCIATE_RJ = 0x03;
    public static final int P_DATA_TF = 0x04;
    public static final int A_RELEASE_RQ = 0x05;
    public static final int A_RELEASE_RP = 0x06;
    public static final int A_ABORT = 0x07;

    /** A-ABORT source: DICOM UL service-user, PS3.8 Table 9-26. */
    public static final int ABORT_SOURCE_USER = 0;
    /** A-ABORT source: DICOM UL service-provider. */
    public static final int ABORT_SOURCE_PROVIDER = 2;
    /** A-ABORT reason: unrecognized PDU. */
    public static final int ABORT_UNRECOGNIZED_PDU = 1;
    /** A-ABORT reason: unexpected PDU. */
    public static final int ABORT_UNEXPECTED_PDU = 2;
    /** A-ABORT reason: invalid PDU parameter value. */
    public static final int ABORT_INVALID_PARAMETER = 6;

    /** The result of an A-ASSOCIATE-AC, PS3.8 §9.3.3. */
    public record AssociateAccept(List<PresentationContext> contexts, long maxPduLength,
                                  String implementationClassUid, String implementationVersionName) {
    }

    private Pdu() {
    }

    /**
     * Encodes an A-ASSOCIATE-RQ, PS3.8 §9.3.2 (Table 9-11) with its application context (§9.3.2.1),
     * presentation contexts (§9.3.2.2) and user information: maximum length (PS3.8 §D.1),
     * implementation class UID and version name (PS3.7 §D.3.3.2).
     *
     * @param maxPduLength the largest P-DATA-TF variable field we receive, in bytes (0 = unlimited)
     */
    public static byte[] associateRq(String calledAe, String callingAe, List<PresentationContext> contexts,
                                     long maxPduLength) {
        ByteArrayOutputStream body = new ByteArrayOutputStream(512);
        body.write(0);
        body.write(1); // protocol version 1
        body.write(0);
        body.write(0);
        body.writeBytes(aeField(calledAe));
        body.writeBytes(aeField(callingAe));
        body.writeBytes(new byte[32]);
        item(body, 0x10, ascii(UID.ApplicationContext));
        for (PresentationContext pc : contexts) {
            ByteArrayOutputStream p = new ByteArrayOutputStream();
            p.write(pc.id());
            p.writeBytes(new byte[3]);
            item(p, 0x30, ascii(pc.abstractSyntax()));
            for (String ts : pc.transferSyntaxes()) {
                item(p, 0x40, ascii(ts));
            }
            item(body, 0x20, p.toByteArray());
        }
        ByteArrayOutputStream user = new ByteArrayOutputStream();
        byte[] max = new byte[4];
        ByteCodec.put32be(max, 0, maxPduLength);
        item(user, 0x51, max);
        item(user, 0x52, ascii(UID.ImplementationClassUID));
        item(user, 0x55, ascii(UID.ImplementationVersionName));
        item(body, 0x50, user.toByteArray());
        return pdu(A_ASSOCIATE_RQ, body.toByteArray());
    }

    /**
     * Decodes the variable part of an A-ASSOCIATE-AC (after the 6-byte header), PS3.8 §9.3.3.
     *
     * @param proposed the contexts we proposed, to name the abstract syntax of each answer
     * @throws DicomProtocolException when an item runs past the PDU or a field is malformed
     */
    public static AssociateAccept parseAssociateAc(byte[] body, List<PresentationContext> proposed)
            throws DicomProtocolException {
        if (body.length < 68) {
            throw new DicomProtocolException("A-ASSOCIATE-AC too short: " + body.length + " bytes");
        }
        List<PresentationContext> contexts = new ArrayList<>();
        long maxLength = 0;
        String implUid = "";
        String implVersion = "";
        int pos = 68;
        while (pos < body.length) {
            int[] hdr = itemHeader(body, pos, "A-ASSOCIATE-AC");
            int type = hdr[0];
            int len = hdr[1];
            int start = pos + 4;
            if (type == 0x21) {
                if (len < 4) {
                    throw new DicomProtocolException("presentation context item too short");
                }
                int id = body[start] & 0xFF;
                int result = body[start + 2] & 0xFF;
                String ts = null;
                int sub = start + 4;
                while (sub < start + len) {
                    int[] sh = itemHeader(body, sub, "presentation context item");
                    if (sub + 4 + sh[1] > start + len) {
                        throw new DicomProtocolException("transfer syntax sub-item runs past its item");
                    }
                    if (sh[0] == 0x40) {
                        ts = uid(body, sub + 4, sh[1]);
                    }
                    sub += 4 + sh[1];
                }
                String as = proposed.stream().filter(p -> p.id() == id).map(PresentationContext::abstractSyntax)
                        .findFirst().orElse("");
                contexts.add(new PresentationContext(id, as, ts == null ? List.of() : List.of(ts), result));
            } else if (type == 0x50) {
                int sub = start;
                while (sub < start + len) {
                    int[] sh = itemHeader(body, sub, "user information item");
                    if (sub + 4 + sh[1] > start + len) {
                        throw new DicomProtocolException("user information sub-item runs past its item");
                    }
                    if (sh[0] == 0x51 && sh[1] == 4) {
                        maxLength = ByteCodec.u32be(body, sub + 4);
                    } else if (sh[0] == 0x52) {
                        implUid = uid(body, sub + 4, sh[1]);
                    } else if (sh[0] == 0x55) {
                        implVersion = uid(body, sub + 4, sh[1]);
                    }
                    sub += 4 + sh[1];
                }
            }
            pos = start + len;
        }
        return new AssociateAccept(contexts, maxLength, implUid, implVersion);
    }

    /**
     * A P-DATA-TF carrying one PDV, PS3.8 §9.3.5 and Annex E.2 (message control header:
     * bit 0 = command, bit 1 = last fragment).
     */
    public static byte[] pData(int contextId, boolean command, boolean last, byte[] data, int off, int len) {
        byte[] p = new byte[6 + 6 + len];
        p[0] = P_DATA_TF;
        ByteCodec.put32be(p, 2, 6 + len);
        ByteCodec.put32be(p, 6, 2 + len);
        p[10] = (byte) contextId;
        p[11] = (byte) ((command ? 1 : 0) | (last ? 2 : 0));
        System.arraycopy(data, off, p, 12, len);
        return p;
    }

    /** A-RELEASE-RQ (§9.3.6) or A-RELEASE-RP (§9.3.7): 4 reserved bytes. */
    public static byte[] release(int type) {
        return pdu(type, new byte[4]);
    }

    /** A-ABORT, PS3.8 §9.3.8. */
    public static byte[] abort(int source, int reason) {
        return pdu(A_ABORT, new byte[] {0, 0, (byte) source, (byte) reason});
    }

    static byte[] pdu(int type, byte[] body) {
        byte[] p = new byte[6 + body.length];
        p[0] = (byte) type;
        ByteCodec.put32be(p, 2, body.length);
        System.arraycopy(body, 0, p, 6, body.length);
        return p;
    }

    /**
     * A 16-byte AE title field, space padded (PS3.8 §9.3.2, PS3.5 AE VR).
     *
     * @throws IllegalArgumentException for an empty title, more than 16 characters, or characters
     *                                  outside the default repertoire, backslash and controls excluded
     */
    static byte[] aeField(String ae) {
        String t = ae == null ? "" : ae.strip();
        if (t.isEmpty() || t.length() > 16 || !t.chars().allMatch(c -> c >= 0x20 && c < 0x7F && c != '\\')) {
            throw new IllegalArgumentException("invalid AE title '" + ae + "': 1-16 printable ASCII characters, no backslash");
        }
        byte[] f = new byte[16];
        java.util.Arrays.fill(f, (byte) ' ');
        byte[] a = ascii(t);
        System.arraycopy(a, 0, f, 0, a.length);
        return f;
    }

    private static void item(ByteArrayOutputStream out, int type, byte[] value) {
        out.write(type);
        out.write(0);
        out.write(value.length >>> 8);
        out.write(value.length);
        out.writeBytes(value);
    }

    private static int[] itemHeader(byte[] b, int pos, String where) throws DicomProtocolException {
        if (pos + 4 > b.length) {
            throw new DicomProtocolException("truncated item header in " + where);
        }
        int len = ByteCodec.u16be(b, pos + 2);
        if (pos + 4 + len > b.length) {
            throw new DicomProtocolException(String.format("item 0x%02X of length %d runs past the %s",
                    b[pos] & 0xFF, len, where));
        }
        return new int[] {b[pos] & 0xFF, len};
    }

    private static String uid(byte[] b, int off, int len) {
        String s = new String(b, off, len, StandardCharsets.US_ASCII);
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\0' || s.charAt(end - 1) == ' ')) {
            end--;
        }
        return s.substring(0, end);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
