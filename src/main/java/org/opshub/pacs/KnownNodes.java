package org.opshub.pacs;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import org.opshub.dicom.Association;
import org.opshub.dicom.Pdu;
import org.opshub.dicom.UID;

/**
 * The SCP's acceptor: the called AE title must be {@code pacs.scp.ae-title}, and the calling AE title and
 * the requestor's address must both be those of a {@code pacs.nodes.*} entry; only Storage Commitment
 * Push Model and Verification are served.
 */
final class KnownNodes implements Association.Acceptor {
    private final PacsSettings settings;
    private final boolean tls;

    /** @param tls whether this is the TLS listener: it takes only the nodes with {@code tls=true}, the other only the rest */
    KnownNodes(PacsSettings settings, boolean tls) {
        this.settings = settings;
        this.tls = tls;
    }

    @Override
    public Association.Rejection judge(Pdu.AssociateRq rq, InetAddress from) {
        if (!rq.calledAe().equals(settings.scp().aeTitle())) {
            return new Association.Rejection(
                    new Pdu.AssociateRj(1, 1, 7),
                    "called AE title " + rq.calledAe() + " is not "
                            + settings.scp().aeTitle());
        }
        for (PacsNode n : settings.nodes().values()) {
            if (n.dicom() != null
                    && n.dicom().aeTitle().equals(rq.callingAe())
                    && sameHost(n.dicom().host(), from)) {
                if ((n.dicom().tls() != null) != tls) {
                    return new Association.Rejection(
                            new Pdu.AssociateRj(1, 1, 3),
                            "node " + n.name()
                                    + (tls
                                            ? " has no tls=true: it reports to pacs.scp.port, without TLS"
                                            : " has tls=true: it reports over DICOM TLS to pacs.scp.tls-port"));
                }
                return null;
            }
        }
        return new Association.Rejection(
                new Pdu.AssociateRj(1, 1, 3),
                "calling AE title " + rq.callingAe() + " from " + from.getHostAddress()
                        + " is no pacs.nodes.* entry (AE title and host must both match)");
    }

    private static boolean sameHost(String host, InetAddress from) {
        try {
            return Arrays.asList(InetAddress.getAllByName(host)).contains(from);
        } catch (UnknownHostException e) {
            return false;
        }
    }

    @Override
    public boolean serves(String abstractSyntax) {
        return UID.StorageCommitmentPushModel.equals(abstractSyntax) || UID.Verification.equals(abstractSyntax);
    }
}
