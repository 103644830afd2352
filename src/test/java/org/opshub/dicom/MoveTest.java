package org.opshub.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * C-MOVE (PS3.7 §9.1.4, §9.3.4): the request and response command sets against Tables 9.3-5 and
 * 9.3-6, byte by byte, and the SCU's handling of pending, final, failure and cancelled responses
 * (PS3.4 Table C.4-2) against a scripted SCP.
 */
class MoveTest {
    private final ScuSettings fast = new ScuSettings(
            "OPSHUB", Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2), 65536, 1 << 20);

    @Test
    void moveRequestFollowsTable9_3_5() {
        byte[] cmd = Dimse.encodeCommand(Dimse.moveRequest(UID.StudyRootQueryRetrieveMove, 7, "DST"));
        // Implicit VR LE: tag (group, element), 4-byte length, value; ascending tag order
        byte[] sop = (UID.StudyRootQueryRetrieveMove + "\0").getBytes(StandardCharsets.US_ASCII); // UI, padded with NUL
        int groupLength = (8 + sop.length) + 4 * (8 + 2) + (8 + 4);
        byte[] expected = concat(
                element(0x0000, 0x0000, le32(groupLength)),
                element(0x0000, 0x0002, sop),
                element(0x0000, 0x0100, new byte[] {0x21, 0x00}), // CommandField C-MOVE-RQ
                element(0x0000, 0x0110, new byte[] {0x07, 0x00}), // MessageID
                element(
                        0x0000,
                        0x0600,
                        "DST ".getBytes(StandardCharsets.US_ASCII)), // MoveDestination, AE padded with a space
                element(0x0000, 0x0700, new byte[] {0x00, 0x00}), // Priority MEDIUM
                element(0x0000, 0x0800, new byte[] {0x01, 0x00})); // CommandDataSetType: an identifier follows
        assertArrayEquals(expected, cmd);
        assertEquals(0x8021, Dimse.C_MOVE_RSP);
        assertEquals("1.2.840.10008.5.1.4.1.2.2.2", UID.StudyRootQueryRetrieveMove);
    }

    @Test
    void aMoveDestinationThatIsNoAeTitleIsRefusedBeforeAnythingIsSent() throws Exception {
        try (TestScp scp = new TestScp(TestScp.Mode.MOVE_OK)) {
            Association as = new DicomClient(fast).openStudyRootMove(scp.node());
            try {
                assertThrows(
                        IllegalArgumentException.class,
                        () -> new DicomClient(fast)
                                .move(as, "WAY_TOO_LONG_AE_TITLE", new Attributes(), Duration.ofSeconds(5), null));
            } finally {
                as.abort(Pdu.ABORT_SOURCE_USER, 0);
            }
        }
    }

    @Test
    void pendingResponsesReportSubOperationsUntilSuccess() throws Exception {
        try (TestScp scp = new TestScp(TestScp.Mode.MOVE_OK)) {
            DicomClient client = new DicomClient(fast);
            Association as = client.openStudyRootMove(scp.node());
            List<int[]> pending = new ArrayList<>();
            Dimse.MoveResult r = client.move(
                    as,
                    "DST",
                    new Attributes()
                            .setString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY")
                            .setString(Tag.StudyInstanceUID, Vr.UI, "1.2.3.4"),
                    Duration.ofSeconds(5),
                    (rem, done, failed, warn) -> pending.add(new int[] {rem, done, failed, warn}));
            as.release();
            assertEquals(
                    List.of("2,1,0,0", "1,2,0,0", "0,3,0,0"),
                    pending.stream()
                            .map(p -> p[0] + "," + p[1] + "," + p[2] + "," + p[3])
                            .toList());
            assertEquals(new Dimse.MoveResult(0, 0, 3, 0, 0, false, null), r);
            assertTrue(r.success());
            // what the SCP received: Table 9.3-5 fields and the identifier
            assertEquals(Dimse.C_MOVE_RQ, scp.moveCommand.getInt(Tag.CommandField, -1));
            assertEquals("DST", scp.moveCommand.getString(Tag.MoveDestination));
            assertEquals(UID.StudyRootQueryRetrieveMove, scp.moveCommand.getString(Tag.AffectedSOPClassUID));
            assertEquals("STUDY", scp.moveIdentifier.getString(Tag.QueryRetrieveLevel));
            assertEquals("1.2.3.4", scp.moveIdentifier.getString(Tag.StudyInstanceUID));
        }
    }

    @Test
    void unknownDestinationIsAFailureStatusWithItsMeaning() throws Exception {
        try (TestScp scp = new TestScp(TestScp.Mode.MOVE_UNKNOWN_DESTINATION)) {
            DicomClient client = new DicomClient(fast);
            Association as = client.openStudyRootMove(scp.node());
            Dimse.MoveResult r = client.move(as, "NOWHERE", new Attributes(), Duration.ofSeconds(5), null);
            as.release();
            assertEquals(0xA801, r.status());
            assertFalse(r.success());
            assertEquals("0xA801 (refused: move destination unknown)", r.statusText());
            assertEquals("Unknown destination", r.comment());
        }
    }

    @Test
    void aMoveThatOutlastsItsTimeoutIsCancelled() throws Exception {
        try (TestScp scp = new TestScp(TestScp.Mode.MOVE_SLOW)) {
            DicomClient client = new DicomClient(fast);
            Association as = client.openStudyRootMove(scp.node());
            long start = System.nanoTime();
            Dimse.MoveResult r = client.move(as, "DST", new Attributes(), Duration.ofMillis(300), null);
            as.release();
            assertTrue(r.cancelled());
            assertEquals(0xFE00, r.status());
            assertEquals(1, r.completed());
            assertTrue(scp.cancelSeen(), "C-CANCEL-RQ sent");
            assertTrue(
                    (System.nanoTime() - start) / 1_000_000 < 1900,
                    "cancelled at the move timeout, not the DIMSE timeout");
        }
    }

    @Test
    void statusMeaningsFollowTableC_4_2() {
        assertEquals(
                "refused: out of resources, unable to calculate number of matches", Dimse.moveStatusMeaning(0xA701));
        assertEquals("refused: out of resources, unable to perform sub-operations", Dimse.moveStatusMeaning(0xA702));
        assertEquals("identifier does not match SOP class", Dimse.moveStatusMeaning(0xA900));
        assertEquals(
                "warning: sub-operations complete, one or more failures or warnings", Dimse.moveStatusMeaning(0xB000));
        assertEquals("unable to process", Dimse.moveStatusMeaning(0xC123));
        assertEquals("cancelled: sub-operations terminated", Dimse.moveStatusMeaning(0xFE00));
    }

    private static byte[] element(int group, int elem, byte[] value) {
        byte[] b = new byte[8 + value.length];
        b[0] = (byte) group;
        b[1] = (byte) (group >>> 8);
        b[2] = (byte) elem;
        b[3] = (byte) (elem >>> 8);
        System.arraycopy(le32(value.length), 0, b, 4, 4);
        System.arraycopy(value, 0, b, 8, value.length);
        return b;
    }

    private static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    private static byte[] concat(byte[]... parts) {
        int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] out = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }
}
