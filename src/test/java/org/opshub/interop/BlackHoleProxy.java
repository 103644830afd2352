package org.opshub.interop;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy on loopback that can turn into a black hole: while it is one, connections stay open
 * and bytes are accepted, but nothing is forwarded either way (a half-open peer, a cut cable).
 */
final class BlackHoleProxy implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final int target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean hole;

    BlackHoleProxy(int targetPort) throws IOException {
        this.target = targetPort;
        Thread t = new Thread(this::accept, "black-hole-proxy");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Stops (true) or resumes (false) forwarding on every connection, old and new. */
    void blackHole(boolean on) {
        hole = on;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                Thread c = new Thread(() -> connect(client), "black-hole-proxy-conn");
                c.setDaemon(true);
                c.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void connect(Socket client) {
        try {
            while (hole) {
                Thread.sleep(50); // a new connection during the outage gets no answer at all
            }
            Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
            sockets.add(upstream);
            pump(client, upstream);
            pump(upstream, client);
        } catch (IOException | InterruptedException e) {
            close(client);
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(
                () -> {
                    byte[] buf = new byte[8192];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buf)) >= 0) {
                            while (hole && !from.isClosed()) {
                                Thread.sleep(50); // hold the bytes: the peer sees silence
                            }
                            out.write(buf, 0, n);
                            out.flush();
                        }
                    } catch (IOException | InterruptedException e) {
                        // one side closed
                    } finally {
                        close(from);
                        close(to);
                    }
                },
                "black-hole-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        sockets.forEach(BlackHoleProxy::close);
    }
}
