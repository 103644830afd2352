package org.opshub.telegram;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A SOCKS5 proxy for the tests (RFC 1928 CONNECT, RFC 1929 username/password), on loopback. It
 * records every CONNECT target and refuses wrong credentials.
 */
final class Socks5Proxy implements AutoCloseable {
    private final ServerSocket server;
    private final String user;
    private final String password;
    final List<Integer> connectedPorts = new CopyOnWriteArrayList<>();
    final List<String> refusedUsers = new CopyOnWriteArrayList<>();

    Socks5Proxy(String user, String password) throws IOException {
        this(user, password, 0);
    }

    /** On a given loopback port (0: any free one). */
    Socks5Proxy(String user, String password, int port) throws IOException {
        this.user = user;
        this.password = password;
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        Thread t = new Thread(this::acceptLoop, "socks5-proxy");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread t = new Thread(() -> serve(client), "socks5-client");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            DataInputStream in = new DataInputStream(client.getInputStream());
            OutputStream out = client.getOutputStream();
            if (in.readUnsignedByte() != 5) {
                return;
            }
            byte[] methods = in.readNBytes(in.readUnsignedByte());
            boolean offersPassword = new String(methods, StandardCharsets.ISO_8859_1).indexOf(2) >= 0;
            if (!offersPassword) {
                out.write(new byte[] {5, (byte) 0xff});
                return;
            }
            out.write(new byte[] {5, 2});
            in.readUnsignedByte(); // sub-negotiation version 1
            String u = new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.UTF_8);
            String p = new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.UTF_8);
            if (!u.equals(user) || !p.equals(password)) {
                refusedUsers.add(u);
                out.write(new byte[] {1, 1});
                return;
            }
            out.write(new byte[] {1, 0});
            in.readUnsignedByte();
            int cmd = in.readUnsignedByte();
            in.readUnsignedByte();
            int atyp = in.readUnsignedByte();
            String host = switch (atyp) {
                case 1 -> InetAddress.getByAddress(in.readNBytes(4)).getHostAddress();
                case 4 -> InetAddress.getByAddress(in.readNBytes(16)).getHostAddress();
                default -> new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.US_ASCII);
            };
            int port = in.readUnsignedShort();
            if (cmd != 1) {
                out.write(new byte[] {5, 7, 0, 1, 0, 0, 0, 0, 0, 0});
                return;
            }
            try (Socket target = new Socket(host, port)) {
                connectedPorts.add(port);
                out.write(new byte[] {5, 0, 0, 1, 127, 0, 0, 1, 0, 0});
                Thread up = new Thread(() -> pipe(in, target), "socks5-up");
                up.setDaemon(true);
                up.start();
                pipe(target.getInputStream(), out);
            }
        } catch (IOException e) {
            // client or target went away
        }
    }

    private static void pipe(InputStream from, Socket to) {
        try {
            pipe(from, to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException e) {
            // closed
        }
    }

    private static void pipe(InputStream from, OutputStream to) throws IOException {
        byte[] buf = new byte[8192];
        int n;
        while ((n = from.read(buf)) > 0) {
            to.write(buf, 0, n);
            to.flush();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
