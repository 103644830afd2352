package org.opshub.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Our SCU against peers that misbehave: each failure is a typed, readable error and no socket leaks. */
class HostilePeerTest {
    private final ScuSettings fast = new ScuSettings(
            "OPSHUB", Duration.ofSeconds(2), Duration.ofMillis(800), Duration.ofMillis(800), 65536, 1 << 20);
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
            AssociationRejectedException e =
                    assertThrows(AssociationRejectedException.class, () -> client.echo(scp.node()));
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
            assertTrue(
                    e.getMessage().contains("PDU of 2147483632 bytes")
                            && e.getMessage().contains("aborted"),
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
            AssociationAbortedException e = assertThrows(
                    AssociationAbortedException.class,
                    () -> client.find(as, new Attributes().setString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY"), a -> {
                        names.add(a.getString(Tag.PatientName));
                        return true;
                    }));
            assertEquals(List.of("Иванов^Иван"), names);
            assertTrue(
                    e.getMessage().startsWith("association aborted by TESTSCP while waiting for C-FIND response"),
                    e.getMessage());
            assertTrue(scp.clientClosed());
        }
    }

    @Test
    void findDecodesIsoIr144Answers() throws Exception {
        try (TestScp scp = new TestScp(TestScp.Mode.FIND_ONE_CYRILLIC)) {
            List<String> names = new ArrayList<>();
            Association as = client.openStudyRootFind(scp.node());
            Dimse.FindResult r =
                    client.find(as, new Attributes().setString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY"), a -> {
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
    void aMillionPendingAnswersStopAtTheMatchCapWithCCancelAndBoundedMemory() throws Exception {
        ScuSettings capped = new ScuSettings(
                "OPSHUB",
                Duration.ofSeconds(2),
                Duration.ofMillis(800),
                Duration.ofSeconds(5),
                65536,
                1 << 20,
                Duration.ofMinutes(1),
                10_000);
        try (TestScp scp = new TestScp(TestScp.Mode.STREAM_PENDING)) {
            DicomClient c = new DicomClient(capped);
            Association as = c.openStudyRootFind(scp.node());
            int[] seen = {0};
            DimseStatusException e = assertThrows(
                    DimseStatusException.class,
                    () -> c.find(
                            as,
                            new Attributes().setString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY"),
                            a -> ++seen[0] > 0));
            assertTrue(
                    e.getMessage()
                            .contains("more than pacs.max-matches=10000 matches; C-CANCEL sent, association aborted"),
                    e.getMessage());
            assertEquals(10_000, seen[0], "matches handed on stop at the cap");
            assertTrue(scp.clientClosed(), "the association is aborted and the connection closed");
            assertTrue(scp.cancelSeen(), "C-CANCEL-RQ reached the SCP");
            assertTrue(
                    scp.streamed() < TestScp.STREAMED, "the SCP could not push all of its answers: " + scp.streamed());
        }
    }

    @Test
    void aFindThatOutlastsItsTotalDeadlineIsCancelled() throws Exception {
        ScuSettings slowPeer = new ScuSettings(
                "OPSHUB",
                Duration.ofSeconds(2),
                Duration.ofMillis(800),
                Duration.ofSeconds(5),
                65536,
                1 << 20,
                Duration.ofMillis(300),
                Integer.MAX_VALUE);
        try (TestScp scp = new TestScp(TestScp.Mode.STREAM_PENDING)) {
            DicomClient c = new DicomClient(slowPeer);
            Association as = c.openStudyRootFind(scp.node());
            Runtime rt = Runtime.getRuntime();
            DicomTimeoutException e = assertThrows(
                    DicomTimeoutException.class,
                    () -> c.find(as, new Attributes().setString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY"), a -> true));
            assertTrue(
                    e.getMessage().contains("did not finish within pacs.find-timeout=PT0.3S")
                            && e.getMessage().contains("C-CANCEL sent, association aborted"),
                    e.getMessage());
            assertTrue(scp.clientClosed());
            assertTrue(scp.cancelSeen(), "C-CANCEL-RQ reached the SCP");
            System.gc();
            assertTrue(rt.totalMemory() - rt.freeMemory() < 512L << 20, "heap stays bounded");
        }
    }

    @Test
    void aHundredRoundsAgainstABrokenCharacterSetLeakNoFileDescriptors() throws Exception {
        try (TestScp scp = new TestScp(TestScp.Mode.FIND_BROKEN_CHARSET)) {
            long before = openFiles();
            for (int i = 0; i < 100; i++) {
                client.echo(scp.node());
                assertTrue(scp.clientClosed());
                Association as = client.openStudyRootFind(scp.node());
                List<String> names = new ArrayList<>();
                client.find(as, new Attributes().setString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY"), a -> {
                    names.add(a.getString(Tag.PatientName));
                    return true;
                });
                as.release();
                assertTrue(scp.clientClosed());
                assertEquals(1, names.size());
                assertEquals(
                        "Ivanov".length() + 5, names.get(0).length(), "decoded as the default repertoire: " + names);
            }
            assertTrue(openFiles() <= before + 5, "open files before " + before + ", after " + openFiles());
        }
    }

    private static long openFiles() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void theAssociationFollowsTheRequestorStatesOfTheStateMachine() throws Exception {
        try (TestScp scp = new TestScp(TestScp.Mode.FIND_ONE_CYRILLIC)) {
            Association as = client.openStudyRootFind(scp.node());
            assertEquals(Association.State.ESTABLISHED, as.state());
            client.find(as, new Attributes().setString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY"), a -> true);
            assertEquals(Association.State.ESTABLISHED, as.state(), "still established after a complete C-FIND");
            as.release();
            assertEquals(Association.State.CLOSED, as.state(), "released: A-RELEASE-RP received");
            assertTrue(scp.clientClosed());
        }
        try (TestScp scp = new TestScp(TestScp.Mode.ABORT_MID_FIND)) {
            Association as = client.openStudyRootFind(scp.node());
            assertThrows(
                    AssociationAbortedException.class,
                    () -> client.find(
                            as, new Attributes().setString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY"), a -> true));
            assertEquals(Association.State.CLOSED, as.state(), "aborted by the peer");
            as.release();
            assertEquals(Association.State.CLOSED, as.state(), "a release after an abort only closes");
            assertTrue(scp.clientClosed());
        }
    }

    @Test
    void findResponsesAreReadOneAtATimeAndCancelStopsHandingThemOn() throws Exception {
        try (TestScp scp = new TestScp(TestScp.Mode.FIND_ONE_CYRILLIC)) {
            Association as = client.openStudyRootFind(scp.node());
            FindResponses r =
                    client.findResponses(as, new Attributes().setString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY"));
            assertEquals("Иванов^Иван", r.next().getString(Tag.PatientName));
            assertEquals(null, r.next(), "the final response ends the responses");
            assertEquals(new Dimse.FindResult(0, 1, false), r.result());
            as.release();
        }
        ScuSettings capped = new ScuSettings(
                "OPSHUB",
                Duration.ofSeconds(2),
                Duration.ofMillis(800),
                Duration.ofSeconds(5),
                65536,
                1 << 20,
                Duration.ofMinutes(1),
                1_000);
        try (TestScp scp = new TestScp(TestScp.Mode.STREAM_PENDING)) {
            DicomClient c = new DicomClient(capped);
            Association as = c.openStudyRootFind(scp.node());
            FindResponses r = c.findResponses(as, new Attributes().setString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY"));
            for (int i = 0; i < 5; i++) {
                r.next();
            }
            r.cancel();
            // this SCP ignores C-CANCEL: what it still sends is read, never handed on, up to the cap
            DimseStatusException e = assertThrows(DimseStatusException.class, r::next);
            assertTrue(e.getMessage().contains("more than pacs.max-matches=1000"), e.getMessage());
            // the SCP's reader notes the C-CANCEL on its own thread: wait until the association is over
            assertTrue(scp.clientClosed());
            assertTrue(scp.cancelSeen());
        }
    }

    @Test
    void refusedConnectionNamesThePeer() throws Exception {
        // a port held by a socket that never listens: refused, and no other test can take it meanwhile
        try (Socket held = new Socket()) {
            held.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = held.getLocalPort();
            DicomException e =
                    assertThrows(DicomException.class, () -> client.echo(new DicomNode("GONE", "127.0.0.1", port)));
            assertEquals("connection to GONE@127.0.0.1:" + port + " refused", e.getMessage());
        }
    }
}
