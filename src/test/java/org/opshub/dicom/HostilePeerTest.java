package org.opshub.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Our SCU against peers that misbehave: each failure is a typed, readable error and no socket leaks. */
class HostilePeerTest {
    private final ScuSettings fast = new ScuSettings("OPSHUB", Duration.ofSeconds(2), Duration.ofMillis(800),
            Duration.ofMillis(800), 65536, 1 << 20);
    private final DicomClient client = new DicomClient(fast);

    @Test
    void echoAgainstAWellBehavedPeer() throws Exception {
        try (TestScp scp = new TestScp(TestScp.Mode.ECHO_OK)) {
            assertTrue(client.echo(scp.node()) > 0);
            assertTrue(scp.clientClosed());
        }
    }

    @Test
    void rejectNamesTheReason() throws Exception {
        try (TestScp scp = new TestScp(TestScp.Mode.REJECT_CALLED_AE)) {
            AssociationRejectedException e = assertThrows(AssociationRejectedException.class, () -> client.echo(scp.node()));
            assertEquals("association rejected by TESTSCP (permanent): called AE title not recognized", e.getMessage());
            assertEquals(1, e.source());
            assertEquals(7, e.reason());
            assertTrue(scp.clientClosed());
        }
    }

    @Test
    void garbageBytesAreAProtocolErrorAndTheAssociationIsAborted() throws Exception {
        try (TestScp scp = new TestScp(TestScp.Mode.GARBAGE)) {
            DicomProtocolException e = assertThrows(DicomProtocolException.class, () -> client.echo(scp.node()));
            assertTrue(e.getMessage().startsWith("unrecognized PDU type 0x48 from TESTSCP@127.0.0.1:"), e.getMessage());
            assertTrue(scp.clientClosed());
        }
    }

    @Test
    void oversizedPduLengthIsRefusedWithoutAllocatingIt() throws Exception {
        try (TestScp scp = new TestScp(TestScp.Mode.OVERSIZED_PDU)) {
            DicomProtocolException e = assertThrows(DicomProtocolException.class, () -> client.echo(scp.node()));
            assertTrue(e.getMessage().contains("PDU of 2147483632 bytes") && e.getMessage().contains("aborted"),
                    e.getMessage());
            assertTrue(scp.clientClosed());
        }
    }

    @Test
    void silenceRunsIntoTheAssociationTimeout() throws Exception {
        try (TestScp scp = new TestScp(TestScp.Mode.SILENT)) {
            DicomTimeoutException e = assertThrows(DicomTimeoutException.class, () -> client.echo(scp.node()));
            assertTrue(e.getMessage().startsWith("no A-ASSOCIATE-AC from TESTSCP"), e.getMessage());
            assertTrue(scp.clientClosed());
        }
    }

    @Test
    void abortInTheMiddleOfAFindIsReportedAfterTheMatchesSoFar() throws Exception {
        try (TestScp scp = new TestScp(TestScp.Mode.ABORT_MID_FIND)) {
            List<String> names = new ArrayList<>();
            Association as = client.openStudyRootFind(scp.node());
            AssociationAbortedException e = assertThrows(AssociationAbortedException.class, () -> client.find(as,
                    new Attributes().setString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY"), a -> {
                        names.add(a.getString(Tag.PatientName));
                        return true;
                    }));
            assertEquals(List.of("Иванов^Иван"), names);
            assertTrue(e.getMessage().startsWith("association aborted by TESTSCP while waiting for C-FIND response"),
                    e.getMessage());
            assertTrue(scp.clientClosed());
        }
    }

    @Test
    void findDecodesIsoIr144Answers() throws Exception {
        try (TestScp scp = new TestScp(TestScp.Mode.FIND_ONE_CYRILLIC)) {
            List<String> names = new ArrayList<>();
            Association as = client.openStudyRootFind(scp.node());
            Dimse.FindResult r = client.find(as, new Attributes().setString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY"), a -> {
                names.add(a.getString(Tag.PatientName));
                return true;
            });
            as.release();
            assertEquals(0, r.status());
            assertEquals(List.of("Иванов^Иван"), names);
            assertTrue(scp.clientClosed());
        }
    }

    @Test
    void refusedConnectionNamesThePeer() throws Exception {
        int port;
        try (TestScp scp = new TestScp(TestScp.Mode.ECHO_OK)) {
            port = scp.port();
        }
        DicomException e = assertThrows(DicomException.class,
                () -> client.echo(new DicomNode("GONE", "127.0.0.1", port)));
        assertEquals("connection to GONE@127.0.0.1:" + port + " refused", e.getMessage());
    }
}
