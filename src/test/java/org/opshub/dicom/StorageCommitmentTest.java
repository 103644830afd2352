package org.opshub.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Storage Commitment on the wire (PS3.4 Annex J, PS3.7 §10.1): our N-ACTION against in-test SCPs built on
 * {@link Association#accept} (one refuses with a failure status, one answers and then reports on the same
 * association, well or malformed), and opshub's {@link DicomScp} taking reports from a requestor as Orthanc
 * sends them: a good one is handed on and answered, a malformed one aborts the association and is not.
 */
class StorageCommitmentTest {
    static final ScuSettings SCU = ScuSettings.defaults("OPSHUB");
    static final List<StorageCommitment.Reference> REFS = List.of(
            new StorageCommitment.Reference("1.2.840.10008.5.1.4.1.1.7", "1.2.3.1"),
            new StorageCommitment.Reference("1.2.840.10008.5.1.4.1.1.7", "1.2.3.2"));

    /** Accepts anyone; serves Storage Commitment and Verification. */
    static final Association.Acceptor ANYONE = new Association.Acceptor() {
        @Override
        public Association.Rejection judge(Pdu.AssociateRq rq, InetAddress from) {
            return null;
        }

        @Override
        public boolean serves(String abstractSyntax) {
            return UID.StorageCommitmentPushModel.equals(abstractSyntax) || UID.Verification.equals(abstractSyntax);
        }
    };

    /** An SCP for one association: answers the N-ACTION with {@code status}, then sends {@code report} if any. */
    static CompletableFuture<Attributes> archive(ServerSocket server, int status, Attributes report) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket s = server.accept()) {
                Association as = Association.accept(s, SCU, ANYONE);
                Association.Message rq = as.receive(Duration.ofSeconds(10), "N-ACTION");
                PresentationContext pc = as.context(UID.StorageCommitmentPushModel);
                as.send(
                        pc,
                        new Attributes()
                                .setString(Tag.AffectedSOPClassUID, Vr.UI, UID.StorageCommitmentPushModel)
                                .setUnsignedShort(Tag.CommandField, StorageCommitment.N_ACTION_RSP)
                                .setUnsignedShort(
                                        Tag.MessageIDBeingRespondedTo,
                                        rq.command().getInt(Tag.MessageID, 0))
                                .setUnsignedShort(Tag.CommandDataSetType, Dimse.NO_DATA_SET)
                                .setUnsignedShort(Tag.Status, status),
                        null);
                if (report != null) {
                    as.send(pc, eventReport(1), report);
                    as.receive(Duration.ofSeconds(10), "N-EVENT-REPORT-RSP");
                }
                as.receiveRequest(Duration.ofSeconds(10));
                return rq.dataSet();
            } catch (Exception e) {
                return null;
            }
        });
    }

    static Attributes eventReport(int type) {
        return new Attributes()
                .setString(Tag.AffectedSOPClassUID, Vr.UI, UID.StorageCommitmentPushModel)
                .setUnsignedShort(Tag.CommandField, StorageCommitment.N_EVENT_REPORT_RQ)
                .setUnsignedShort(Tag.MessageID, 7)
                .setUnsignedShort(Tag.CommandDataSetType, Dimse.DATA_SET_PRESENT)
                .setString(Tag.AffectedSOPInstanceUID, Vr.UI, UID.StorageCommitmentPushModelInstance)
                .setUnsignedShort(Tag.EventTypeID, type);
    }

    /** A report of {@code tx}: the first reference committed, the second failed with 0x0112. */
    static Attributes report(String tx, boolean explicit) {
        Attributes ok = new Attributes()
                .setString(Tag.ReferencedSOPClassUID, Vr.UI, REFS.get(0).sopClassUid())
                .setString(Tag.ReferencedSOPInstanceUID, Vr.UI, REFS.get(0).sopInstanceUid());
        Attributes bad = new Attributes()
                .setString(Tag.ReferencedSOPClassUID, Vr.UI, REFS.get(1).sopClassUid())
                .setString(Tag.ReferencedSOPInstanceUID, Vr.UI, REFS.get(1).sopInstanceUid())
                .setUnsignedShort(Tag.FailureReason, 0x0112);
        Attributes a = new Attributes();
        if (tx != null) {
            a.setString(Tag.TransactionUID, Vr.UI, tx);
        }
        return a.set(Tag.ReferencedSOPSequence, Vr.SQ, DataSetCodec.sequence(List.of(ok), explicit))
                .set(Tag.FailedSOPSequence, Vr.SQ, DataSetCodec.sequence(List.of(bad), explicit));
    }

    @Test
    void aRequestCarriesItsTransactionAndEveryInstanceAndAReportOnTheSameAssociationIsRead() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            String tx = StorageCommitment.newTransactionUid();
            assertTrue(tx.startsWith("2.25.") && tx.length() <= 64, tx);
            CompletableFuture<Attributes> seen = archive(server, 0, report(tx, true));
            Association as = Association.open(
                    new DicomNode("ARCHIVE", "127.0.0.1", server.getLocalPort()),
                    SCU,
                    List.of(UID.StorageCommitmentPushModel));
            StorageCommitment.request(as, SCU, tx, REFS);
            assertTrue(as.awaitData(Duration.ofSeconds(5)));
            Association.Message m = as.receive(Duration.ofSeconds(5), "N-EVENT-REPORT");
            StorageCommitment.Report r = StorageCommitment.report(
                    m, as.context(UID.StorageCommitmentPushModel).explicitVr());
            as.send(as.context(UID.StorageCommitmentPushModel), StorageCommitment.reportResponse(m.command(), 0), null);
            as.release();
            assertEquals(tx, r.transactionUid());
            assertEquals(List.of(REFS.get(0)), r.committed());
            assertEquals("1.2.3.2", r.failed().get(0).sopInstanceUid());
            assertEquals("0x0112 (no such object instance)", r.failed().get(0).reasonText());

            Attributes asked = seen.get(10, TimeUnit.SECONDS);
            assertEquals(tx, asked.getString(Tag.TransactionUID));
            List<Attributes> items =
                    DataSetCodec.items(asked.get(Tag.ReferencedSOPSequence).value(), true);
            assertEquals(2, items.size());
            assertEquals("1.2.3.2", items.get(1).getString(Tag.ReferencedSOPInstanceUID));
        }
    }

    @Test
    void aRefusedRequestIsATypedErrorWithItsStatus() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            archive(server, 0x0110, null);
            Association as = Association.open(
                    new DicomNode("ARCHIVE", "127.0.0.1", server.getLocalPort()),
                    SCU,
                    List.of(UID.StorageCommitmentPushModel));
            DimseStatusException e = assertThrows(
                    DimseStatusException.class,
                    () -> StorageCommitment.request(as, SCU, StorageCommitment.newTransactionUid(), REFS));
            as.abort(Pdu.ABORT_SOURCE_USER, 0);
            assertEquals(0x0110, e.status());
            assertTrue(e.getMessage().contains("N-ACTION to ARCHIVE"), e.getMessage());
        }
    }

    @Test
    void malformedReportsAreTypedErrors() throws Exception {
        Association.Message noTx = new Association.Message(1, eventReport(1), report(null, false));
        assertTrue(assertThrows(DicomProtocolException.class, () -> StorageCommitment.report(noTx, false))
                .getMessage()
                .contains("Transaction UID"));
        Association.Message badType = new Association.Message(1, eventReport(3), report("1.2", false));
        assertThrows(DicomProtocolException.class, () -> StorageCommitment.report(badType, false));
        Attributes broken = new Attributes()
                .setString(Tag.TransactionUID, Vr.UI, "1.2")
                .set(Tag.ReferencedSOPSequence, Vr.SQ, new byte[] {
                    (byte) 0xFE, (byte) 0xFF, 0x00, (byte) 0xE0, 99, 0, 0, 0
                });
        assertThrows(
                DicomProtocolException.class,
                () -> StorageCommitment.report(new Association.Message(1, eventReport(1), broken), false));
    }

    @Test
    void theScpHandsOnAGoodReportAbortsOnAMalformedOneAndRefusesStrangers() throws Exception {
        List<StorageCommitment.Report> received = new CopyOnWriteArrayList<>();
        Association.Acceptor onlyArchive = new Association.Acceptor() {
            @Override
            public Association.Rejection judge(Pdu.AssociateRq rq, InetAddress from) {
                return rq.callingAe().equals("ARCHIVE")
                        ? null
                        : new Association.Rejection(new Pdu.AssociateRj(1, 1, 3), "unknown " + rq.callingAe());
            }

            @Override
            public boolean serves(String abstractSyntax) {
                return ANYONE.serves(abstractSyntax);
            }
        };
        try (DicomScp scp = new DicomScp(
                new DicomScp.Settings("127.0.0.1", 0, 2, Duration.ofSeconds(5)), SCU, onlyArchive, (from, r) -> {
                    received.add(r);
                    return 0;
                })) {
            scp.start();
            DicomNode opshub = new DicomNode("OPSHUB", "127.0.0.1", scp.port());
            ScuSettings archive = ScuSettings.defaults("ARCHIVE");

            Association as = Association.open(opshub, archive, List.of(UID.StorageCommitmentPushModel));
            PresentationContext pc = as.context(UID.StorageCommitmentPushModel);
            as.send(pc, eventReport(2), report("2.25.1", pc.explicitVr()));
            Association.Message rsp = as.receive(Duration.ofSeconds(5), "N-EVENT-REPORT-RSP");
            assertEquals(0, rsp.command().getInt(Tag.Status, -1));
            as.release();
            assertEquals(1, received.size());
            assertEquals("2.25.1", received.get(0).transactionUid());

            Association bad = Association.open(opshub, archive, List.of(UID.StorageCommitmentPushModel));
            PresentationContext bpc = bad.context(UID.StorageCommitmentPushModel);
            bad.send(bpc, eventReport(1), report(null, bpc.explicitVr()));
            DicomException e = assertThrows(DicomException.class, () -> bad.receive(Duration.ofSeconds(5), "answer"));
            assertInstanceOf(AssociationAbortedException.class, e, e.toString());
            assertEquals(1, received.size(), "nothing handed on from the malformed report");

            DicomException refused = assertThrows(
                    DicomException.class, () -> new DicomClient(ScuSettings.defaults("STRANGER")).echo(opshub));
            assertInstanceOf(AssociationRejectedException.class, refused);
            // a SOP class it does not serve alone: rejected too
            assertThrows(
                    AssociationRejectedException.class,
                    () -> Association.open(opshub, archive, List.of(UID.StudyRootQueryRetrieveFind)));
            assertFalse(received.isEmpty());
        }
    }
}
