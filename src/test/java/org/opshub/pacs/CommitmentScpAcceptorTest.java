package org.opshub.pacs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opshub.dicom.Association;
import org.opshub.dicom.Pdu;
import org.opshub.dicom.UID;

/** Who opshub's Storage Commitment SCP lets in: a configured node's AE title from that node's host, nothing else. */
class CommitmentScpAcceptorTest {
    static PacsSettings settings() {
        Map<String, String> p = Map.of(
                "pacs.nodes.archive.host", "127.0.0.1",
                "pacs.nodes.archive.ae-title", "ARCHIVE",
                "pacs.nodes.secure.host", "127.0.0.1",
                "pacs.nodes.secure.ae-title", "SECURE",
                "pacs.nodes.secure.tls", "true",
                "pacs.nodes.secure.tls-ca-file", "src/test/resources/tls/ca.pem",
                "pacs.calling-ae-title", "OPSHUB");
        return PacsSettings.from(p.keySet(), p::get);
    }

    static Pdu.AssociateRq rq(String called, String calling) {
        return new Pdu.AssociateRq(called, calling, List.of(), 16384);
    }

    @Test
    void onlyAConfiguredNodesAeTitleFromItsHostIsAccepted() throws Exception {
        KnownNodes acceptor = new KnownNodes(settings(), false);
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        assertNull(acceptor.judge(rq("OPSHUB", "ARCHIVE"), loopback));
        Association.Rejection otherHost = acceptor.judge(rq("OPSHUB", "ARCHIVE"), InetAddress.getByName("192.0.2.1"));
        assertEquals(3, otherHost.rj().reason(), "calling AE title not recognized");
        assertTrue(otherHost.why().contains("AE title and host must both match"), otherHost.why());
        assertEquals(3, acceptor.judge(rq("OPSHUB", "MODALITY"), loopback).rj().reason());
        Association.Rejection wrongCalled = acceptor.judge(rq("PACS", "ARCHIVE"), loopback);
        assertEquals(7, wrongCalled.rj().reason(), "called AE title not recognized");
        assertTrue(acceptor.serves(UID.StorageCommitmentPushModel) && acceptor.serves(UID.Verification));
        assertFalse(acceptor.serves(UID.StudyRootQueryRetrieveFind));
        assertFalse(acceptor.serves(UID.StudyRootQueryRetrieveMove));

        // a node with tls=true reports over DICOM TLS only; the TLS listener takes only such nodes
        assertTrue(acceptor.judge(rq("OPSHUB", "SECURE"), loopback).why().contains("has tls=true"));
        KnownNodes overTls = new KnownNodes(settings(), true);
        assertNull(overTls.judge(rq("OPSHUB", "SECURE"), loopback));
        assertTrue(overTls.judge(rq("OPSHUB", "ARCHIVE"), loopback).why().contains("has no tls=true"));
    }
}
