package org.opshub.dicom;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny SCP on loopback that plays a peer, well-behaved or hostile, for one association at a
 * time. It records whether our side closed the connection afterwards (no leaked socket).
 */
public final class TestScp implements AutoCloseable {
    public enum Mode {
        ECHO_OK,
        REJECT_CALLED_AE,
        GARBAGE,
        OVERSIZED_PDU,
        ABORT_MID_FIND,
        SILENT,
        FIND_ONE_CYRILLIC,
        /** answers a C-FIND with a match in a character set no table knows ({@code ISO 2022 IR}) */
        FIND_BROKEN_CHARSET,
        /** answers a C-FIND with up to a million pending responses, as fast as they are read */
        STREAM_PENDING,
        /**
         * a PACS that caps C-FIND answers at {@link #CAP} (as Orthanc's LimitFindResults): serves
         * {@link #STUDY_TIMES} matched by the StudyTime range of each query, any number of queries
         * per association, and reads (and ignores) C-CANCEL
         */
        CAPPED,
        /** answers a C-MOVE with pending responses (2, 1, 0 remaining of 3), then success with 3 completed */
        MOVE_OK,
        /** answers a C-MOVE with 0xA801 (move destination unknown) */
        MOVE_UNKNOWN_DESTINATION,
        /** answers a C-MOVE with one pending response, then nothing until C-CANCEL, then 0xFE00 */
        MOVE_SLOW,
        /**
         * a PACS without list-of-UID matching: a C-FIND whose StudyInstanceUID holds a backslash gets
         * 0xA900; one UID is matched against {@code 1.2.3.0} … {@code 1.2.3.7}; any number of queries
         */
        FIND_NO_LISTS
    }

    /** The last C-MOVE-RQ command set and identifier received. */
    public volatile Attributes moveCommand;

    public volatile Attributes moveIdentifier;

    /** The cap of CAPPED. */
    public static final int CAP = 3;
    /** The StudyTime of each study CAPPED holds (StudyInstanceUID 1.2.3.<index>); two share 10:00:00. */
    public static final List<String> STUDY_TIMES =
            List.of("080000", "093000", "100000", "100000", "121500", "140000", "183059", "235959");

    private final AtomicInteger queries = new AtomicInteger();

    /** Pending responses STREAM_PENDING sends at most. */
    public static final int STREAMED = 1_000_000;

    private final AtomicBoolean cancelSeen = new AtomicBoolean();
    private final AtomicInteger streamed = new AtomicInteger();

    private final ServerSocket server;
    private final Mode mode;
    private final Thread thread;
    private final AtomicBoolean peerClosed = new AtomicBoolean();
    private volatile CountDownLatch done = new CountDownLatch(1);

    public TestScp(Mode mode) throws IOException {
        this.mode = mode;
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        thread = new Thread(this::serve, "test-scp-" + mode);
        thread.setDaemon(true);
        thread.start();
    }

    /** Whether a C-CANCEL-RQ arrived during a STREAM_PENDING C-FIND. */
    public boolean cancelSeen() {
        return cancelSeen.get();
    }

    /** C-FIND requests CAPPED answered. */
    public int queries() {
        return queries.get();
    }

    /** Pending responses STREAM_PENDING managed to write. */
    public int streamed() {
        return streamed.get();
    }

    public int port() {
        return server.getLocalPort();
    }

    public DicomNode node() {
        return new DicomNode("TESTSCP", "127.0.0.1", port());
    }

    /** True when, after the last association, our client closed the TCP connection (EOF seen) within 5 s. */
    public boolean clientClosed() throws InterruptedException {
        return done.await(5, TimeUnit.SECONDS) && peerClosed.get();
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                done = new CountDownLatch(1);
                peerClosed.set(false);
                handle(s, new DataInputStream(s.getInputStream()), s.getOutputStream());
                // wait for the client to close (EOF) or give up after 10 s
                s.setSoTimeout(10_000);
                try {
                    while (s.getInputStream().read() >= 0) {
                        // drain
                    }
                    peerClosed.set(true);
                } catch (IOException e) {
                    peerClosed.set(e.getMessage() != null && e.getMessage().contains("reset"));
                }
                done.countDown();
            } catch (IOException e) {
                done.countDown();
            }
        }
    }

    private void handle(Socket s, DataInputStream in, OutputStream out) throws IOException {
        byte[][] rq = readPdu(in);
        switch (mode) {
            case REJECT_CALLED_AE -> out.write(new Pdu.AssociateRj(1, 1, 7).encode());
            case GARBAGE ->
                out.write("HTTP/1.1 400 Bad Request\r\n\r\nnot dicom at all".getBytes(StandardCharsets.US_ASCII));
            case OVERSIZED_PDU ->
                out.write(new byte[] {Pdu.A_ASSOCIATE_AC, 0, 0x7F, (byte) 0xFF, (byte) 0xFF, (byte) 0xF0});
            case SILENT -> {} // never answers; the client must time out and close
            default -> {
                out.write(associateAc(rq[1]));
                out.flush();
                Association.Message m = readMessage(in);
                int id = m.command().getInt(Tag.MessageID, 0);
                int field = m.command().getInt(Tag.CommandField, 0);
                if (field == Dimse.C_ECHO_RQ) {
                    sendCommand(out, rsp(Dimse.C_ECHO_RSP, id, 0, false), null);
                } else if (mode == Mode.ABORT_MID_FIND) {
                    readMessage(in);
                    sendCommand(
                            out,
                            rsp(Dimse.C_FIND_RSP, id, 0xFF00, true),
                            match("ISO_IR 192", "Иванов^Иван".getBytes(StandardCharsets.UTF_8)));
                    out.write(new Pdu.Abort(Pdu.ABORT_SOURCE_PROVIDER, Pdu.ABORT_UNEXPECTED_PDU).encode());
                    out.flush();
                    return;
                } else if (mode == Mode.CAPPED) {
                    capped(in, out, m);
                    return;
                } else if (mode == Mode.FIND_NO_LISTS) {
                    noLists(in, out, m);
                    return;
                } else if (field == Dimse.C_MOVE_RQ) {
                    moveCommand = m.command();
                    moveIdentifier = readMessage(in).command();
                    move(in, out, id);
                } else if (mode == Mode.STREAM_PENDING) {
                    readMessage(in);
                    stream(s, in, out, id);
                    return;
                } else if (mode == Mode.FIND_BROKEN_CHARSET) {
                    readMessage(in);
                    sendCommand(
                            out,
                            rsp(Dimse.C_FIND_RSP, id, 0xFF00, true),
                            match("ISO 2022 IR", "Иванов^Иван".getBytes("ISO-8859-5")));
                    sendCommand(out, rsp(Dimse.C_FIND_RSP, id, 0x0000, false), null);
                } else if (mode == Mode.FIND_ONE_CYRILLIC) {
                    readMessage(in);
                    sendCommand(
                            out,
                            rsp(Dimse.C_FIND_RSP, id, 0xFF00, true),
                            match("ISO_IR 144", "Иванов^Иван".getBytes("ISO-8859-5")));
                    sendCommand(out, rsp(Dimse.C_FIND_RSP, id, 0x0000, false), null);
                }
                out.flush();
                // answer A-RELEASE-RQ
                byte[][] rel = readPdu(in);
                if (rel[0][0] == Pdu.A_RELEASE_RQ) {
                    out.write(new Pdu.ReleaseRp().encode());
                }
            }
        }
        out.flush();
    }

    /**
     * Answers C-FIND requests until A-RELEASE-RQ: the studies whose StudyTime is in the query's
     * range, at most {@link #CAP}, then success; C-CANCEL requests are read and ignored.
     */
    private void capped(DataInputStream in, OutputStream out, Association.Message first) throws IOException {
        Association.Message m = first;
        while (true) {
            int field = m.command().getInt(Tag.CommandField, 0);
            if (field == Dimse.C_FIND_RQ) {
                int id = m.command().getInt(Tag.MessageID, 0);
                Attributes keys = readMessage(in).command(); // the identifier's PDV
                String range = keys.getString(Tag.StudyTime);
                String from = range == null || range.isEmpty() ? "000000" : range.split("-")[0];
                String to = range == null || range.isEmpty() ? "235959" : range.split("-")[1];
                queries.incrementAndGet();
                int sent = 0;
                for (int i = 0; i < STUDY_TIMES.size() && sent < CAP; i++) {
                    String t = STUDY_TIMES.get(i);
                    if (t.compareTo(from) >= 0 && t.compareTo(to) <= 0) {
                        Attributes a = new Attributes()
                                .setString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY")
                                .setString(Tag.StudyInstanceUID, Vr.UI, "1.2.3." + i)
                                .setString(Tag.StudyDate, Vr.DA, "20261130")
                                .setString(Tag.StudyTime, Vr.TM, t);
                        sendCommand(out, rsp(Dimse.C_FIND_RSP, id, 0xFF00, true), DataSetCodec.encode(a, false));
                        sent++;
                    }
                }
                sendCommand(out, rsp(Dimse.C_FIND_RSP, id, 0x0000, false), null);
                out.flush();
            }
            byte[][] next = readPdu(in);
            if (next[0][0] == Pdu.A_RELEASE_RQ) {
                out.write(new Pdu.ReleaseRp().encode());
                out.flush();
                return;
            }
            if (next[0][0] != Pdu.P_DATA_TF) {
                return;
            }
            m = pdv(next[1]);
        }
    }

    private void move(DataInputStream in, OutputStream out, int id) throws IOException {
        if (mode == Mode.MOVE_UNKNOWN_DESTINATION) {
            sendCommand(out, moveRsp(id, 0xA801, -1, 0, 0, 0), null);
        } else if (mode == Mode.MOVE_SLOW) {
            sendCommand(out, moveRsp(id, 0xFF00, 5, 1, 0, 0), null);
            out.flush();
            Association.Message cancel = readMessage(in);
            if (cancel.command().getInt(Tag.CommandField, 0) == Dimse.C_CANCEL_RQ) {
                cancelSeen.set(true);
            }
            sendCommand(out, moveRsp(id, 0xFE00, 4, 1, 0, 0), null);
        } else {
            for (int remaining = 2; remaining >= 0; remaining--) {
                sendCommand(out, moveRsp(id, 0xFF00, remaining, 3 - remaining, 0, 0), null);
            }
            sendCommand(out, moveRsp(id, 0x0000, -1, 3, 0, 0), null);
        }
    }

    /** A C-MOVE-RSP command set, PS3.7 Table 9.3-6 (remaining -1: absent, as in a final response). */
    private static Attributes moveRsp(int id, int status, int remaining, int completed, int failed, int warning) {
        Attributes a = new Attributes()
                .setString(Tag.AffectedSOPClassUID, Vr.UI, UID.StudyRootQueryRetrieveMove)
                .setUnsignedShort(Tag.CommandField, Dimse.C_MOVE_RSP)
                .setUnsignedShort(Tag.MessageIDBeingRespondedTo, id)
                .setUnsignedShort(Tag.CommandDataSetType, Dimse.NO_DATA_SET)
                .setUnsignedShort(Tag.Status, status)
                .setUnsignedShort(Tag.NumberOfCompletedSuboperations, completed)
                .setUnsignedShort(Tag.NumberOfFailedSuboperations, failed)
                .setUnsignedShort(Tag.NumberOfWarningSuboperations, warning);
        if (remaining >= 0) {
            a.setUnsignedShort(Tag.NumberOfRemainingSuboperations, remaining);
        }
        if (status == 0xA801) {
            a.setString(Tag.ErrorComment, Vr.LO, "Unknown destination");
        }
        return a;
    }

    /** FIND_NO_LISTS: C-FIND requests until A-RELEASE-RQ; a UID list is refused with 0xA900. */
    private void noLists(DataInputStream in, OutputStream out, Association.Message first) throws IOException {
        Association.Message m = first;
        while (true) {
            int id = m.command().getInt(Tag.MessageID, 0);
            Attributes keys = readMessage(in).command();
            queries.incrementAndGet();
            String uid = keys.getString(Tag.StudyInstanceUID);
            if (uid != null && uid.contains("\\")) {
                sendCommand(out, rsp(Dimse.C_FIND_RSP, id, 0xA900, false), null);
            } else {
                if (uid != null && uid.matches("1\\.2\\.3\\.[0-7]")) {
                    Attributes a = new Attributes()
                            .setString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY")
                            .setString(Tag.StudyInstanceUID, Vr.UI, uid)
                            .setString(Tag.StudyDate, Vr.DA, "20261130");
                    sendCommand(out, rsp(Dimse.C_FIND_RSP, id, 0xFF00, true), DataSetCodec.encode(a, false));
                }
                sendCommand(out, rsp(Dimse.C_FIND_RSP, id, 0x0000, false), null);
            }
            out.flush();
            byte[][] next = readPdu(in);
            if (next[0][0] != Pdu.P_DATA_TF) {
                out.write(new Pdu.ReleaseRp().encode());
                out.flush();
                return;
            }
            m = pdv(next[1]);
        }
    }

    /** Pending responses until STREAMED or the client goes away; a reader notes C-CANCEL meanwhile. */
    private void stream(Socket s, DataInputStream in, OutputStream out, int id) throws IOException {
        Thread reader = new Thread(
                () -> {
                    try {
                        while (true) {
                            byte[][] pdu = readPdu(in);
                            if (pdu[0][0] == Pdu.P_DATA_TF) {
                                if (pdv(pdu[1]).command().getInt(Tag.CommandField, 0) == Dimse.C_CANCEL_RQ) {
                                    cancelSeen.set(true);
                                }
                            } else {
                                return; // A-ABORT or A-RELEASE-RQ
                            }
                        }
                    } catch (IOException | RuntimeException e) {
                        // the client closed the connection
                    }
                },
                "test-scp-cancel-reader");
        reader.setDaemon(true);
        reader.start();
        ByteArrayOutputStream one = new ByteArrayOutputStream();
        sendCommand(
                one,
                rsp(Dimse.C_FIND_RSP, id, 0xFF00, true),
                match("ISO_IR 192", "Test^Patient".getBytes(StandardCharsets.UTF_8)));
        byte[] rsp = one.toByteArray();
        OutputStream buffered = new BufferedOutputStream(out, 1 << 16);
        try {
            for (int i = 0; i < STREAMED; i++) {
                buffered.write(rsp);
                streamed.incrementAndGet();
            }
            buffered.flush();
        } catch (IOException e) {
            // the client aborted: expected
        }
        try {
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            s.shutdownOutput();
        } catch (IOException e) {
            // the client aborted and reset the connection first: the drain in serve() sees that it closed
        }
    }

    private static byte[] match(String charset, byte[] name) {
        Attributes a = new Attributes()
                .setString(Tag.SpecificCharacterSet, Vr.CS, charset)
                .setString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY")
                .set(Tag.PatientName, Vr.PN, name)
                .setString(Tag.StudyInstanceUID, Vr.UI, "1.2.3.4");
        return DataSetCodec.encode(a, false);
    }

    private static Attributes rsp(int field, int id, int status, boolean data) {
        return new Attributes()
                .setString(Tag.AffectedSOPClassUID, Vr.UI, UID.StudyRootQueryRetrieveFind)
                .setUnsignedShort(Tag.CommandField, field)
                .setUnsignedShort(Tag.MessageIDBeingRespondedTo, id)
                .setUnsignedShort(Tag.CommandDataSetType, data ? 1 : Dimse.NO_DATA_SET)
                .setUnsignedShort(Tag.Status, status);
    }

    private static void sendCommand(OutputStream out, Attributes cmd, byte[] data) throws IOException {
        byte[] c = Dimse.encodeCommand(cmd);
        out.write(Pdu.PDataTf.of(1, true, true, c, 0, c.length).encode());
        if (data != null) {
            out.write(Pdu.PDataTf.of(1, false, true, data, 0, data.length).encode());
        }
    }

    /** A-ASSOCIATE-AC accepting presentation context 1 with Implicit VR Little Endian, max PDU 16384. */
    static byte[] associateAc(byte[] rqBody) {
        byte[] body = new byte[68];
        System.arraycopy(rqBody, 0, body, 0, 68);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(body);
        byte[] ac = UID.ApplicationContext.getBytes(StandardCharsets.US_ASCII);
        b.writeBytes(new byte[] {0x10, 0, 0, (byte) ac.length});
        b.writeBytes(ac);
        byte[] ts = UID.ImplicitVRLittleEndian.getBytes(StandardCharsets.US_ASCII);
        b.writeBytes(new byte[] {0x21, 0, 0, (byte) (8 + ts.length), 1, 0, 0, 0, 0x40, 0, 0, (byte) ts.length});
        b.writeBytes(ts);
        b.writeBytes(new byte[] {0x50, 0, 0, 8, 0x51, 0, 0, 4, 0, 0, 0x40, 0});
        byte[] acBody = b.toByteArray();
        byte[] pdu = new byte[6 + acBody.length];
        pdu[0] = Pdu.A_ASSOCIATE_AC;
        ByteCodec.put32be(pdu, 2, acBody.length);
        System.arraycopy(acBody, 0, pdu, 6, acBody.length);
        return pdu;
    }

    private static Association.Message readMessage(DataInputStream in) throws IOException {
        return pdv(readPdu(in)[1]);
    }

    /** The one PDV of a P-DATA-TF body, decoded: its context id and data set (the AC accepted Implicit VR only). */
    private static Association.Message pdv(byte[] body) throws IOException {
        int len = (int) ByteCodec.u32be(body, 0);
        return new Association.Message(body[4], DataSetCodec.decode(Arrays.copyOfRange(body, 6, 4 + len), false), null);
    }

    static byte[][] readPdu(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        byte[] h = new byte[6];
        d.readFully(h);
        byte[] body = new byte[(int) ByteCodec.u32be(h, 2)];
        d.readFully(body);
        return new byte[][] {{h[0]}, body};
    }

    @Override
    public void close() throws IOException {
        server.close();
        thread.interrupt();
    }
}
