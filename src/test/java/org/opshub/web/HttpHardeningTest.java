package org.opshub.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opshub.HubRunner;
import org.opshub.config.ConfigException;
import org.opshub.telegram.FakeBotApi;

/**
 * The HTTP port's guards hold against clients that write paths, TLS and timing their own way:
 * the re-send guard decides on the route a path reaches, the web config's TLS fields and headers
 * are applied (never accepted and ignored), slow and idle clients are cut off, and wrong passwords
 * back off. All on loopback.
 */
class HttpHardeningTest {
    @TempDir
    Path tmp;

    private static BoundHttp.Answer raw(int port, String method, String path, String body, String... headers)
            throws Exception {
        return new BoundHttp("127.0.0.1", null).request(method, "127.0.0.1", port, path, body, headers);
    }

    @Test
    void aResendWithoutAUserIsRefusedHoweverItsPathIsWritten() throws Exception {
        try (HubRunner hub = new HubRunner(Map.of())) {
            for (String path : List.of(
                    "/pacs/missing/main/1.2.3/resend",
                    "/pacs/missing/main/1.2.3/resend/",
                    "/pacs/missing/main/1.2.3//resend",
                    "/pacs/missing/main/1.2.3/RESEND",
                    "/pacs/missing/main/1.2.3/%72esend",
                    "/pacs//missing/main/1.2.3/resend",
                    "/pacs/missing/main/1.2.3/%2572esend")) {
                BoundHttp.Answer a = raw(hub.port, "POST", path, "");
                assertEquals(403, a.status(), path + ": " + a.body());
                assertTrue(a.body().contains("needs a user"), a.body());
            }
            assertEquals(-1.0, hub.metricOrMinusOne("pacs_resend_total", ""), "nothing was moved");
        }
    }

    @Test
    void aClientsOwnUserHeaderNeverReachesARoute() throws Exception {
        String hash = BCrypt.withDefaults().hashToString(4, "pw-of-ops".toCharArray());
        Files.writeString(tmp.resolve("web.yml"), "basic_auth_users:\n  ops: " + hash + "\n");
        try (HubRunner hub = new HubRunner(
                Map.of("opshub.web-config-file", tmp.resolve("web.yml").toString()))) {
            String right =
                    "Basic " + Base64.getEncoder().encodeToString("ops:pw-of-ops".getBytes(StandardCharsets.UTF_8));
            // the forged header alone is no user
            assertEquals(
                    401,
                    raw(hub.port, "POST", "/pacs/missing/main/1.2.3/resend/", "", HttpAccess.USER_HEADER, "admin")
                            .status());
            // with a verified user, the route runs (no such pair: 404), never as the forged name
            assertEquals(
                    404,
                    raw(
                                    hub.port,
                                    "POST",
                                    "/pacs/missing/main/1.2.3/resend",
                                    "",
                                    "Authorization",
                                    right,
                                    HttpAccess.USER_HEADER,
                                    "admin")
                            .status());
        }
    }

    @Test
    void canonicalPathsDecodeCaseSlashesAndTrailingSlash() {
        assertEquals("/pacs/missing/p/u/resend", HttpAccess.canonical("/pacs/missing/p/u//RESEND/"));
        assertEquals("/pacs/missing/p/u/resend", HttpAccess.canonical("/pacs/missing/p/u/%72esend"));
        assertEquals("/pacs/missing/p/u/resend", HttpAccess.canonical("/pacs/missing/p/u/%2572esend"));
        assertEquals("/", HttpAccess.canonical("///"));
    }

    @Test
    void minVersionTls13RefusesATls12ClientAndConfiguredHeadersAreOnEveryAnswer() throws Exception {
        Path[] pem = AccessControlTest.selfSigned(tmp);
        Files.writeString(
                tmp.resolve("web.yml"),
                "tls_server_config:\n  cert_file: hub.crt\n  key_file: hub.key\n"
                        + "  min_version: TLS13\nhttp_server_config:\n  headers:\n    X-Frame-Options: DENY\n"
                        + "    Strict-Transport-Security: max-age=31536000\n");
        try (HubRunner hub = new HubRunner(
                Map.of("opshub.web-config-file", tmp.resolve("web.yml").toString()))) {
            assertThrows(SSLException.class, () -> tls(pem[0], hub.port, "TLSv1.2", null, "/metrics"));
            for (String path : List.of("/metrics", "/pacs/missing", "/no-such-page")) {
                String head = tls(pem[0], hub.port, "TLSv1.3", null, path);
                assertTrue(head.contains("X-Frame-Options: DENY"), path + ": " + head);
                assertTrue(head.contains("Strict-Transport-Security: max-age=31536000"), path + ": " + head);
            }
        }
    }

    @Test
    void byDefaultOnlyForwardSecretAeadSuitesOfTls12AndLaterNegotiate() throws Exception {
        Path[] pem = AccessControlTest.selfSigned(tmp);
        Files.writeString(tmp.resolve("web.yml"), "tls_server_config:\n  cert_file: hub.crt\n  key_file: hub.key\n");
        try (HubRunner hub = new HubRunner(
                Map.of("opshub.web-config-file", tmp.resolve("web.yml").toString()))) {
            assertTrue(tls(pem[0], hub.port, "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "/metrics")
                    .startsWith("HTTP/1.1 200"));
            assertTrue(tls(pem[0], hub.port, "TLSv1.3", null, "/metrics").startsWith("HTTP/1.1 200"));
            // AES128-SHA: no forward secrecy, no AEAD
            assertThrows(
                    SSLException.class,
                    () -> tls(pem[0], hub.port, "TLSv1.2", "TLS_RSA_WITH_AES_128_CBC_SHA", "/metrics"));
            assertThrows(
                    SSLException.class,
                    () -> tls(pem[0], hub.port, "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "/metrics"));
        }
    }

    @Test
    void cipherSuitesRefuseEveryOtherTls12Suite() throws Exception {
        Path[] pem = AccessControlTest.selfSigned(tmp);
        Files.writeString(
                tmp.resolve("web.yml"),
                "tls_server_config:\n  cert_file: hub.crt\n  key_file: hub.key\n"
                        + "  max_version: TLS12\n  cipher_suites:\n    - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\n");
        try (HubRunner hub = new HubRunner(
                Map.of("opshub.web-config-file", tmp.resolve("web.yml").toString()))) {
            assertTrue(tls(pem[0], hub.port, "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "/metrics")
                    .startsWith("HTTP/1.1 200"));
            assertThrows(
                    SSLException.class,
                    () -> tls(pem[0], hub.port, "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "/metrics"));
            assertThrows(
                    SSLException.class, () -> tls(pem[0], hub.port, "TLSv1.3", null, "/metrics"), "max_version TLS12");
        }
    }

    @Test
    void fieldsTheServerCannotHonourAreRefusedNamingTheField() throws Exception {
        AccessControlTest.selfSigned(tmp);
        for (String[] c : new String[][] {
            {"  curve_preferences: [X25519]\n", "tls_server_config.curve_preferences"},
            {"  prefer_server_cipher_suites: true\n", "tls_server_config.prefer_server_cipher_suites"},
            {"  min_version: TLS14\n", "tls_server_config.min_version"},
            {"  min_version: TLS13\n  max_version: TLS12\n", "tls_server_config.min_version"},
            {"  cipher_suites: [TLS_NO_SUCH_SUITE]\n", "tls_server_config.cipher_suites"}
        }) {
            Files.writeString(
                    tmp.resolve("web.yml"), "tls_server_config:\n  cert_file: hub.crt\n  key_file: hub.key\n" + c[0]);
            ConfigException e = assertThrows(
                    ConfigException.class,
                    () -> WebConfig.load(tmp.resolve("web.yml").toString()));
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
        Files.writeString(tmp.resolve("web.yml"), "http_server_config:\n  headers:\n    Set-Cookie: a=b\n");
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> WebConfig.load(tmp.resolve("web.yml").toString()));
        assertTrue(e.getMessage().contains("http_server_config.headers.Set-Cookie"), e.getMessage());
        Files.writeString(tmp.resolve("web.yml"), "http_server_config:\n  http2: maybe\n");
        e = assertThrows(
                ConfigException.class,
                () -> WebConfig.load(tmp.resolve("web.yml").toString()));
        assertTrue(e.getMessage().contains("http_server_config.http2"), e.getMessage());
    }

    @Test
    void idleAndHalfSentConnectionsAreClosedWithinTheTimeoutAndTheHubKeepsAnswering() throws Exception {
        try (HubRunner hub =
                new HubRunner(Map.of("opshub.http-idle-timeout", "PT2S", "opshub.http-read-timeout", "PT3S"))) {
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 100; i++) {
                    sockets.add(connect(hub.port));
                }
                for (int i = 0; i < 50; i++) {
                    Socket s = connect(hub.port);
                    OutputStream out = s.getOutputStream();
                    out.write(("POST /alerts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                    + "Content-Length: 1000\r\n\r\n{\"version\":\"4\",")
                            .getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    sockets.add(s);
                }
                long start = System.nanoTime();
                for (Socket s : sockets) {
                    s.setSoTimeout(15_000);
                    assertTrue(closedByServer(s.getInputStream()), "the server closed the connection");
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                assertTrue(seconds < 3 + 5, "all 150 closed within the timeout + 5 s, took " + seconds + " s");
                assertEquals(200, hub.get("/observe/health").statusCode());
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }

    @Test
    void wrongPasswordsBackOffPerClient() throws Exception {
        String hash = BCrypt.withDefaults().hashToString(4, "pw-of-ops".toCharArray());
        Files.writeString(tmp.resolve("web.yml"), "basic_auth_users:\n  ops: " + hash + "\n");
        try (HubRunner hub = new HubRunner(
                Map.of("opshub.web-config-file", tmp.resolve("web.yml").toString()))) {
            String wrong = "Basic " + Base64.getEncoder().encodeToString("ops:guess".getBytes(StandardCharsets.UTF_8));
            String right =
                    "Basic " + Base64.getEncoder().encodeToString("ops:pw-of-ops".getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 3; i++) {
                assertEquals(
                        401,
                        raw(hub.port, "GET", "/metrics", null, "Authorization", wrong)
                                .status(),
                        "a typo is free");
            }
            BoundHttp.Answer again = raw(hub.port, "GET", "/metrics", null, "Authorization", wrong);
            assertEquals(429, again.status(), again.body());
            assertTrue(again.headers().contains("Retry-After: "), again.headers());
            Thread.sleep(1200);
            assertEquals(
                    200,
                    raw(hub.port, "GET", "/metrics", null, "Authorization", right)
                            .status());
            assertEquals(
                    200,
                    raw(hub.port, "GET", "/metrics", null, "Authorization", right)
                            .status(),
                    "no back-off after success");
        }
    }

    @Test
    void theWebhookSecretIsCheckedBeforeTheBodyIsReadAndTheBodyIsCapped() throws Exception {
        try (FakeBotApi telegram = new FakeBotApi()) {
            Map<String, String> p = telegram.hubProperties(1);
            p.put("telegram.webhook-url", "https://hub.example.org/telegram/webhook");
            p.put("telegram.webhook-secret", "right-secret");
            try (HubRunner hub = new HubRunner(p)) {
                for (String[] c :
                        new String[][] {{"wrong-secret", "10485760", "403"}, {"right-secret", "100000", "413"}}) {
                    try (Socket s = connect(hub.port)) {
                        s.setSoTimeout(5000);
                        // the headers only: a server that waited for the declared body would time out here
                        s.getOutputStream()
                                .write(
                                        ("POST /telegram/webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                                        + "X-Telegram-Bot-Api-Secret-Token: " + c[0]
                                                        + "\r\nContent-Length: " + c[1] + "\r\n\r\n")
                                                .getBytes(StandardCharsets.UTF_8));
                        s.getOutputStream().flush();
                        byte[] head = new byte[12];
                        int n = s.getInputStream().readNBytes(head, 0, 12);
                        assertEquals("HTTP/1.1 " + c[2], new String(head, 0, n, StandardCharsets.UTF_8), c[0]);
                    }
                }
            }
        }
    }

    private static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return s;
    }

    /** Reads until the server closes (EOF or a reset): true; false when the read times out. */
    private static boolean closedByServer(InputStream in) {
        try {
            while (in.read() >= 0) {
                // an answer (408, 400) before the close is fine
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        } catch (IOException e) {
            return true;
        }
    }

    /** One GET over TLS with only {@code protocol} (and {@code suite}, when given) enabled: the answer's head. */
    static String tls(Path cert, int port, String protocol, String suite, String path) throws Exception {
        SSLContext ctx = BoundHttp.trusting(cert);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.setEnabledProtocols(new String[] {protocol});
            if (suite != null) {
                s.setEnabledCipherSuites(new String[] {suite});
            }
            s.startHandshake();
            s.getOutputStream()
                    .write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.UTF_8));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = all.indexOf("\r\n\r\n");
            assertFalse(end < 0, all);
            return all.substring(0, end);
        }
    }
}
