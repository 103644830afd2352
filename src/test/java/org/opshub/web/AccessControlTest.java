package org.opshub.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opshub.HubRunner;

/**
 * Who may read what on the HTTP port, seen from another host: the hub binds every address of the
 * test's private network namespace, and the client talks from TEST-NET address 192.0.2.1 (added to
 * {@code lo} there), so the hub sees a peer that is not loopback. Runs in scripts/test.sh's
 * namespace (tag interop): adding an address outside one would change the machine.
 */
@Tag("interop")
class AccessControlTest {
    static final String OTHER_HOST = "192.0.2.1";

    @TempDir
    Path tmp;

    @BeforeAll
    static void addTestNetAddress() throws Exception {
        Process p = new ProcessBuilder("ip", "addr", "replace", OTHER_HOST + "/32", "dev", "lo")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "ip addr replace: " + out);
    }

    private static Map<String, String> anyAddress(Map<String, String> extra) {
        Map<String, String> p = new HashMap<>(extra);
        p.put("camel.server.host", "0.0.0.0");
        return p;
    }

    private static String alerts() throws IOException {
        try (InputStream in = AccessControlTest.class.getResourceAsStream("/alertmanager/firing-real-0.25.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void onEmbeddedDefaultsStatusPagesAndAlertsAnswerLoopbackOnly() throws Exception {
        try (HubRunner hub = new HubRunner(anyAddress(Map.of()))) {
            BoundHttp other = new BoundHttp(OTHER_HOST, null);
            BoundHttp local = new BoundHttp("127.0.0.1", null);
            for (String path :
                    List.of("/pacs/missing", "/checks", "/pacs/missing/", "/metrics/../pacs/missing", "//checks")) {
                BoundHttp.Answer a = other.request("GET", OTHER_HOST, hub.port, path, null);
                assertEquals(403, a.status(), path);
                assertTrue(a.body().contains("opshub.web-config-file"), path + ": " + a.body());
                assertTrue(a.headers().toLowerCase().contains("content-type: application/json"), a.headers());
                assertEquals(
                        200,
                        local.request("GET", "127.0.0.1", hub.port, path, null).status(),
                        path + " from loopback");
            }
            BoundHttp.Answer post = other.request(
                    "POST", OTHER_HOST, hub.port, "/alerts", alerts(), "Content-Type", "application/json");
            assertEquals(403, post.status());
            assertTrue(post.body().contains("alertmanager.bearer-token"), post.body());
            assertEquals(
                    200,
                    local.request(
                                    "POST",
                                    "127.0.0.1",
                                    hub.port,
                                    "/alerts",
                                    alerts(),
                                    "Content-Type",
                                    "application/json")
                            .status(),
                    "loopback Alertmanager without a token");
            assertEquals(
                    200,
                    other.request("GET", OTHER_HOST, hub.port, "/metrics", null).status());
            assertEquals(
                    200,
                    other.request("GET", OTHER_HOST, hub.port, "/observe/health", null)
                            .status());
            assertEquals(
                    200,
                    other.request("GET", OTHER_HOST, hub.port, "/observe/health/ready", null)
                            .status());
        }
    }

    @Test
    void aBearerTokenOpensAlertsToOtherHosts() throws Exception {
        try (HubRunner hub = new HubRunner(anyAddress(Map.of("alertmanager.bearer-token", "t0ken")))) {
            BoundHttp other = new BoundHttp(OTHER_HOST, null);
            assertEquals(
                    200,
                    other.request(
                                    "POST",
                                    OTHER_HOST,
                                    hub.port,
                                    "/alerts",
                                    alerts(),
                                    "Content-Type",
                                    "application/json",
                                    "Authorization",
                                    "Bearer t0ken")
                            .status());
            assertEquals(
                    401,
                    other.request("POST", OTHER_HOST, hub.port, "/alerts", alerts(), "Content-Type", "application/json")
                            .status());
            assertEquals(
                    403,
                    other.request("GET", OTHER_HOST, hub.port, "/pacs/missing", null)
                            .status(),
                    "the alert token opens nothing else");
        }
    }

    @Test
    void aWebConfigWithTlsAndUsersServesEveryPageToTheRightCredentialsOnly() throws Exception {
        Path[] pem = selfSigned(tmp);
        String hash = BCrypt.withDefaults()
                .hashToString(10, "s3cret pw".toCharArray())
                .replace("$2a$", "$2y$");
        Files.writeString(
                tmp.resolve("web.yml"),
                "tls_server_config:\n  cert_file: hub.crt\n  key_file: hub.key\n" + "basic_auth_users:\n  prometheus: "
                        + hash + "\n");
        try (HubRunner hub = new HubRunner(anyAddress(
                Map.of("opshub.web-config-file", tmp.resolve("web.yml").toString())))) {
            BoundHttp other = new BoundHttp(OTHER_HOST, pem[0]);
            String right = "Basic "
                    + Base64.getEncoder().encodeToString("prometheus:s3cret pw".getBytes(StandardCharsets.UTF_8));
            String wrong =
                    "Basic " + Base64.getEncoder().encodeToString("prometheus:guess".getBytes(StandardCharsets.UTF_8));
            String nobody =
                    "Basic " + Base64.getEncoder().encodeToString("nobody:s3cret pw".getBytes(StandardCharsets.UTF_8));
            for (String path : List.of("/pacs/missing", "/checks", "/metrics", "/observe/health")) {
                BoundHttp.Answer none = other.request("GET", OTHER_HOST, hub.port, path, null);
                assertEquals(401, none.status(), path);
                assertTrue(none.headers().contains("WWW-Authenticate: Basic"), none.headers());
                assertTrue(none.body().contains("\"status\":\"error\""), none.body());
                assertEquals(
                        401,
                        other.request("GET", OTHER_HOST, hub.port, path, null, "Authorization", wrong)
                                .status(),
                        path);
                assertEquals(
                        401,
                        other.request("GET", OTHER_HOST, hub.port, path, null, "Authorization", nobody)
                                .status(),
                        path);
                assertEquals(
                        200,
                        other.request("GET", OTHER_HOST, hub.port, path, null, "Authorization", right)
                                .status(),
                        path);
                assertEquals(
                        200,
                        other.request("GET", OTHER_HOST, hub.port, path, null, "Authorization", right)
                                .status(),
                        path + " (cached verification)");
            }
            BoundHttp plain = new BoundHttp(OTHER_HOST, null);
            assertThrows(IOException.class, () -> {
                BoundHttp.Answer a = plain.request("GET", OTHER_HOST, hub.port, "/metrics", null);
                throw new AssertionError("plain HTTP answered " + a.status() + " on the TLS port");
            });
        }
    }

    @Test
    void withTlsButNoUsersMetricsStayOpenAndStatusPagesLoopbackOnly() throws Exception {
        Path[] pem = selfSigned(tmp);
        Files.writeString(
                tmp.resolve("web.yml"),
                "tls_server_config:\n  cert_file: " + pem[0] + "\n  key_file: " + pem[1] + "\n");
        try (HubRunner hub = new HubRunner(anyAddress(
                Map.of("opshub.web-config-file", tmp.resolve("web.yml").toString())))) {
            BoundHttp other = new BoundHttp(OTHER_HOST, pem[0]);
            assertEquals(
                    200,
                    other.request("GET", OTHER_HOST, hub.port, "/metrics", null).status());
            assertEquals(
                    403,
                    other.request("GET", OTHER_HOST, hub.port, "/pacs/missing", null)
                            .status());
            assertEquals(
                    200,
                    new BoundHttp("127.0.0.1", pem[0])
                            .request("GET", "127.0.0.1", hub.port, "/pacs/missing", null)
                            .status());
        }
    }

    /** A self-signed certificate for 192.0.2.1 and 127.0.0.1 made by openssl: {crt, key}. */
    static Path[] selfSigned(Path dir) throws Exception {
        Path crt = dir.resolve("hub.crt");
        Path key = dir.resolve("hub.key");
        Process p = new ProcessBuilder(
                        "openssl",
                        "req",
                        "-x509",
                        "-newkey",
                        "rsa:2048",
                        "-nodes",
                        "-days",
                        "2",
                        "-subj",
                        "/CN=opshub-test",
                        "-addext",
                        "subjectAltName=IP:" + OTHER_HOST + ",IP:127.0.0.1",
                        "-keyout",
                        key.toString(),
                        "-out",
                        crt.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl: " + out);
        return new Path[] {crt, key};
    }
}
