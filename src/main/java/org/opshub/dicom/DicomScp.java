package org.opshub.dicom;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * opshub's own small SCP: it takes the N-EVENT-REPORT of the Storage Commitment Push Model that an
 * archive sends on an association it opens to the requester (PS3.4 §J.3.3), and answers C-ECHO. It
 * accepts only what the {@link Association.Acceptor} allows (the configured nodes), only the Storage
 * Commitment and Verification SOP classes, at most {@code maxAssociations} at once (more are answered
 * A-ASSOCIATE-RJ, transient, local limit exceeded), each PDU bounded by {@link ScuSettings#maxPduLength()}
 * and each data set by {@link ScuSettings#maxDataSetBytes()}, and aborts an association idle for
 * {@code idleTimeout}. A malformed report aborts its association and records nothing.
 */
public final class DicomScp implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(DicomScp.class);

    /** Where a report goes: the reporting peer and what it said. */
    @FunctionalInterface
    public interface Reports {
        /**
         * Records a report.
         *
         * @return the N-EVENT-REPORT-RSP status: 0 when recorded, 0x0110 (processing failure) when it could not be,
         *     so that the SCP reports again
         */
        int received(DicomNode from, StorageCommitment.Report report);
    }

    /**
     * Where and how the SCP listens.
     *
     * @param host            bind address
     * @param port            TCP port (0: any free one, for tests)
     * @param maxAssociations associations served at once
     * @param idleTimeout     the longest wait for the next request of an association
     */
    public record Settings(String host, int port, int maxAssociations, Duration idleTimeout) {}

    private final Settings settings;
    private final ScuSettings limits;
    private final Association.Acceptor acceptor;
    private final Reports reports;
    private final ThreadPoolExecutor workers;
    private ServerSocket server;
    private Thread acceptLoop;

    public DicomScp(Settings settings, ScuSettings limits, Association.Acceptor acceptor, Reports reports) {
        this.settings = settings;
        this.limits = limits;
        this.acceptor = acceptor;
        this.reports = reports;
        this.workers = new ThreadPoolExecutor(
                1, Math.max(1, settings.maxAssociations()), 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "opshub-dicom-scp");
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * Binds and starts accepting.
     *
     * @throws IOException when the address cannot be bound (in use, not local)
     */
    public synchronized void start() throws IOException {
        ServerSocket plain = new ServerSocket();
        plain.setReuseAddress(true);
        plain.bind(new InetSocketAddress(InetAddress.getByName(settings.host()), settings.port()), 50);
        start(plain);
    }

    /**
     * Starts accepting on a socket the caller bound: a TLS one ({@code DicomTls#serverSocket}) for nodes that
     * report over DICOM TLS.
     */
    public synchronized void start(ServerSocket bound) {
        server = bound;
        acceptLoop = new Thread(this::acceptLoop, "opshub-dicom-scp-accept");
        acceptLoop.setDaemon(true);
        acceptLoop.start();
    }

    /** The bound port. */
    public int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!server.isClosed()) {
                    LOG.warn("DICOM SCP: accept failed: {}", e.getMessage());
                }
                continue;
            }
            try {
                workers.execute(() -> serve(s));
            } catch (RejectedExecutionException e) {
                LOG.warn(
                        "DICOM SCP: association from {} refused: {} associations already open",
                        s.getInetAddress().getHostAddress(),
                        settings.maxAssociations());
                try (s) {
                    s.getOutputStream().write(new Pdu.AssociateRj(2, 3, 2).encode());
                } catch (IOException ignored) {
                    // refused either way
                }
            }
        }
    }

    /** One association: requests until A-RELEASE-RQ, an abort, the idle timeout or a protocol error. */
    private void serve(Socket socket) {
        Association as;
        try {
            as = Association.accept(socket, limits, acceptor);
        } catch (DicomException e) {
            LOG.warn("DICOM SCP: {}", e.getMessage());
            return;
        }
        try {
            for (Association.Message m = as.receiveRequest(settings.idleTimeout());
                    m != null;
                    m = as.receiveRequest(settings.idleTimeout())) {
                int field = m.command().getInt(Tag.CommandField, -1);
                if (field == Dimse.C_ECHO_RQ) {
                    as.send(
                            as.context(UID.Verification),
                            new Attributes()
                                    .setString(Tag.AffectedSOPClassUID, Vr.UI, UID.Verification)
                                    .setUnsignedShort(Tag.CommandField, Dimse.C_ECHO_RSP)
                                    .setUnsignedShort(
                                            Tag.MessageIDBeingRespondedTo,
                                            m.command().getInt(Tag.MessageID, 0))
                                    .setUnsignedShort(Tag.CommandDataSetType, Dimse.NO_DATA_SET)
                                    .setUnsignedShort(Tag.Status, 0),
                            null);
                } else if (field == StorageCommitment.N_EVENT_REPORT_RQ) {
                    PresentationContext pc = as.context(UID.StorageCommitmentPushModel);
                    StorageCommitment.Report report;
                    try {
                        report = StorageCommitment.report(m, pc.explicitVr());
                    } catch (DicomProtocolException e) {
                        as.abort(Pdu.ABORT_SOURCE_PROVIDER, Pdu.ABORT_INVALID_PARAMETER);
                        LOG.warn(
                                "DICOM SCP: malformed Storage Commitment report from {}: {}; association aborted,"
                                        + " nothing recorded",
                                as.node(),
                                e.getMessage());
                        return;
                    }
                    int status = reports.received(as.node(), report);
                    as.send(pc, StorageCommitment.reportResponse(m.command(), status), null);
                } else {
                    as.abort(Pdu.ABORT_SOURCE_PROVIDER, Pdu.ABORT_UNEXPECTED_PDU);
                    LOG.warn(
                            "DICOM SCP: {} sent command {} (only C-ECHO and N-EVENT-REPORT are served);"
                                    + " association aborted",
                            as.node(),
                            String.format("0x%04X", field));
                    return;
                }
            }
        } catch (DicomException e) {
            LOG.warn("DICOM SCP: association from {} ended: {}", as.node(), e.getMessage());
            as.abort(Pdu.ABORT_SOURCE_PROVIDER, 0);
        }
    }

    /** Stops accepting and aborts open associations' threads; never throws. */
    @Override
    public synchronized void close() {
        try {
            if (server != null) {
                server.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        workers.shutdownNow();
    }
}
