package org.opshub.dicom;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * An association requested by this SCU, PS3.8 §7 and the state machine of §9.2 as seen from
 * the requestor: A-ASSOCIATE negotiation, DIMSE messages carried in P-DATA-TF PDVs (fragmented
 * to the peer's maximum PDU length, reassembled within ours), A-RELEASE and A-ABORT.
 *
 * <p>One thread uses an association at a time. Every read has a deadline; a PDU longer than
 * {@link ScuSettings#maxPduLength()} (P-DATA-TF) or 64 KiB (other PDUs) is answered with
 * A-ABORT, so memory per association stays bounded.
 */
public final class Association implements Closeable {

    /** A DIMSE message: command set (Implicit VR LE) and, when present, its data set. */
    public record Message(int contextId, Attributes command, Attributes dataSet) {}

    /**
     * The association's state, the requestor's part of the state machine of PS3.8 §9.2 (Table 9-10):
     * the states this SCU passes through.
     */
    public enum State {
        /** Sta5: A-ASSOCIATE-RQ sent, awaiting A-ASSOCIATE-AC or -RJ. */
        AWAITING_ASSOCIATE_RESPONSE,
        /** Sta6: association established, ready for data transfer. */
        ESTABLISHED,
        /** Sta7: A-RELEASE-RQ sent, awaiting A-RELEASE-RP. */
        AWAITING_RELEASE_RESPONSE,
        /** Sta1: idle; released, aborted or the connection is gone, and the socket is closed. */
        CLOSED
    }

    private static final int MAX_OTHER_PDU = 65536;
    private static final int MAX_COMMAND_BYTES = 65536;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private DicomNode node; // an accepted association: set from its A-ASSOCIATE-RQ
    private final ScuSettings settings;
    private List<PresentationContext> contexts = List.of();
    private long peerMaxPdu;
    private int lastMessageId;
    private volatile State state = State.AWAITING_ASSOCIATE_RESPONSE;

    private Association(Socket socket, DicomNode node, ScuSettings settings) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 65536);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 65536);
        this.node = node;
        this.settings = settings;
    }

    /**
     * Connects and negotiates, proposing Explicit and Implicit VR Little Endian for each abstract syntax.
     *
     * @return an established association with at least one accepted presentation context
     * @throws DicomTimeoutException         connect or A-ASSOCIATE-AC timeout
     * @throws AssociationRejectedException  A-ASSOCIATE-RJ
     * @throws AssociationAbortedException   A-ABORT or connection closed during negotiation
     * @throws DicomProtocolException        malformed answer, or no context accepted
     * @throws DicomException                connection refused, unknown host, other I/O errors
     */
    public static Association open(DicomNode node, ScuSettings settings, List<String> abstractSyntaxes)
            throws DicomException {
        List<PresentationContext> proposed = new ArrayList<>();
        for (int i = 0; i < abstractSyntaxes.size(); i++) {
            proposed.add(PresentationContext.propose(2 * i + 1, abstractSyntaxes.get(i)));
        }
        Socket socket = new Socket();
        Association as = null;
        // a TLS handshake that runs out of time is a timeout too (below)
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(node.host(), node.port()), millis(settings.connectTimeout()));
            if (node.tls() != null) {
                socket.setSoTimeout(millis(settings.associationTimeout()));
                socket = node.tls().handshake(socket, node);
            }
            as = new Association(socket, node, settings);
            as.negotiate(proposed);
            return as;
        } catch (SocketTimeoutException e) {
            closeQuietly(socket);
            throw new DicomTimeoutException("no connection to " + node + " within "
                    + settings.connectTimeout().toSeconds() + " s");
        } catch (ConnectException e) {
            closeQuietly(socket);
            throw new DicomException("connection to " + node + " refused", e);
        } catch (UnknownHostException e) {
            closeQuietly(socket);
            throw new DicomException("unknown host " + node.host() + " of " + node.aeTitle(), e);
        } catch (AssociationAbortedException e) {
            closeQuietly(socket);
            // a peer that asked for our certificate and then just closed (no A-ABORT) refused it
            throw node.tls() != null && !e.abortPdu() && DicomTls.clientCertificateRequested()
                    ? refusedCertificate(node, e)
                    : e;
        } catch (DicomException e) {
            closeQuietly(socket);
            throw e;
        } catch (SSLException e) {
            closeQuietly(socket);
            throw new DicomTlsException(DicomTls.reason(e, node, node.tls().clientCertificate()), e);
        } catch (IOException e) {
            // TLS 1.3: a peer that refuses our client certificate closes after our side finished the handshake;
            // its alert is still to be read, and says why
            SSLException alert = node.tls() != null ? DicomTls.pendingAlert(socket) : null;
            closeQuietly(socket);
            if (alert != null) {
                throw new DicomTlsException(
                        DicomTls.reason(alert, node, node.tls().clientCertificate()), alert);
            }
            if (node.tls() != null && DicomTls.clientCertificateRequested()) {
                throw refusedCertificate(node, e);
            }
            throw new DicomException("cannot associate with " + node + ": " + e.getMessage(), e);
        }
    }

    /**
     * What an SCP accepts ({@link #accept}): the requestor, and the SOP classes it serves.
     */
    public interface Acceptor {
        /**
         * Decides on a requestor before its contexts are looked at.
         *
         * @param from the requestor's address
         * @return null to go on, else the A-ASSOCIATE-RJ to answer (PS3.8 Table 9-21) with the reason to log
         */
        Rejection judge(Pdu.AssociateRq rq, InetAddress from);

        /** Whether the SCP serves this abstract syntax (SOP class). */
        boolean serves(String abstractSyntax);
    }

    /** An A-ASSOCIATE-RJ to answer, and why (for the log). */
    public record Rejection(Pdu.AssociateRj rj, String why) {}

    /**
     * Accepts an association on a connection a requestor opened to our SCP (PS3.8 §9.2, the acceptor's
     * states Sta2-Sta3-Sta6): reads its A-ASSOCIATE-RQ within the association timeout, rejects it when the
     * acceptor refuses the requestor or no proposed context is served (A-ASSOCIATE-RJ, rejected-permanent:
     * calling AE not recognized, or no reason given), else answers A-ASSOCIATE-AC accepting each served
     * context with Explicit VR Little Endian when proposed, else Implicit, and echoing the SCP/SCU role
     * selections proposed for served SOP classes (a Storage Commitment SCP that opens the association to send
     * N-EVENT-REPORT proposes the SCP role, PS3.4 §J.3.3).
     *
     * @return the established association, its peer named by the calling AE title and remote address
     * @throws DicomException when rejected (A-ASSOCIATE-RJ sent, the socket closed; the message says why), on
     *                        timeouts, protocol errors or a closed connection
     */
    public static Association accept(Socket socket, ScuSettings settings, Acceptor acceptor) throws DicomException {
        InetAddress from = socket.getInetAddress();
        Association as;
        try {
            socket.setTcpNoDelay(true);
            as = new Association(socket, new DicomNode("UNKNOWN", from.getHostAddress(), socket.getPort()), settings);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new DicomException("cannot read from " + from.getHostAddress() + ": " + e.getMessage(), e);
        }
        as.state = State.AWAITING_ASSOCIATE_RESPONSE; // Sta2: awaiting A-ASSOCIATE-RQ
        Pdu pdu = as.readPdu(deadline(settings.associationTimeout()), "A-ASSOCIATE-RQ");
        if (!(pdu instanceof Pdu.AssociateRq rq)) {
            as.abort(Pdu.ABORT_SOURCE_PROVIDER, Pdu.ABORT_UNEXPECTED_PDU);
            throw new DicomProtocolException("unexpected PDU type " + pdu.type() + " from " + from.getHostAddress()
                    + " instead of A-ASSOCIATE-RQ");
        }
        try {
            as.node = new DicomNode(rq.callingAe(), from.getHostAddress(), socket.getPort());
        } catch (IllegalArgumentException e) {
            as.reject(new Rejection(new Pdu.AssociateRj(1, 1, 3), "calling AE title invalid: " + e.getMessage()));
        }
        Rejection refused = acceptor.judge(rq, from);
        if (refused != null) {
            as.reject(refused);
        }
        List<PresentationContext> answered = new ArrayList<>();
        List<Pdu.RoleSelection> roles = new ArrayList<>();
        for (PresentationContext pc : rq.contexts()) {
            if (!acceptor.serves(pc.abstractSyntax())) {
                answered.add(new PresentationContext(pc.id(), pc.abstractSyntax(), List.of(), 3));
            } else if (pc.transferSyntaxes().contains(UID.ExplicitVRLittleEndian)) {
                answered.add(
                        new PresentationContext(pc.id(), pc.abstractSyntax(), List.of(UID.ExplicitVRLittleEndian), 0));
            } else if (pc.transferSyntaxes().contains(UID.ImplicitVRLittleEndian)) {
                answered.add(
                        new PresentationContext(pc.id(), pc.abstractSyntax(), List.of(UID.ImplicitVRLittleEndian), 0));
            } else {
                answered.add(new PresentationContext(pc.id(), pc.abstractSyntax(), List.of(), 4));
            }
        }
        if (answered.stream().noneMatch(PresentationContext::accepted)) {
            as.reject(new Rejection(
                    new Pdu.AssociateRj(1, 1, 1),
                    "no proposed SOP class is served: "
                            + rq.contexts().stream()
                                    .map(PresentationContext::abstractSyntax)
                                    .toList()));
        }
        for (Pdu.RoleSelection r : rq.roles()) {
            if (acceptor.serves(r.sopClassUid())) {
                roles.add(r);
            }
        }
        try {
            as.out.write(Pdu.associateAc(rq, answered, roles, settings.maxPduLength()));
            as.out.flush();
        } catch (IOException e) {
            as.state = State.CLOSED;
            closeQuietly(socket);
            throw new AssociationAbortedException(
                    "connection to " + as.node + " lost while accepting: " + e.getMessage());
        }
        as.contexts = List.copyOf(answered);
        as.peerMaxPdu = rq.maxPduLength();
        as.state = State.ESTABLISHED;
        return as;
    }

    /** Answers A-ASSOCIATE-RJ, closes, and throws. */
    private void reject(Rejection r) throws DicomException {
        try {
            out.write(r.rj().encode());
            out.flush();
        } catch (IOException ignored) {
            // the requestor is gone anyway
        }
        state = State.CLOSED;
        closeQuietly(socket);
        throw new DicomException("association from " + node.aeTitle() + "@" + node.host() + " rejected ("
                + AssociationRejectedException.reasonText(r.rj().source(), r.rj().reason()) + "): " + r.why());
    }

    /**
     * The peer asked for our certificate in the TLS handshake and closed the connection before answering
     * the A-ASSOCIATE-RQ (TLS 1.3 checks the client certificate after our side finished): it refused it.
     */
    private static DicomTlsException refusedCertificate(DicomNode node, IOException e) {
        return new DicomTlsException(
                "TLS to " + node + ": client certificate refused by the peer (it asked for one"
                        + " and closed the connection after the handshake: " + e.getMessage() + ")"
                        + (node.tls().clientCertificate()
                                ? "; it does not trust the certificate of tls-cert-file"
                                : "; it requires one: set tls-cert-file and tls-key-file"),
                e);
    }

    private void negotiate(List<PresentationContext> proposed) throws IOException {
        out.write(new Pdu.AssociateRq(node.aeTitle(), settings.callingAeTitle(), proposed, settings.maxPduLength())
                .encode());
        out.flush();
        Pdu pdu = readPdu(deadline(settings.associationTimeout()), "A-ASSOCIATE-AC");
        if (pdu instanceof Pdu.AssociateAc answer) {
            Pdu.AssociateAc ac = answer.named(proposed);
            contexts = ac.contexts();
            peerMaxPdu = ac.maxPduLength();
            state = State.ESTABLISHED;
            if (contexts.stream().noneMatch(PresentationContext::accepted)) {
                String why =
                        contexts.isEmpty() ? "none answered" : contexts.get(0).resultText();
                abort(Pdu.ABORT_SOURCE_USER, 0);
                throw new DicomProtocolException(node + " accepted no presentation context (" + why + ")");
            }
        } else if (pdu instanceof Pdu.AssociateRj rj) {
            state = State.CLOSED;
            closeQuietly(socket);
            throw new AssociationRejectedException(node.aeTitle(), rj.result(), rj.source(), rj.reason());
        } else if (pdu instanceof Pdu.Abort abort) {
            state = State.CLOSED;
            closeQuietly(socket);
            throw new AssociationAbortedException(
                    "association aborted by " + node.aeTitle() + " during negotiation "
                            + AssociationAbortedException.reasonText(abort.source(), abort.reason()),
                    true);
        } else {
            abort(Pdu.ABORT_SOURCE_PROVIDER, Pdu.ABORT_UNEXPECTED_PDU);
            throw new DicomProtocolException(
                    "unexpected PDU type " + pdu.type() + " from " + node + " instead of A-ASSOCIATE-AC");
        }
    }

    /** The peer this association is with. */
    public DicomNode node() {
        return node;
    }

    /**
     * The accepted presentation context for an abstract syntax.
     *
     * @throws DicomException when the peer did not accept it
     */
    public PresentationContext context(String abstractSyntax) throws DicomException {
        for (PresentationContext pc : contexts) {
            if (pc.abstractSyntax().equals(abstractSyntax)) {
                if (pc.accepted() && !pc.transferSyntaxes().isEmpty()) {
                    return pc;
                }
                throw new DicomException(node + " did not accept " + abstractSyntax + ": " + pc.resultText());
            }
        }
        throw new DicomException(node + " did not answer for " + abstractSyntax);
    }

    /** The peer's maximum P-DATA-TF length in bytes; 0 means unlimited. */
    public long peerMaxPduLength() {
        return peerMaxPdu;
    }

    /** The next Message ID (PS3.7 §9.1.1.1): 1, 2, … wrapping within 16 bits. */
    public int nextMessageId() {
        lastMessageId = (lastMessageId % 0xFFFF) + 1;
        return lastMessageId;
    }

    /** Whether the association is established (Sta6) and may carry DIMSE messages. */
    public boolean isOpen() {
        return state == State.ESTABLISHED;
    }

    /** The association's state (PS3.8 §9.2). */
    public State state() {
        return state;
    }

    /**
     * Sends a DIMSE message: the command in Implicit VR LE, then the data set in the context's
     * transfer syntax, each fragmented into PDVs within the peer's maximum PDU length.
     */
    public void send(PresentationContext pc, Attributes command, Attributes dataSet) throws DicomException {
        try {
            sendFragments(pc.id(), true, Dimse.encodeCommand(command));
            if (dataSet != null) {
                sendFragments(pc.id(), false, DataSetCodec.encode(dataSet, pc.explicitVr()));
            }
            out.flush();
        } catch (IOException e) {
            closeQuietly(socket);
            state = State.CLOSED;
            throw new AssociationAbortedException("connection to " + node + " lost while sending: " + e.getMessage());
        }
    }

    private void sendFragments(int contextId, boolean command, byte[] data) throws IOException {
        int max = peerMaxPdu == 0 || peerMaxPdu > (1 << 20) ? (1 << 20) : (int) peerMaxPdu - 6;
        max = Math.max(max, 1);
        int off = 0;
        do {
            int n = Math.min(max, data.length - off);
            out.write(Pdu.PDataTf.of(contextId, command, off + n == data.length, data, off, n)
                    .encode());
            off += n;
        } while (off < data.length);
    }

    /**
     * Receives the next DIMSE message within {@code timeout}.
     *
     * @param operation what we wait for, for messages ("C-FIND response")
     * @throws DicomTimeoutException        nothing complete within the timeout (association aborted)
     * @throws AssociationAbortedException  the peer aborted or closed the connection
     * @throws DicomProtocolException       malformed PDUs or data (association aborted)
     */
    public Message receive(Duration timeout, String operation) throws DicomException {
        return receive(timeout, operation, false);
    }

    /**
     * An accepted association's next request within {@code timeout} ({@link #receive}), or null when the
     * requestor released the association (A-RELEASE-RQ answered with A-RELEASE-RP, the socket closed).
     */
    public Message receiveRequest(Duration timeout) throws DicomException {
        return receive(timeout, "a request or A-RELEASE-RQ", true);
    }

    private Message receive(Duration timeout, String operation, boolean releaseEnds) throws DicomException {
        long deadline = deadline(timeout);
        PdvReassembler message =
                new PdvReassembler(MAX_COMMAND_BYTES, settings.maxDataSetBytes(), this::acceptedContext);
        try {
            while (true) {
                Pdu pdu = readPdu(deadline, operation);
                if (pdu instanceof Pdu.Abort abort) {
                    state = State.CLOSED;
                    closeQuietly(socket);
                    throw new AssociationAbortedException(
                            "association aborted by " + node.aeTitle() + " while waiting for " + operation + " "
                                    + AssociationAbortedException.reasonText(abort.source(), abort.reason()),
                            true);
                }
                if (releaseEnds && pdu instanceof Pdu.ReleaseRq) {
                    try {
                        out.write(new Pdu.ReleaseRp().encode());
                        out.flush();
                    } catch (IOException ignored) {
                        // released either way
                    }
                    state = State.CLOSED;
                    closeQuietly(socket);
                    return null;
                }
                if (!(pdu instanceof Pdu.PDataTf data)) {
                    abort(Pdu.ABORT_SOURCE_PROVIDER, Pdu.ABORT_UNEXPECTED_PDU);
                    throw new DicomProtocolException(
                            "unexpected PDU type " + pdu.type() + " from " + node + " while waiting for " + operation);
                }
                for (Pdu.Pdv pdv : data.pdvs()) {
                    Message m = message.add(pdv);
                    if (m != null) {
                        return m;
                    }
                }
            }
        } catch (DicomProtocolException e) {
            if (state == State.ESTABLISHED) {
                abort(Pdu.ABORT_SOURCE_PROVIDER, Pdu.ABORT_INVALID_PARAMETER);
            }
            throw e.getMessage() != null && e.getMessage().startsWith("protocol error from")
                    ? e
                    : protocol(e.getMessage());
        }
    }

    private PresentationContext acceptedContext(int id) {
        for (PresentationContext pc : contexts) {
            if (pc.id() == id && pc.accepted()) {
                return pc;
            }
        }
        return null;
    }

    private DicomProtocolException protocol(String what) {
        return new DicomProtocolException("protocol error from " + node + ": " + what);
    }

    /**
     * Waits up to {@code timeout} for the peer to send anything, without reading it and without
     * aborting when nothing comes (unlike {@link #receive}): a long operation (C-MOVE) can wait in
     * slices and still send C-CANCEL at its own deadline.
     *
     * @return true when data (or the end of the connection) is there to be received
     */
    public boolean awaitData(Duration timeout) throws DicomException {
        if (state == State.CLOSED) {
            return true; // receive() reports the closed connection
        }
        try {
            if (in.available() > 0) {
                return true;
            }
            socket.setSoTimeout(millis(timeout));
            in.mark(1);
            int b = in.read();
            if (b >= 0) {
                in.reset();
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            state = State.CLOSED;
            closeQuietly(socket);
            throw new AssociationAbortedException("connection to " + node + " lost: " + e.getMessage());
        }
    }

    /**
     * Releases the association (A-RELEASE-RQ, then A-RELEASE-RP within the association timeout;
     * P-DATA still in flight is discarded). Falls back to A-ABORT; never throws.
     */
    public void release() {
        if (state != State.ESTABLISHED) {
            state = State.CLOSED;
            closeQuietly(socket);
            return;
        }
        try {
            state = State.AWAITING_RELEASE_RESPONSE;
            out.write(new Pdu.ReleaseRq().encode());
            out.flush();
            long deadline = deadline(settings.associationTimeout());
            while (true) {
                Pdu pdu = readPdu(deadline, "A-RELEASE-RP");
                if (pdu instanceof Pdu.ReleaseRp || pdu instanceof Pdu.Abort) {
                    break;
                }
                if (pdu instanceof Pdu.ReleaseRq) { // release collision, PS3.8 §7.2.2
                    out.write(new Pdu.ReleaseRp().encode());
                    out.flush();
                    break;
                }
            }
            state = State.CLOSED;
            closeQuietly(socket);
        } catch (IOException e) {
            abort(Pdu.ABORT_SOURCE_USER, 0);
        }
    }

    /** Sends A-ABORT and closes the connection; never throws. */
    public void abort(int source, int reason) {
        state = State.CLOSED;
        try {
            out.write(new Pdu.Abort(source, reason).encode());
            out.flush();
        } catch (IOException ignored) {
            // the connection is going away anyway
        }
        closeQuietly(socket);
    }

    /** Releases when still open, else just closes the socket. */
    @Override
    public void close() {
        release();
    }

    /**
     * Reads and decodes one PDU before the deadline.
     *
     * @throws DicomProtocolException an unrecognized type or a PDU over its bound (both answered
     *                                with A-ABORT), or a malformed PDU
     */
    private Pdu readPdu(long deadline, String operation) throws DicomException {
        try {
            byte[] hdr = new byte[6];
            readFully(hdr, deadline);
            int type = hdr[0] & 0xFF;
            long len = ByteCodec.u32be(hdr, 2);
            if (type < Pdu.A_ASSOCIATE_RQ || type > Pdu.A_ABORT) {
                abort(Pdu.ABORT_SOURCE_PROVIDER, Pdu.ABORT_UNRECOGNIZED_PDU);
                throw new DicomProtocolException(String.format("unrecognized PDU type 0x%02X from %s", type, node));
            }
            long limit = type == Pdu.P_DATA_TF ? settings.maxPduLength() : MAX_OTHER_PDU;
            if (len > limit) {
                abort(Pdu.ABORT_SOURCE_PROVIDER, Pdu.ABORT_INVALID_PARAMETER);
                throw new DicomProtocolException("PDU of " + len + " bytes from " + node + " exceeds the " + limit
                        + " bytes we accept; association aborted");
            }
            byte[] body = new byte[(int) len];
            readFully(body, deadline);
            return Pdu.decode(type, body);
        } catch (SocketTimeoutException e) {
            abort(Pdu.ABORT_SOURCE_USER, 0);
            throw new DicomTimeoutException(
                    "no " + operation + " from " + node + " within the timeout" + "; association aborted");
        } catch (EOFException e) {
            state = State.CLOSED;
            closeQuietly(socket);
            throw new AssociationAbortedException("connection closed by " + node + " while waiting for " + operation);
        } catch (SSLException e) {
            // TLS 1.3: a peer that refuses our client certificate says so after our side finished the handshake
            state = State.CLOSED;
            closeQuietly(socket);
            throw new DicomTlsException(
                    DicomTls.reason(e, node, node.tls() != null && node.tls().clientCertificate()), e);
        } catch (DicomException e) {
            throw e;
        } catch (IOException e) {
            state = State.CLOSED;
            closeQuietly(socket);
            throw new AssociationAbortedException(
                    "connection to " + node + " lost while waiting for " + operation + ": " + e.getMessage());
        }
    }

    private void readFully(byte[] buf, long deadline) throws IOException {
        int off = 0;
        while (off < buf.length) {
            long left = deadline - System.nanoTime() / 1_000_000;
            if (left <= 0) {
                throw new SocketTimeoutException();
            }
            socket.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
            int n = in.read(buf, off, buf.length - off);
            if (n < 0) {
                throw new EOFException();
            }
            off += n;
        }
    }

    private static long deadline(Duration timeout) {
        return System.nanoTime() / 1_000_000 + Math.max(1, timeout.toMillis());
    }

    private static int millis(Duration d) {
        return (int) Math.min(Math.max(1, d.toMillis()), Integer.MAX_VALUE);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }
}
