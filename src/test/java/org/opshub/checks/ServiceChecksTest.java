package org.opshub.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opshub.AllLogs;
import org.opshub.HubRunner;
import org.opshub.checks.LoopbackHttp.Reply;
import org.opshub.telegram.FakeBotApi;

/**
 * The real Main with routes/service-checks.yaml and a checks.yaml of the test's own, probing real
 * TCP and HTTP servers on loopback; notifications go through the outbox to a fake Bot API, and an
 * {@code opshubClock} the test moves drives thresholds, reminders and quiet hours.
 */
class ServiceChecksTest {
    private static final long CHAT = 4242;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Monday 2026-11-23 10:00 UTC: inside 07:00-20:00. */
    private static final Instant MONDAY_10 = Instant.parse("2026-11-23T10:00:00Z");

    @TempDir
    Path dir;

    private HubRunner hub;
    private FakeBotApi telegram;
    private String chats = Long.toString(CHAT);

    @AfterEach
    void stop() throws Exception {
        if (hub != null) {
            hub.close();
        }
        if (telegram != null) {
            telegram.close();
        }
    }

    private HubRunner start(String checksYaml, MutableClock clock) throws Exception {
        Files.writeString(dir.resolve("checks.yaml"), checksYaml);
        telegram = new FakeBotApi();
        Map<String, String> p = new HashMap<>();
        p.put(
                "camel.main.routesIncludePattern",
                "file:routes/http-answers.yaml,file:routes/observability.yaml,file:routes/alert-delivery.yaml,"
                        + "file:routes/service-checks.yaml,file:" + dir.resolve("checks.yaml"));
        p.put("camel.main.routesReloadDirectory", dir.toString());
        p.put("telegram.token", FakeBotApi.TOKEN);
        p.put("telegram.api-url", telegram.url());
        p.put("checks.chats", chats);
        p.put("checks.timezone", "UTC");
        hub = new HubRunner(p, Map.of("opshubClock", clock));
        return hub;
    }

    static String tcpCheck(String name, int port, String extra) {
        return """
                - templatedRoute:
                    routeTemplateRef: tcp-check
                    routeId: check-%1$s
                    parameters:
                      - {name: name, value: %1$s}
                      - {name: host, value: 127.0.0.1}
                      - {name: port, value: "%2$d"}
                      - {name: timeout, value: 1s}
                %3$s""".formatted(name, port, extra);
    }

    static String httpCheck(String name, String url, String extra) {
        return """
                - templatedRoute:
                    routeTemplateRef: http-check
                    routeId: check-%1$s
                    parameters:
                      - {name: name, value: %1$s}
                      - {name: url, value: "%2$s"}
                %3$s""".formatted(name, url, extra);
    }

    static String param(String name, String value) {
        return "      - {name: " + name + ", value: \"" + value + "\"}\n";
    }

    private List<String> texts() {
        return telegram.delivered(CHAT).stream().map(FakeBotApi.Sent::text).toList();
    }

    private JsonNode check(String name) throws Exception {
        for (JsonNode c : JSON.readTree(hub.get("/checks").body()).path("checks")) {
            if (c.path("name").asText().equals(name)) {
                return c;
            }
        }
        return null;
    }

    private double metric(String name, String check) {
        return hub.metricOrMinusOne(name, "check=\"" + check + "\"");
    }

    @Test
    void aChatTopicInChecksChatsGetsTheNotificationsInThatTopic() throws Exception {
        chats = CHAT + ":5";
        MutableClock clock = new MutableClock(MONDAY_10);
        try (TcpTarget target = new TcpTarget(0)) {
            start(tcpCheck("topicdb", target.port(), param("period", "200ms") + param("failureThreshold", "1")), clock);
            assertTrue(HubRunner.await(Duration.ofSeconds(10), () -> metric("probe_success", "topicdb") == 1));
            target.close();
            assertTrue(HubRunner.await(Duration.ofSeconds(10), () -> texts().size() == 1), texts().toString());
            assertEquals(5, telegram.delivered(CHAT).get(0).threadId(), "message_thread_id 5");
            assertTrue(texts().get(0).contains("<b>DOWN</b> topicdb"), texts().get(0));
        }
    }

    @Test
    void downAfterTheThresholdThenOneReminderThenRecovery() throws Exception {
        MutableClock clock = new MutableClock(MONDAY_10);
        try (TcpTarget target = new TcpTarget(0)) {
            int port = target.port();
            start(
                    tcpCheck(
                            "db",
                            port,
                            param("period", "200ms")
                                    + param("failureThreshold", "3")
                                    + param("successThreshold", "2")
                                    + param("reminderInterval", "1h")),
                    clock);
            assertTrue(HubRunner.await(Duration.ofSeconds(10), () -> metric("probe_success", "db") == 1));
            assertEquals(1.0, metric("check_up", "db"));
            target.close();
            assertTrue(HubRunner.await(Duration.ofSeconds(10), () -> texts().size() == 1), texts().toString());
            String down = texts().get(0);
            assertTrue(down.startsWith("\uD83D\uDD34 <b>DOWN</b> db (tcp)\nTarget: 127.0.0.1:" + port), down);
            assertTrue(down.contains("Connection refused"), down);
            assertTrue(down.contains("Down since: 2026-11-23 10:00:00 UTC"), down);
            assertEquals(0.0, metric("check_up", "db"));
            assertEquals(0.0, metric("probe_success", "db"));
            assertTrue(metric("check_consecutive_failures", "db") >= 3);
            Thread.sleep(1000);
            assertEquals(1, texts().size(), "one notification per state change: " + texts());

            clock.advance(Duration.ofMinutes(59));
            Thread.sleep(600);
            assertEquals(1, texts().size(), texts().toString());
            clock.advance(Duration.ofMinutes(1));
            assertTrue(HubRunner.await(Duration.ofSeconds(10), () -> texts().size() == 2), texts().toString());
            assertTrue(texts().get(1).startsWith("\uD83D\uDD01 <b>STILL DOWN</b> db (tcp)"), texts().get(1));
            Thread.sleep(800);
            assertEquals(2, texts().size(), "one reminder per interval: " + texts());

            try (TcpTarget again = new TcpTarget(port)) {
                assertTrue(HubRunner.await(Duration.ofSeconds(10), () -> texts().size() == 3), texts().toString());
                String up = texts().get(2);
                assertTrue(up.startsWith("\u2705 <b>RECOVERED</b> db (tcp)"), up);
                assertTrue(up.contains("Down since: 2026-11-23 10:00:00 UTC (1h 0m)"), up);
                assertEquals(1.0, metric("check_up", "db"));
                JsonNode state = check("db");
                assertEquals("UP", state.path("state").asText());
                assertTrue(state.path("consecutiveSuccesses").asInt() >= 2, state.toString());
                assertEquals(0, state.path("consecutiveFailures").asInt());
            }
        }
    }

    @Test
    void aFlappingTargetThatNeverReachesTheThresholdSendsNothing() throws Exception {
        try (LoopbackHttp web = new LoopbackHttp(n -> n % 2 == 0 ? Reply.text(503, "busy") : Reply.text(200, "ok"))) {
            start(
                    httpCheck("flappy", web.url("/health"), param("period", "100ms") + param("failureThreshold", "2")),
                    new MutableClock(MONDAY_10));
            assertTrue(HubRunner.await(Duration.ofSeconds(15), () -> web.requests() >= 16));
            assertEquals(1.0, metric("check_up", "flappy"));
            assertTrue(metric("check_consecutive_failures", "flappy") <= 1);
            Thread.sleep(500);
            assertEquals(List.of(), texts());
            assertEquals("UP", check("flappy").path("state").asText());
        }
    }

    @Test
    void httpChecksJudgeStatusJsonPathBodyAndTimeout() throws Exception {
        try (LoopbackHttp web = new LoopbackHttp(n -> Reply.text(200, ""))) {
            web.answer(n -> Reply.text(200, ""));
            try (LoopbackHttp invalid =
                            new LoopbackHttp(n -> Reply.json(200, "{\"license\":{\"valid\":false,\"days\":3}}"));
                    LoopbackHttp valid = new LoopbackHttp(n -> Reply.json(200, "{\"license\":{\"valid\":true}}"));
                    LoopbackHttp degraded = new LoopbackHttp(n -> Reply.text(200, "status: degraded"));
                    LoopbackHttp slow = new LoopbackHttp(n -> new Reply(200, "text/plain", "late", 3000));
                    LoopbackHttp notFound = new LoopbackHttp(n -> Reply.text(404, "no such page"))) {
                String once = param("period", "300ms") + param("failureThreshold", "1");
                start(
                        httpCheck(
                                        "license-bad",
                                        invalid.url("/api/status?verbose=1"),
                                        once + param("jsonPath", "$.license.valid") + param("expected", "true"))
                                + httpCheck(
                                        "license-ok",
                                        valid.url("/api/status"),
                                        once + param("jsonPath", "$.license.valid") + param("expected", "true"))
                                + httpCheck("body", degraded.url("/"), once + param("bodyRegexp", "status: (ok|fine)"))
                                + httpCheck("slow", slow.url("/"), once + param("timeout", "400ms"))
                                + httpCheck("gone", notFound.url("/"), once)
                                + httpCheck("gone-ok", notFound.url("/"), once + param("validStatus", "200,404")),
                        new MutableClock(MONDAY_10));
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(15),
                        () -> metric("check_up", "slow") == 0
                                && metric("check_up", "gone-ok") == 1
                                && metric("check_up", "license-ok") == 1));
                assertEquals(
                        "HTTP 200, $.license.valid is false (expected true)",
                        check("license-bad").path("lastProbe").path("detail").asText());
                assertEquals("DOWN", check("license-bad").path("state").asText());
                assertEquals("UP", check("license-ok").path("state").asText());
                assertEquals(
                        "HTTP 200, body does not match /status: (ok|fine)/",
                        check("body").path("lastProbe").path("detail").asText());
                assertTrue(
                        check("slow").path("lastProbe").path("detail").asText().contains("timed out"),
                        check("slow").toString());
                assertEquals(
                        "HTTP 404 (expected 2xx)",
                        check("gone").path("lastProbe").path("detail").asText());
                assertEquals("UP", check("gone-ok").path("state").asText());
                assertEquals(
                        "GET " + invalid.url("/api/status?verbose=1"),
                        check("license-bad").path("target").asText());
                assertTrue(HubRunner.await(Duration.ofSeconds(10), () -> texts().size() == 4), texts().toString());
            }
        }
    }

    @Test
    void aCheckDownAfterTheWindowClosesIsNotifiedOnceWhenItOpensNextDayAfterTheDigest() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-23T19:59:00Z"));
        int closedPort = HubRunner.freePort();
        start(tcpCheck("night", closedPort, param("period", "2s") + param("failureThreshold", "3")), clock);
        // the first failures at 19:59; the probes pause while the clock moves past 20:00, so the
        // threshold is reached at 20:00:30 however slow this machine is
        assertTrue(HubRunner.await(Duration.ofSeconds(10), () -> metric("check_consecutive_failures", "night") >= 1));
        hub.context().getRouteController().stopRoute("check-night");
        assertTrue(metric("check_consecutive_failures", "night") < 3, "paused before the threshold");
        assertEquals(1.0, metric("check_up", "night"));
        clock.set(Instant.parse("2026-11-23T20:00:30Z"));
        hub.context().getRouteController().startRoute("check-night");
        assertTrue(HubRunner.await(Duration.ofSeconds(15), () -> metric("check_up", "night") == 0));
        Thread.sleep(1500);
        assertEquals(List.of(), texts(), "quiet after 20:00");
        assertEquals("DOWN", check("night").path("state").asText());
        assertEquals("UP", check("night").path("notified").asText(), "not told while the window is closed");
        clock.set(Instant.parse("2026-11-24T06:59:00Z"));
        Thread.sleep(2500);
        assertEquals(List.of(), texts(), "still quiet at 06:59");
        clock.set(Instant.parse("2026-11-24T07:00:00Z"));
        assertTrue(HubRunner.await(Duration.ofSeconds(10), () -> texts().size() == 2), texts().toString());
        assertEquals(
                "\uD83C\uDF05 <b>Quiet hours summary</b> (20:00\u201307:00)\n\n<b>Still down:</b>\n"
                        + "\uD83D\uDD34 night: since 20:00 (10h 59m)",
                texts().get(0),
                "the morning digest first");
        String down = texts().get(1);
        assertTrue(down.startsWith("\uD83D\uDD34 <b>DOWN</b> night (tcp)"), down);
        assertTrue(down.contains("Down since: 2026-11-23 20:00:30 UTC"), down);
        assertTrue(down.contains("Time: 2026-11-24 07:00:00 UTC"), down);
        Thread.sleep(2500);
        assertEquals(2, texts().size(), "notified once: " + texts());
    }

    @Test
    void checksJsonAndAChecksFileEditedWhileRunning() throws Exception {
        try (LoopbackHttp web = new LoopbackHttp(n -> Reply.text(200, "ok"));
                TcpTarget tcp = new TcpTarget(0)) {
            Path file = dir.resolve("checks.yaml");
            start(httpCheck("web", web.url("/"), param("period", "200ms")), new MutableClock(MONDAY_10));
            assertTrue(HubRunner.await(Duration.ofSeconds(10), () -> metric("probe_success", "web") == 1));
            JsonNode all = JSON.readTree(hub.get("/checks").body());
            assertEquals(200, hub.get("/checks").statusCode());
            assertTrue(all.path("notifyWindowOpen").asBoolean());
            JsonNode web1 = check("web");
            assertEquals("http", web1.path("type").asText());
            assertEquals("UP", web1.path("state").asText());
            assertEquals("HTTP 200", web1.path("lastProbe").path("detail").asText());
            assertTrue(web1.path("lastProbe").path("durationSeconds").asDouble() > 0);
            Thread.sleep(1500); // the file watcher starts after the routes

            Files.writeString(
                    file,
                    httpCheck("web", web.url("/"), param("period", "200ms"))
                            + tcpCheck("added", tcp.port(), param("period", "200ms")));
            assertTrue(
                    HubRunner.await(Duration.ofSeconds(30), () -> metric("probe_success", "added") == 1),
                    "a check added to checks.yaml runs without a restart");
            assertEquals(
                    "127.0.0.1:" + tcp.port(), check("added").path("target").asText());

            Files.writeString(file, tcpCheck("added", tcp.port(), param("period", "200ms")));
            assertTrue(
                    HubRunner.await(Duration.ofSeconds(30), () -> {
                        try {
                            return check("web") == null;
                        } catch (Exception e) {
                            return false;
                        }
                    }),
                    "a check removed from checks.yaml is forgotten");
            assertNull(hub.metric("probe_success", "check=\"web\""));
            assertEquals(1.0, metric("probe_success", "added"));
        }
    }

    @Test
    void aHundredMegabyteBodyAndACatastrophicRegexpFailFast() throws Exception {
        try (HugeBody huge = new HugeBody(100L << 20);
                LoopbackHttp evil = new LoopbackHttp(n -> Reply.text(200, "a".repeat(30) + "b"))) {
            String once = param("period", "300ms") + param("failureThreshold", "1") + param("timeout", "20s");
            start(
                    httpCheck("huge", huge.url(), once)
                            + httpCheck("evil", evil.url("/"), once + param("bodyRegexp", "(a+)+$")),
                    new MutableClock(MONDAY_10));
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(20), () -> metric("check_up", "huge") == 0 && metric("check_up", "evil") == 0));
            assertEquals(
                    "answer body larger than 1048576 bytes; connection dropped",
                    check("huge").path("lastProbe").path("detail").asText());
            assertTrue(huge.sentAtMost() < 100L << 20, "the body was not read to its end: " + huge.sentAtMost());
            assertEquals(
                    "HTTP 200, body does not match /(a+)+$/",
                    check("evil").path("lastProbe").path("detail").asText());
            assertTrue(check("evil").path("lastProbe").path("durationSeconds").asDouble() < 20, "not the timeout");
        }
    }

    @Test
    void urlCredentialsAndApiKeysNeverShow() throws Exception {
        try (AllLogs logs = new AllLogs();
                LoopbackHttp web = new LoopbackHttp(n -> Reply.text(503, "down"))) {
            String url = web.url("/status?apikey=s3cr3t&region=eu").replace("http://", "http://opsuser:pw0rd@");
            start(
                    httpCheck("licensed", url, param("period", "200ms") + param("failureThreshold", "1"))
                            + httpCheck(
                                    "plain",
                                    web.url("/status?access_token=t0psecret"),
                                    param("period", "200ms") + param("failureThreshold", "1")),
                    new MutableClock(MONDAY_10));
            assertTrue(HubRunner.await(Duration.ofSeconds(15), () -> texts().size() == 2), texts().toString());
            String checks = hub.get("/checks").body();
            assertTrue(checks.contains("apikey=***") && checks.contains("access_token=***"), checks);
            for (String secret : List.of("pw0rd", "opsuser:", "s3cr3t", "t0psecret")) {
                assertTrue(!checks.contains(secret), secret + " in /checks: " + checks);
                assertTrue(
                        texts().stream().noneMatch(t -> t.contains(secret)),
                        secret + " in a Telegram text: " + texts());
                assertTrue(!logs.anyContains(secret), secret + " in a log line");
            }
        }
    }

    @Test
    void aBadRegexpOnReloadIsRefusedAndTheRunningCheckStays() throws Exception {
        try (AllLogs logs = new AllLogs();
                LoopbackHttp web = new LoopbackHttp(n -> Reply.text(200, "ok"))) {
            start(httpCheck("web", web.url("/"), param("period", "200ms")), new MutableClock(MONDAY_10));
            assertTrue(HubRunner.await(Duration.ofSeconds(10), () -> metric("probe_success", "web") == 1));
            Thread.sleep(1500); // the file watcher starts after the routes
            Files.writeString(
                    dir.resolve("checks.yaml"),
                    httpCheck("web", web.url("/"), param("period", "200ms") + param("bodyRegexp", "(unclosed")));
            assertTrue(
                    HubRunner.await(
                            Duration.ofSeconds(30),
                            () -> logs.anyContains(
                                    "route check-web not reloaded, parameter bodyRegexp is not a valid RE2 regular expression")));
            int before = web.requests();
            assertTrue(
                    HubRunner.await(Duration.ofSeconds(10), () -> web.requests() > before + 2),
                    "the running check stays");
            assertEquals(1.0, metric("probe_success", "web"));
        }
    }

    /** An HTTP server that answers every request with a body of {@code size} bytes, written as fast as it is read. */
    static final class HugeBody implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        private final AtomicLong maxSent = new AtomicLong();

        HugeBody(long size) throws IOException {
            Thread t = new Thread(
                    () -> {
                        while (!server.isClosed()) {
                            try (Socket s = server.accept()) {
                                s.getInputStream().read(new byte[8192]);
                                OutputStream out = s.getOutputStream();
                                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + size
                                                + "\r\n\r\n")
                                        .getBytes());
                                byte[] chunk = new byte[1 << 16];
                                Arrays.fill(chunk, (byte) 'x');
                                long sent = 0;
                                try {
                                    while (sent < size) {
                                        out.write(chunk);
                                        sent += chunk.length;
                                    }
                                } finally {
                                    long done = sent;
                                    maxSent.accumulateAndGet(done, Math::max);
                                }
                            } catch (IOException e) {
                                // the client closed the connection
                            }
                        }
                    },
                    "huge-body");
            t.setDaemon(true);
            t.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getLocalPort() + "/big";
        }

        long sentAtMost() {
            return maxSent.get();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** A TCP server on loopback that accepts and closes every connection. */
    static final class TcpTarget implements AutoCloseable {
        private final ServerSocket server;

        TcpTarget(int port) throws IOException {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            Thread t = new Thread(
                    () -> {
                        while (!server.isClosed()) {
                            try (Socket s = server.accept()) {
                                s.getOutputStream().write("hello\n".getBytes());
                            } catch (IOException e) {
                                // closed
                            }
                        }
                    },
                    "tcp-target");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
