package org.opshub.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PS3.8 §9.3 PDU layouts, byte by byte. */
class PduTest {
    private static void item(ByteArrayOutputStream b, int type, String uid) {
        byte[] v = uid.getBytes(StandardCharsets.US_ASCII);
        b.writeBytes(new byte[] {(byte) type, 0, (byte) (v.length >> 8), (byte) v.length});
        b.writeBytes(v);
    }

    @Test
    void associateRqFollowsTables9_11To9_16() {
        byte[] rq = new Pdu.AssociateRq(
                        "DST", "OPSHUB", List.of(PresentationContext.propose(1, UID.Verification)), 16384)
                .encode();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(new byte[] {0, 1, 0, 0});
        expected.writeBytes("DST             OPSHUB          ".getBytes(StandardCharsets.US_ASCII));
        expected.writeBytes(new byte[32]);
        item(expected, 0x10, "1.2.840.10008.3.1.1.1");
        ByteArrayOutputStream pc = new ByteArrayOutputStream();
        pc.writeBytes(new byte[] {1, 0, 0, 0});
        item(pc, 0x30, "1.2.840.10008.1.1");
        item(pc, 0x40, "1.2.840.10008.1.2.1");
        item(pc, 0x40, "1.2.840.10008.1.2");
        expected.writeBytes(new byte[] {0x20, 0, 0, (byte) pc.size()});
        expected.writeBytes(pc.toByteArray());
        ByteArrayOutputStream ui = new ByteArrayOutputStream();
        ui.writeBytes(new byte[] {0x51, 0, 0, 4, 0, 0, 0x40, 0});
        item(ui, 0x52, UID.ImplementationClassUID);
        item(ui, 0x55, UID.ImplementationVersionName);
        expected.writeBytes(new byte[] {0x50, 0, 0, (byte) ui.size()});
        expected.writeBytes(ui.toByteArray());
        byte[] body = expected.toByteArray();
        assertArrayEquals(new byte[] {1, 0, 0, 0, (byte) (body.length >> 8), (byte) body.length}, Arrays.copyOf(rq, 6));
        assertArrayEquals(body, Arrays.copyOfRange(rq, 6, rq.length));
    }

    @Test
    void associateAcGivesAcceptedContextAndPeerMaximum() throws Exception {
        byte[] rqBody = Arrays.copyOfRange(
                new Pdu.AssociateRq(
                                "DST",
                                "OPSHUB",
                                List.of(PresentationContext.propose(1, UID.StudyRootQueryRetrieveFind)),
                                16384)
                        .encode(),
                6,
                74);
        byte[] ac = TestScp.associateAc(rqBody);
        Pdu.AssociateAc a = ((Pdu.AssociateAc) Pdu.decode(ac[0], Arrays.copyOfRange(ac, 6, ac.length)))
                .named(List.of(PresentationContext.propose(1, UID.StudyRootQueryRetrieveFind)));
        assertEquals(16384, a.maxPduLength());
        PresentationContext pc = a.contexts().get(0);
        assertTrue(pc.accepted());
        assertEquals(UID.StudyRootQueryRetrieveFind, pc.abstractSyntax());
        assertEquals(List.of(UID.ImplicitVRLittleEndian), pc.transferSyntaxes());
    }

    @Test
    void truncatedAcItemsAreProtocolErrors() {
        byte[] body = new byte[72];
        body[68] = 0x21;
        body[71] = 0x40; // item claims 64 bytes, none follow
        assertThrows(DicomProtocolException.class, () -> Pdu.decode(Pdu.A_ASSOCIATE_AC, body));
    }

    @Test
    void pDataReleaseAndAbortLayouts() {
        byte[] p = Pdu.PDataTf.of(3, true, true, new byte[] {9, 8}, 0, 2).encode();
        assertArrayEquals(new byte[] {4, 0, 0, 0, 0, 8, 0, 0, 0, 4, 3, 3, 9, 8}, p);
        assertArrayEquals(new byte[] {5, 0, 0, 0, 0, 4, 0, 0, 0, 0}, new Pdu.ReleaseRq().encode());
        assertArrayEquals(new byte[] {7, 0, 0, 0, 0, 4, 0, 0, 2, 6}, new Pdu.Abort(2, 6).encode());
    }

    @Test
    void aPDataTfDecodesIntoItsPdvsAndEncodesBackByteForByte() throws Exception {
        byte[] two = {4, 0, 0, 0, 0, 15, 0, 0, 0, 3, 1, 1, 7, 0, 0, 0, 4, 1, 2, 8, 9};
        Pdu.PDataTf p = (Pdu.PDataTf) Pdu.decode(two[0], Arrays.copyOfRange(two, 6, two.length));
        assertEquals(2, p.pdvs().size());
        assertTrue(p.pdvs().get(0).command() && !p.pdvs().get(0).last());
        assertArrayEquals(new byte[] {8, 9}, p.pdvs().get(1).data());
        assertArrayEquals(two, p.encode());
        assertThrows(
                DicomProtocolException.class,
                () -> Pdu.decode(Pdu.P_DATA_TF, new byte[] {0, 0, 0, 9, 1, 3}),
                "a PDV longer than its PDU");
        assertThrows(DicomProtocolException.class, () -> Pdu.decode(0x09, new byte[0]), "unknown PDU type");
    }

    @Test
    void theReassemblerJoinsFragmentsAndRefusesThemOutOfPlace() throws Exception {
        PresentationContext implicit =
                new PresentationContext(1, UID.StudyRootQueryRetrieveFind, List.of(UID.ImplicitVRLittleEndian), 0);
        byte[] c = Dimse.encodeCommand(new Attributes()
                .setUnsignedShort(Tag.CommandField, Dimse.C_ECHO_RQ)
                .setUnsignedShort(Tag.MessageID, 7)
                .setUnsignedShort(Tag.CommandDataSetType, Dimse.NO_DATA_SET));
        PdvReassembler r = new PdvReassembler(65536, 1 << 20, id -> id == 1 ? implicit : null);
        assertEquals(null, r.add(new Pdu.Pdv(1, true, false, Arrays.copyOfRange(c, 0, 5))));
        Association.Message m = r.add(new Pdu.Pdv(1, true, true, Arrays.copyOfRange(c, 5, c.length)));
        assertEquals(7, m.command().getInt(Tag.MessageID, 0));
        assertEquals(null, m.dataSet());

        PdvReassembler mixed = new PdvReassembler(65536, 1 << 20, id -> implicit);
        mixed.add(new Pdu.Pdv(1, true, false, Arrays.copyOfRange(c, 0, 5)));
        assertThrows(
                DicomProtocolException.class,
                () -> mixed.add(new Pdu.Pdv(3, true, true, new byte[1])),
                "another presentation context inside a message");
        assertThrows(
                DicomProtocolException.class,
                () -> new PdvReassembler(65536, 1 << 20, id -> implicit).add(new Pdu.Pdv(1, false, true, new byte[2])),
                "a data set before its command");
        assertThrows(
                DicomProtocolException.class,
                () -> new PdvReassembler(4, 1 << 20, id -> implicit).add(new Pdu.Pdv(1, true, true, c)),
                "a command over its bound");
    }

    @Test
    void aeTitlesAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> Pdu.aeField("SEVENTEEN_CHARS_X"));
        assertThrows(IllegalArgumentException.class, () -> Pdu.aeField(" "));
        assertThrows(IllegalArgumentException.class, () -> Pdu.aeField("A\\B"));
    }

    @Test
    void commandSetStartsWithItsGroupLength() throws Exception {
        byte[] c = Dimse.encodeCommand(new Attributes()
                .setUnsignedShort(Tag.CommandField, Dimse.C_ECHO_RQ)
                .setUnsignedShort(Tag.MessageID, 7)
                .setUnsignedShort(Tag.CommandDataSetType, Dimse.NO_DATA_SET));
        Attributes a = DataSetCodec.decode(c, false);
        assertEquals(c.length - 12, a.getLong(Tag.CommandGroupLength));
        assertEquals(0x0030L, a.getLong(Tag.CommandField));
        assertEquals(7L, a.getLong(Tag.MessageID));
    }
}
