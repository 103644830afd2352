package org.opshub.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opshub.pacs.PacsSettings;

/**
 * The TLS settings of a node (errors name the property) and a peer that refuses our TLS versions.
 * Certificates, trust, host names and client certificates against Orthanc are in
 * {@code PacsTlsInteropTest}.
 */
class DicomTlsTest {
    @TempDir
    Path dir;

    private Path ca() throws Exception {
        Process p = new ProcessBuilder(
                        "openssl",
                        "req",
                        "-x509",
                        "-newkey",
                        "rsa:2048",
                        "-nodes",
                        "-keyout",
                        "ca.key",
                        "-out",
                        "ca.pem",
                        "-days",
                        "1",
                        "-subj",
                        "/CN=unit CA")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return dir.resolve("ca.pem");
    }

    private static String error(Map<String, String> node) {
        Map<String, String> p = new HashMap<>(Map.of("pacs.nodes.a.host", "10.0.0.1", "pacs.nodes.a.ae-title", "A"));
        p.putAll(node);
        return assertThrows(IllegalArgumentException.class, () -> PacsSettings.from(p.keySet(), p::get))
                .getMessage();
    }

    @Test
    void settingsErrorsNameTheProperty() throws Exception {
        assertEquals(
                "pacs.nodes.a.tls-ca-file is required with pacs.nodes.a.tls=true (the PEM bundle of the CA that"
                        + " signed the node's certificate)",
                error(Map.of("pacs.nodes.a.tls", "true")));
        assertEquals("pacs.nodes.a.tls=yes is not true or false", error(Map.of("pacs.nodes.a.tls", "yes")));
        assertEquals(
                "pacs.nodes.a.tls-ca-file is set but pacs.nodes.a.tls is not true",
                error(Map.of("pacs.nodes.a.tls-ca-file", "ca.pem")));
        assertTrue(error(Map.of(
                        "pacs.nodes.a.tls",
                        "true",
                        "pacs.nodes.a.tls-ca-file",
                        dir.resolve("none.pem").toString()))
                .startsWith("pacs.nodes.a.tls-ca-file=" + dir.resolve("none.pem") + " cannot be read"));
        Files.writeString(dir.resolve("junk.pem"), "not a certificate");
        assertEquals(
                "pacs.nodes.a.tls-ca-file=" + dir.resolve("junk.pem") + " is not a PEM certificate bundle",
                error(Map.of(
                        "pacs.nodes.a.tls",
                        "true",
                        "pacs.nodes.a.tls-ca-file",
                        dir.resolve("junk.pem").toString())));
        Path ca = ca();
        assertEquals(
                "pacs.nodes.a.tls-cert-file and pacs.nodes.a.tls-key-file go together (mutual TLS): set both or neither",
                error(Map.of(
                        "pacs.nodes.a.tls",
                        "true",
                        "pacs.nodes.a.tls-ca-file",
                        ca.toString(),
                        "pacs.nodes.a.tls-cert-file",
                        ca.toString())));
        assertTrue(error(Map.of(
                        "pacs.nodes.a.tls",
                        "true",
                        "pacs.nodes.a.tls-ca-file",
                        ca.toString(),
                        "pacs.nodes.a.tls-cert-file",
                        ca.toString(),
                        "pacs.nodes.a.tls-key-file",
                        dir.resolve("junk.pem").toString()))
                .startsWith("pacs.nodes.a.tls-cert-file=" + ca + " / tls-key-file=" + dir.resolve("junk.pem")
                        + " are not a PEM certificate and private key"));
        assertEquals(
                "pacs.nodes.a.tls-verify-hostname=no is not true or false",
                error(Map.of(
                        "pacs.nodes.a.tls",
                        "true",
                        "pacs.nodes.a.tls-ca-file",
                        ca.toString(),
                        "pacs.nodes.a.tls-verify-hostname",
                        "no")));
        Map<String, String> ok = Map.of(
                "pacs.nodes.a.host",
                "10.0.0.1",
                "pacs.nodes.a.ae-title",
                "A",
                "pacs.nodes.a.tls",
                "true",
                "pacs.nodes.a.tls-ca-file",
                ca.toString());
        assertEquals(
                "dimse-tls",
                PacsSettings.from(ok.keySet(), ok::get).nodes().get("a").transport());
    }

    @Test
    void aPeerThatRefusesOurTlsVersionsIsReportedAsSuch() throws Exception {
        DicomTls tls = DicomTls.fromPem(ca(), null, null, true, "pacs.nodes.a.");
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread peer = new Thread(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    in.read(new byte[5]); // the ClientHello's record header
                    OutputStream out = s.getOutputStream();
                    // a TLS alert record: fatal (2), protocol_version (70), RFC 8446 §6
                    out.write(new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46});
                    out.flush();
                    Thread.sleep(500);
                } catch (Exception ignored) {
                    // the test reads the client's side
                }
            });
            peer.start();
            DicomNode node = new DicomNode("OLD", "127.0.0.1", server.getLocalPort(), tls);
            DicomTlsException e = assertThrows(
                    DicomTlsException.class,
                    () -> Association.open(
                            node,
                            new ScuSettings(
                                    "OPSHUB",
                                    Duration.ofSeconds(2),
                                    Duration.ofSeconds(2),
                                    Duration.ofSeconds(2),
                                    65536,
                                    1 << 20),
                            List.of(UID.Verification)));
            assertTrue(
                    e.getMessage()
                            .startsWith("TLS to OLD@127.0.0.1:" + server.getLocalPort() + ": protocol version refused"),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("opshub speaks TLS 1.2 and 1.3 only"), e.getMessage());
            peer.join();
        }
    }
}
