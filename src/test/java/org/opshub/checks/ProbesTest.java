package org.opshub.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opshub.HubRunner;

/** The probes against real sockets on loopback and the real file system. */
class ProbesTest {
    private final Probes probes = new Probes();

    /** A line server: answers "PONG <line>" to every line, after an optional banner. */
    private static ServerSocket pongServer(String banner) throws IOException {
        ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    OutputStream out = s.getOutputStream();
                    out.write(banner.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    InputStream in = s.getInputStream();
                    StringBuilder line = new StringBuilder();
                    int c;
                    while ((c = in.read()) >= 0) {
                        if (c == '\n') {
                            out.write(("PONG " + line + "\n").getBytes(StandardCharsets.UTF_8));
                            out.flush();
                            line.setLength(0);
                        } else {
                            line.append((char) c);
                        }
                    }
                } catch (IOException e) {
                    // next
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return server;
    }

    @Test
    void tcpSendAndExpect() throws Exception {
        try (ServerSocket server = pongServer("")) {
            ProbeResult ok =
                    probes.tcp("127.0.0.1", server.getLocalPort(), "atto\\n", "^PONG atto$|PONG atto\\n", "2s");
            assertTrue(ok.success(), ok.detail());
            ProbeResult wrong = probes.tcp("127.0.0.1", server.getLocalPort(), "x\\n", "^READY", "300ms");
            assertFalse(wrong.success());
            assertEquals("reply does not match /^READY/: \"PONG x\"", wrong.detail());
        }
    }

    @Test
    void tcpBannerConnectOnlyRefusedAndUnknownHost() throws Exception {
        try (ServerSocket server = pongServer("220 smtp ready\r\n")) {
            assertTrue(probes.tcp("127.0.0.1", server.getLocalPort(), " ", "^220 ", "2s")
                    .success());
            ProbeResult connect = probes.tcp("127.0.0.1", server.getLocalPort(), "", "", "2s");
            assertTrue(connect.success());
            assertEquals("connected to 127.0.0.1:" + server.getLocalPort(), connect.detail());
        }
        int closed = HubRunner.freePort();
        ProbeResult refused = probes.tcp("127.0.0.1", closed, "", "", "1s");
        assertFalse(refused.success());
        assertTrue(refused.detail().contains("Connection refused"), refused.detail());
        ProbeResult unknown = probes.tcp("no-such-host.invalid", 80, "", "", "1s");
        assertFalse(unknown.success());
        assertTrue(unknown.detail().startsWith("no-such-host.invalid:80: "), unknown.detail());
    }

    @Test
    void diskUsageAgainstTheThreshold(@TempDir Path dir) {
        ProbeResult fine = probes.disk(dir.toString(), 100);
        assertTrue(fine.success(), fine.detail());
        assertTrue(
                fine.detail().matches("\\d+\\.\\d % used of \\d+\\.\\d GiB on .* \\(max 100\\.0 %\\)"), fine.detail());
        assertFalse(probes.disk(dir.toString(), -1).success());
        ProbeResult missing = probes.disk(dir.resolve("absent").toString(), 90);
        assertFalse(missing.success());
        assertTrue(missing.detail().contains("NoSuchFileException"), missing.detail());
    }

    @Test
    void pingOfLoopbackAnswers() {
        ProbeResult r = probes.ping("127.0.0.1", "2s");
        assertTrue(r.success(), r.detail());
        assertEquals("127.0.0.1 answers", r.detail());
        assertFalse(probes.ping("no-such-host.invalid", "1s").success());
    }

    @Test
    void statusSpecsAndJsonValues() {
        assertTrue(Probes.statusMatches(204, "2xx"));
        assertFalse(Probes.statusMatches(301, "2xx"));
        assertTrue(Probes.statusMatches(301, "200-204, 301"));
        assertTrue(Probes.statusMatches(404, "200,404"));
        assertThrows(IllegalArgumentException.class, () -> Probes.statusMatches(200, "ok"));
        assertEquals("true", Probes.jsonValue("{\"license\":{\"valid\":true}}", "$.license.valid"));
        assertEquals("3", Probes.jsonValue("{\"items\":[{\"n\":3}]}", "$.items[*].n"));
        assertEquals("active", Probes.jsonValue("{\"status\":\"active\"}", "$.status"));
    }
}
