package org.opshub.dicom;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An upper-layer PDU, PS3.8 §9.3: one record per PDU type, each encoding itself to the bytes on
 * the wire ({@link #encode()}, header included), and {@link #decode} for what a peer sends. All
 * multi-byte PDU fields are big-endian (§9.3.1); every PDU starts with a 6-byte header: type,
 * reserved, 32-bit length of the rest.
 */
public sealed interface Pdu
        permits Pdu.AssociateRq,
                Pdu.AssociateAc,
                Pdu.AssociateRj,
                Pdu.PDataTf,
                Pdu.ReleaseRq,
                Pdu.ReleaseRp,
                Pdu.Abort {
    int A_ASSOCIATE_RQ = 0x01;
    int A_ASSOCIATE_AC = 0x02;
    int A_ASSOCIATE_RJ = 0x03;
    int P_DATA_TF = 0x04;
    int A_RELEASE_RQ = 0x05;
    int A_RELEASE_RP = 0x06;
    int A_ABORT = 0x07;

    /** A-ABORT source: DICOM UL service-user, PS3.8 Table 9-26. */
    int ABORT_SOURCE_USER = 0;
    /** A-ABORT source: DICOM UL service-provider. */
    int ABORT_SOURCE_PROVIDER = 2;
    /** A-ABORT reason: unrecognized PDU. */
    int ABORT_UNRECOGNIZED_PDU = 1;
    /** A-ABORT reason: unexpected PDU. */
    int ABORT_UNEXPECTED_PDU = 2;
    /** A-ABORT reason: invalid PDU parameter value. */
    int ABORT_INVALID_PARAMETER = 6;

    /** The PDU type, 0x01-0x07. */
    int type();

    /**
     * The PDU as sent, header included.
     *
     * @throws UnsupportedOperationException for an A-ASSOCIATE-AC, which this requestor only receives
     */
    byte[] encode();

    /**
     * A-ASSOCIATE-RQ, PS3.8 §9.3.2 (Table 9-11) with its application context (§9.3.2.1),
     * presentation contexts (§9.3.2.2) and user information: maximum length (PS3.8 §D.1),
     * implementation class UID and version name (PS3.7 §D.3.3.2).
     *
     * @param maxPduLength the largest P-DATA-TF variable field we receive, in bytes (0 = unlimited)
     */
    record AssociateRq(
            String calledAe,
            String callingAe,
            List<PresentationContext> contexts,
            long maxPduLength,
            List<RoleSelection> roles)
            implements Pdu {
        /** A request without SCP/SCU Role Selection items, as this SCU sends them. */
        public AssociateRq(String calledAe, String callingAe, List<PresentationContext> contexts, long maxPduLength) {
            this(calledAe, callingAe, contexts, maxPduLength, List.of());
        }

        @Override
        public int type() {
            return A_ASSOCIATE_RQ;
        }

        /** @throws IllegalArgumentException for an AE title that is not 1-16 printable characters */
        @Override
        public byte[] encode() {
            ByteArrayOutputStream body = new ByteArrayOutputStream(512);
            body.writeBytes(new byte[] {0, 1, 0, 0}); // protocol version 1, reserved
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
    }

    /**
     * An SCP/SCU Role Selection sub-item, PS3.7 §D.3.3.4 (item type 0x54): the requestor's roles for one
     * SOP class, or the acceptor's answer to them. A Storage Commitment SCP that opens an association to
     * send N-EVENT-REPORT proposes {@code scp=true}.
     */
    record RoleSelection(String sopClassUid, boolean scu, boolean scp) {}

    /**
     * The A-ASSOCIATE-AC answering {@code rq} (PS3.8 §9.3.3, Table 9-17): its AE titles echoed, one
     * presentation context item per answered context with its result and transfer syntax, our maximum
     * length, implementation class UID and version name, and the answered role selections.
     *
     * @param answered the requested contexts with their result; an accepted one carries the chosen transfer
     *                 syntax first
     */
    static byte[] associateAc(
            AssociateRq rq, List<PresentationContext> answered, List<RoleSelection> roles, long maxPduLength) {
        ByteArrayOutputStream body = new ByteArrayOutputStream(512);
        body.writeBytes(new byte[] {0, 1, 0, 0});
        body.writeBytes(aeField(rq.calledAe()));
        body.writeBytes(aeField(rq.callingAe()));
        body.writeBytes(new byte[32]);
        item(body, 0x10, ascii(UID.ApplicationContext));
        for (PresentationContext pc : answered) {
            ByteArrayOutputStream p = new ByteArrayOutputStream();
            p.write(pc.id());
            p.write(0);
            p.write(pc.result());
            p.write(0);
            item(
                    p,
                    0x40,
                    ascii(
                            pc.transferSyntaxes().isEmpty()
                                    ? UID.ImplicitVRLittleEndian
                                    : pc.transferSyntaxes().get(0)));
            item(body, 0x21, p.toByteArray());
        }
        ByteArrayOutputStream user = new ByteArrayOutputStream();
        byte[] max = new byte[4];
        ByteCodec.put32be(max, 0, maxPduLength);
        item(user, 0x51, max);
        item(user, 0x52, ascii(UID.ImplementationClassUID));
        for (RoleSelection r : roles) {
            ByteArrayOutputStream v = new ByteArrayOutputStream();
            byte[] uid = ascii(r.sopClassUid());
            v.write(uid.length >>> 8);
            v.write(uid.length);
            v.writeBytes(uid);
            v.write(r.scu() ? 1 : 0);
            v.write(r.scp() ? 1 : 0);
            item(user, 0x54, v.toByteArray());
        }
        item(user, 0x55, ascii(UID.ImplementationVersionName));
        item(body, 0x50, user.toByteArray());
        return pdu(A_ASSOCIATE_AC, body.toByteArray());
    }

    /**
     * A-ASSOCIATE-AC, PS3.8 §9.3.3. The answer names presentation contexts by id only; {@link #named}
     * gives each its abstract syntax from the proposal.
     *
     * @param contexts     the answered presentation contexts (§9.3.3.2), with their result
     * @param maxPduLength the peer's maximum P-DATA-TF length (0 = unlimited)
     */
    record AssociateAc(
            List<PresentationContext> contexts,
            long maxPduLength,
            String implementationClassUid,
            String implementationVersionName)
            implements Pdu {
        @Override
        public int type() {
            return A_ASSOCIATE_AC;
        }

        @Override
        public byte[] encode() {
            throw new UnsupportedOperationException("this SCU does not accept associations");
        }

        /** The same answer with each context's abstract syntax taken from the proposed context of its id. */
        public AssociateAc named(List<PresentationContext> proposed) {
            List<PresentationContext> named = new ArrayList<>();
            for (PresentationContext c : contexts) {
                String as = proposed.stream()
                        .filter(p -> p.id() == c.id())
                        .map(PresentationContext::abstractSyntax)
                        .findFirst()
                        .orElse("");
                named.add(new PresentationContext(c.id(), as, c.transferSyntaxes(), c.result()));
            }
            return new AssociateAc(List.copyOf(named), maxPduLength, implementationClassUid, implementationVersionName);
        }
    }

    /**
     * A-ASSOCIATE-RJ, PS3.8 §9.3.4 (Table 9-21).
     *
     * @param result 1 rejected-permanent, 2 rejected-transient
     * @param source 1 service-user, 2 service-provider (ACSE), 3 service-provider (presentation)
     * @param reason the reason of that source
     */
    record AssociateRj(int result, int source, int reason) implements Pdu {
        @Override
        public int type() {
            return A_ASSOCIATE_RJ;
        }

        @Override
        public byte[] encode() {
            return pdu(A_ASSOCIATE_RJ, new byte[] {0, (byte) result, (byte) source, (byte) reason});
        }
    }

    /**
     * One presentation data value item of a P-DATA-TF, PS3.8 §9.3.5.1 and Annex E.2 (message
     * control header: bit 0 command, bit 1 last fragment).
     *
     * @param data the fragment of the command or data set
     */
    record Pdv(int contextId, boolean command, boolean last, byte[] data) {}

    /** P-DATA-TF, PS3.8 §9.3.5: one or more PDVs. */
    record PDataTf(List<Pdv> pdvs) implements Pdu {
        /** A P-DATA-TF carrying one PDV of {@code len} bytes of {@code data} from {@code off}. */
        public static PDataTf of(int contextId, boolean command, boolean last, byte[] data, int off, int len) {
            return new PDataTf(List.of(new Pdv(contextId, command, last, Arrays.copyOfRange(data, off, off + len))));
        }

        @Override
        public int type() {
            return P_DATA_TF;
        }

        @Override
        public byte[] encode() {
            int size = 0;
            for (Pdv v : pdvs) {
                size += 6 + v.data().length;
            }
            byte[] p = new byte[6 + size];
            p[0] = P_DATA_TF;
            ByteCodec.put32be(p, 2, size);
            int pos = 6;
            for (Pdv v : pdvs) {
                ByteCodec.put32be(p, pos, 2 + v.data().length);
                p[pos + 4] = (byte) v.contextId();
                p[pos + 5] = (byte) ((v.command() ? 1 : 0) | (v.last() ? 2 : 0));
                System.arraycopy(v.data(), 0, p, pos + 6, v.data().length);
                pos += 6 + v.data().length;
            }
            return p;
        }
    }

    /** A-RELEASE-RQ, PS3.8 §9.3.6: 4 reserved bytes. */
    record ReleaseRq() implements Pdu {
        @Override
        public int type() {
            return A_RELEASE_RQ;
        }

        @Override
        public byte[] encode() {
            return pdu(A_RELEASE_RQ, new byte[4]);
        }
    }

    /** A-RELEASE-RP, PS3.8 §9.3.7: 4 reserved bytes. */
    record ReleaseRp() implements Pdu {
        @Override
        public int type() {
            return A_RELEASE_RP;
        }

        @Override
        public byte[] encode() {
            return pdu(A_RELEASE_RP, new byte[4]);
        }
    }

    /**
     * A-ABORT, PS3.8 §9.3.8 (Table 9-26).
     *
     * @param source 0 service-user, 2 service-provider
     * @param reason the provider's reason (0 for a user abort)
     */
    record Abort(int source, int reason) implements Pdu {
        @Override
        public int type() {
            return A_ABORT;
        }

        @Override
        public byte[] encode() {
            return pdu(A_ABORT, new byte[] {0, 0, (byte) source, (byte) reason});
        }
    }

    /**
     * Decodes the variable part (after the 6-byte header) of a PDU a peer sent.
     *
     * @throws DicomProtocolException for an unknown type, an item or PDV running past its PDU, or a
     *                                body too short for its type
     */
    static Pdu decode(int type, byte[] body) throws DicomProtocolException {
        return switch (type) {
            case A_ASSOCIATE_AC -> associateAc(body);
            case A_ASSOCIATE_RJ -> {
                if (body.length < 4) {
                    throw new DicomProtocolException("A-ASSOCIATE-RJ too short: " + body.length + " bytes");
                }
                yield new AssociateRj(body[1] & 0xFF, body[2] & 0xFF, body[3] & 0xFF);
            }
            case P_DATA_TF -> pDataTf(body);
            case A_RELEASE_RQ -> new ReleaseRq();
            case A_RELEASE_RP -> new ReleaseRp();
            case A_ABORT ->
                new Abort(
                        body.length > 2 ? body[2] & 0xFF : ABORT_SOURCE_PROVIDER, body.length > 3 ? body[3] & 0xFF : 0);
            case A_ASSOCIATE_RQ -> associateRq(body);
            default -> throw new DicomProtocolException(String.format("unrecognized PDU type 0x%02X", type));
        };
    }

    /** An A-ASSOCIATE-RQ a requestor sent to our SCP (PS3.8 §9.3.2): AE titles, contexts, length, roles. */
    private static AssociateRq associateRq(byte[] body) throws DicomProtocolException {
        if (body.length < 68) {
            throw new DicomProtocolException("A-ASSOCIATE-RQ too short: " + body.length + " bytes");
        }
        String called = uid(body, 4, 16).strip();
        String calling = uid(body, 20, 16).strip();
        List<PresentationContext> contexts = new ArrayList<>();
        List<RoleSelection> roles = new ArrayList<>();
        long maxLength = 0;
        int pos = 68;
        while (pos < body.length) {
            int[] hdr = itemHeader(body, pos, "A-ASSOCIATE-RQ");
            int start = pos + 4;
            int len = hdr[1];
            if (hdr[0] == 0x20) {
                if (len < 4) {
                    throw new DicomProtocolException("presentation context item too short");
                }
                String as = "";
                List<String> ts = new ArrayList<>();
                for (int sub = start + 4; sub < start + len; ) {
                    int[] sh = subItemHeader(body, sub, start + len, "presentation context item");
                    if (sh[0] == 0x30) {
                        as = uid(body, sub + 4, sh[1]);
                    } else if (sh[0] == 0x40) {
                        ts.add(uid(body, sub + 4, sh[1]));
                    }
                    sub += 4 + sh[1];
                }
                contexts.add(new PresentationContext(body[start] & 0xFF, as, List.copyOf(ts), -1));
            } else if (hdr[0] == 0x50) {
                for (int sub = start; sub < start + len; ) {
                    int[] sh = subItemHeader(body, sub, start + len, "user information item");
                    if (sh[0] == 0x51 && sh[1] == 4) {
                        maxLength = ByteCodec.u32be(body, sub + 4);
                    } else if (sh[0] == 0x54 && sh[1] >= 4) {
                        int n = ByteCodec.u16be(body, sub + 4);
                        if (n + 4 > sh[1]) {
                            throw new DicomProtocolException("SCP/SCU role selection item too short");
                        }
                        roles.add(new RoleSelection(
                                uid(body, sub + 6, n), body[sub + 6 + n] != 0, body[sub + 7 + n] != 0));
                    }
                    sub += 4 + sh[1];
                }
            }
            pos = start + len;
        }
        return new AssociateRq(called, calling, List.copyOf(contexts), maxLength, List.copyOf(roles));
    }

    private static AssociateAc associateAc(byte[] body) throws DicomProtocolException {
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
            int start = pos + 4;
            int len = hdr[1];
            if (hdr[0] == 0x21) {
                if (len < 4) {
                    throw new DicomProtocolException("presentation context item too short");
                }
                int id = body[start] & 0xFF;
                int result = body[start + 2] & 0xFF;
                String ts = null;
                int sub = start + 4;
                while (sub < start + len) {
                    int[] sh = subItemHeader(body, sub, start + len, "presentation context item");
                    if (sh[0] == 0x40) {
                        ts = uid(body, sub + 4, sh[1]);
                    }
                    sub += 4 + sh[1];
                }
                contexts.add(new PresentationContext(id, "", ts == null ? List.of() : List.of(ts), result));
            } else if (hdr[0] == 0x50) {
                int sub = start;
                while (sub < start + len) {
                    int[] sh = subItemHeader(body, sub, start + len, "user information item");
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
        return new AssociateAc(List.copyOf(contexts), maxLength, implUid, implVersion);
    }

    private static PDataTf pDataTf(byte[] body) throws DicomProtocolException {
        List<Pdv> pdvs = new ArrayList<>();
        int pos = 0;
        while (pos < body.length) {
            if (body.length - pos < 6) {
                throw new DicomProtocolException("truncated PDV item");
            }
            long len = ByteCodec.u32be(body, pos);
            if (len < 2 || len > body.length - pos - 4) {
                throw new DicomProtocolException("PDV item length " + len + " runs past its PDU");
            }
            int mch = body[pos + 5];
            pdvs.add(new Pdv(
                    body[pos + 4] & 0xFF,
                    (mch & 1) != 0,
                    (mch & 2) != 0,
                    Arrays.copyOfRange(body, pos + 6, pos + 4 + (int) len)));
            pos += 4 + (int) len;
        }
        if (pdvs.isEmpty()) {
            throw new DicomProtocolException("P-DATA-TF without a PDV");
        }
        return new PDataTf(List.copyOf(pdvs));
    }

    private static byte[] pdu(int type, byte[] body) {
        byte[] p = new byte[6 + body.length];
        p[0] = (byte) type;
        ByteCodec.put32be(p, 2, body.length);
        System.arraycopy(body, 0, p, 6, body.length);
        return p;
    }

    /**
     * Validates an AE title (PS3.5 AE VR).
     *
     * @throws IllegalArgumentException for an empty title, more than 16 characters, or characters
     *                                  outside the default repertoire, backslash and controls excluded
     */
    public static void checkAeTitle(String ae) {
        aeField(ae);
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
            throw new IllegalArgumentException(
                    "invalid AE title '" + ae + "': 1-16 printable ASCII characters, no backslash");
        }
        byte[] f = new byte[16];
        Arrays.fill(f, (byte) ' ');
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
            throw new DicomProtocolException(
                    String.format("item 0x%02X of length %d runs past the %s", b[pos] & 0xFF, len, where));
        }
        return new int[] {b[pos] & 0xFF, len};
    }

    private static int[] subItemHeader(byte[] b, int pos, int end, String where) throws DicomProtocolException {
        int[] h = itemHeader(b, pos, where);
        if (pos + 4 + h[1] > end) {
            throw new DicomProtocolException("sub-item runs past its " + where);
        }
        return h;
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
