package org.opshub.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opshub.HubRunner;
import org.opshub.checks.CheckYaml;
import org.opshub.telegram.FakeBotApi;

/**
 * Service checks as a map of dependencies, in the test's private network namespace: the checks
 * behind a gateway probe TEST-NET address 192.0.2.7 (added to {@code lo}; deleted, it is a cut
 * network) and the gateway's TCP port goes through a proxy that turns into a black hole. And
 * maintenance windows set from the chat, with the silence they create in a real Alertmanager
 * (Debian's prometheus-alertmanager), across a restart of the hub.
 */
@Tag("interop")
class ChecksMapInteropTest {
    private static final long CHAT = 7301;
    private static final String BEHIND = "192.0.2.7";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        for (Process p : processes) {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        ip("addr", "del", BEHIND + "/32", "dev", "lo");
    }

    private static boolean ip(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    /** A server that answers "PONG" to every line, on loopback. */
    private int pongServer() throws IOException {
        ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        open.add(server);
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread c = new Thread(() -> {
                        try (s) {
                            BufferedReader in = new BufferedReader(
                                    new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                            OutputStream out = s.getOutputStream();
                            while (in.readLine() != null) {
                                out.write("PONG\n".getBytes(StandardCharsets.UTF_8));
                                out.flush();
                            }
                        } catch (IOException e) {
                            // the client went away
                        }
                    });
                    c.setDaemon(true);
                    c.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return server.getLocalPort();
    }

    /** A TCP port that accepts and closes, on every address of the namespace (192.0.2.7 while it exists). */
    private ServerSocket tcpServer() throws IOException {
        ServerSocket server = new ServerSocket(0, 50);
        open.add(server);
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    server.accept().close();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return server;
    }

    /** An HTTP server answering 200 "ok" on every address of the namespace. */
    private int httpServer() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(0), 0);
        server.createContext("/", ex -> {
            byte[] ok = "ok".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, ok.length);
            ex.getResponseBody().write(ok);
            ex.close();
        });
        server.start();
        open.add(() -> server.stop(0));
        return server.getAddress().getPort();
    }

    private static String check(String template, String name, String... params) {
        return CheckYaml.entry(template, name, params);
    }

    private Map<String, String> hub(FakeBotApi telegram, String checksYaml) throws IOException {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.writeString(routes.resolve("checks.yaml"), checksYaml);
        Map<String, String> p = telegram.hubProperties(CHAT, CHAT + 1);
        p.put(
                "camel.main.routesIncludePattern",
                "file:routes/http-answers.yaml,file:routes/observability.yaml,file:routes/alert-delivery.yaml,"
                        + "file:routes/telegram-bot.yaml,file:routes/service-checks.yaml,file:"
                        + routes.resolve("checks.yaml"));
        p.put("camel.main.routesReloadDirectory", routes.toString());
        p.put("checks.chats", Long.toString(CHAT));
        p.put("checks.timezone", "UTC");
        p.put("checks.notify-window", "00:00-24:00");
        p.put("checks.maintenance-interval", "PT1S");
        p.put("telegram.timezone", "UTC");
        p.put("state.directory", dir.resolve("state").toString());
        return p;
    }

    /** The text a message starting with {@code prefix} shows now: its last edit, else as sent. */
    private static String current(FakeBotApi telegram, String prefix) {
        String text = null;
        for (FakeBotApi.Sent s : telegram.delivered(CHAT)) {
            if (s.text().startsWith(prefix)) {
                text = s.text();
            }
        }
        for (FakeBotApi.Call c : telegram.calls("editMessageText")) {
            if (c.body().path("text").asText().startsWith(prefix)) {
                text = c.body().path("text").asText();
            }
        }
        return text == null ? "" : text;
    }

    @Test
    void aGatewayOutageGivesOneDownListingTheChecksBehindItAndOneUpListingThoseBack() throws Exception {
        assertTrue(ip("addr", "replace", BEHIND + "/32", "dev", "lo"), "ip addr replace " + BEHIND);
        BlackHoleProxy gateway = new BlackHoleProxy(pongServer());
        open.add(gateway);
        ServerSocket stays = tcpServer();
        String fast = "300ms";
        StringBuilder yaml = new StringBuilder(check(
                "tcp-check",
                "gateway",
                "host",
                "127.0.0.1",
                "port",
                Integer.toString(gateway.port()),
                "send",
                "PING\\n",
                "expect",
                "PONG",
                "period",
                fast,
                "timeout",
                fast,
                "failureThreshold",
                "2"));
        String[] behind = {"period", fast, "timeout", fast, "failureThreshold", "4", "dependsOn", "gateway"};
        yaml.append(check("http-check", "web-1", concat(behind, "url", "http://" + BEHIND + ":" + httpServer() + "/")));
        yaml.append(check("http-check", "web-2", concat(behind, "url", "http://" + BEHIND + ":" + httpServer() + "/")));
        for (String name : List.of("tcp-1", "tcp-2")) {
            yaml.append(check(
                    "tcp-check",
                    name,
                    concat(behind, "host", BEHIND, "port", "" + tcpServer().getLocalPort())));
        }
        yaml.append(check("tcp-check", "tcp-3", concat(behind, "host", BEHIND, "port", "" + stays.getLocalPort())));
        yaml.append(check("ping-check", "ping-1", concat(behind, "host", BEHIND)));
        List<String> six = List.of("ping-1", "tcp-1", "tcp-2", "tcp-3", "web-1", "web-2");
        try (FakeBotApi telegram = new FakeBotApi();
                HubRunner hub = new HubRunner(hub(telegram, yaml.toString()))) {
            for (String c : concat(six.toArray(String[]::new), "gateway")) {
                assertTrue(
                        HubRunner.await(Duration.ofSeconds(20), () -> up(hub, c)),
                        c + " up: " + hub.get("/checks").body());
            }
            // the cut: the gateway's port answers nothing, the network behind it is gone
            gateway.blackHole(true);
            assertTrue(ip("addr", "del", BEHIND + "/32", "dev", "lo"));
            String down = "\uD83D\uDD34 <b>DOWN</b> gateway (tcp)";
            assertTrue(
                    HubRunner.await(
                            Duration.ofSeconds(30),
                            () -> current(telegram, down)
                                    .contains("And 6 checks behind it: " + String.join(", ", six))),
                    () -> "DOWN of the gateway listing the six: " + telegram.texts(CHAT) + " "
                            + telegram.calls("editMessageText"));
            Thread.sleep(2000);
            assertEquals(1, telegram.delivered(CHAT).size(), "one message for the outage: " + telegram.texts(CHAT));
            assertTrue(
                    telegram.texts(CHAT).get(0).startsWith(down),
                    telegram.texts(CHAT).get(0));
            assertEquals(
                    1.0,
                    hub.metric("check_suppressed", "by=\"gateway\",check=\"web-1\""),
                    () -> metricsOf(hub, "check_"));
            assertEquals(0.0, hub.metric("check_up", "check=\"tcp-2\""), "its own state is as measured");
            assertEquals(0.0, hub.metric("probe_success", "check=\"ping-1\""));
            JsonNode web1 = checkState(hub, "web-1");
            assertEquals("gateway", web1.path("suppressedBy").asText(), web1.toString());
            // /status draws the tree: the six under the gateway, each behind it
            long ops = CHAT + 1;
            telegram.userSays(ops, "/status");
            assertTrue(
                    HubRunner.await(
                            Duration.ofSeconds(20), () -> !telegram.texts(ops).isEmpty()),
                    "no /status reply");
            String status = telegram.texts(ops).get(0);
            assertTrue(
                    status.contains("\uD83D\uDD34 gateway: reply does not match /PONG/")
                            && status.contains("\n   \u2514 \uD83D\uDD34 web-1: ")
                            && status.contains("(behind gateway, which is DOWN: no DOWN of its own)"),
                    status);

            // back, but tcp-3 stays down: one UP listing five, then tcp-3's own DOWN after its threshold
            stays.close();
            assertTrue(ip("addr", "replace", BEHIND + "/32", "dev", "lo"));
            gateway.blackHole(false);
            String recovered = "\u2705 <b>RECOVERED</b> gateway (tcp)";
            assertTrue(
                    HubRunner.await(
                            Duration.ofSeconds(30),
                            () -> current(telegram, recovered)
                                    .contains("Back with it (5): ping-1, tcp-1, tcp-2, web-1, web-2")),
                    () -> "UP listing five: " + telegram.texts(CHAT) + " " + telegram.calls("editMessageText"));
            assertTrue(current(telegram, recovered).contains("Still failing (1): tcp-3"), current(telegram, recovered));
            assertTrue(
                    HubRunner.await(
                            Duration.ofSeconds(30),
                            () -> telegram.delivered(CHAT).size() == 3),
                    () -> telegram.texts(CHAT).toString());
            assertTrue(
                    telegram.texts(CHAT).get(1).startsWith(recovered),
                    telegram.texts(CHAT).toString());
            assertTrue(
                    telegram.texts(CHAT).get(2).startsWith("\uD83D\uDD34 <b>DOWN</b> tcp-3 (tcp)"),
                    telegram.texts(CHAT).toString());
            assertTrue(checkState(hub, "tcp-3").path("consecutiveFailures").asInt() >= 4);
            assertEquals(-1.0, hub.metricOrMinusOne("check_suppressed", "check=\"web-1\""), "gone with the outage");
            Thread.sleep(1500);
            assertEquals(
                    3, telegram.delivered(CHAT).size(), telegram.texts(CHAT).toString());
        }
    }

    @Test
    void aMaintenanceWindowFromTheChatHoldsItsChecksAcrossARestartAndSilencesTheirAlerts() throws Exception {
        int amPort = HubRunner.freePort();
        String am = "http://127.0.0.1:" + amPort;
        ServerSocket echo = tcpServer();
        String yaml = check(
                        "tcp-check",
                        "pacs-echo",
                        "host",
                        "127.0.0.1",
                        "port",
                        "" + echo.getLocalPort(),
                        "period",
                        "300ms",
                        "failureThreshold",
                        "2")
                + check("http-check", "pacs-web", "url", "http://127.0.0.1:" + httpServer() + "/", "period", "300ms");
        try (FakeBotApi telegram = new FakeBotApi()) {
            Map<String, String> p = hub(telegram, yaml);
            p.put("alertmanager.api-url", am);
            p.put("checks.maintenance.pacs-checks.checks", "pacs-echo,pacs-web");
            p.put("checks.maintenance.pacs-checks.silence-alerts", "instance=~\"pacs.*\"");
            p.put("checks.maintenance-users", Long.toString(CHAT));
            startAlertmanager(amPort);
            String start = "\uD83D\uDEE0 <b>Maintenance</b> 1 of <code>pacs-checks</code>";
            String[] silenceId = new String[1];
            try (HubRunner hub = new HubRunner(p)) {
                assertTrue(HubRunner.await(Duration.ofSeconds(20), () -> up(hub, "pacs-echo") && up(hub, "pacs-web")));
                telegram.userSays(CHAT, "/maintenance pacs-checks 2h upgrade");
                assertTrue(
                        HubRunner.await(Duration.ofSeconds(20), () -> count(telegram, start) == 1),
                        () -> telegram.texts(CHAT).toString());
                assertTrue(
                        telegram.texts(CHAT).stream()
                                .anyMatch(t -> t.startsWith("Maintenance 1 of <code>pacs-checks</code> until ")),
                        telegram.texts(CHAT).toString());
                assertTrue(current(telegram, start)
                        .contains("(upgrade): these checks notify nothing until then: " + "pacs-echo, pacs-web"));
                // the silence: Alertmanager has it, active, for the window's two hours
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(20),
                                () -> get(am + "/api/v2/silences").size() == 1),
                        () -> get(am + "/api/v2/silences").toString());
                JsonNode silence = get(am + "/api/v2/silences").get(0);
                silenceId[0] = silence.path("id").asText();
                assertEquals("active", silence.path("status").path("state").asText(), silence.toString());
                assertEquals(
                        JSON.readTree(
                                "[{\"name\":\"instance\",\"value\":\"pacs.*\",\"isRegex\":true,\"isEqual\":true}]"),
                        silence.path("matchers"));
                Duration span = Duration.between(
                        Instant.now(), Instant.parse(silence.path("endsAt").asText()));
                assertTrue(
                        span.compareTo(Duration.ofMinutes(118)) > 0 && span.compareTo(Duration.ofHours(2)) <= 0,
                        span.toString());
                assertTrue(silence.path("comment").asText().startsWith("opshub:maintenance:1 pacs-checks - upgrade"));

                // pacs-echo fails during the window: its state is DOWN, nothing is notified
                echo.close();
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(20), () -> hub.metricOrMinusOne("check_up", "check=\"pacs-echo\"") == 0));
                assertEquals(1.0, hub.metric("check_maintenance", "check=\"pacs-echo\""));
                assertEquals(1.0, hub.metric("check_maintenance", "check=\"pacs-web\""));
                Thread.sleep(1500);
                assertEquals(
                        0, count(telegram, "\uD83D\uDD34"), telegram.texts(CHAT).toString());
            }
            // a restart: the window is in the state store and still holds; its start is not announced again
            try (HubRunner hub = new HubRunner(p)) {
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(20), () -> hub.metricOrMinusOne("check_up", "check=\"pacs-echo\"") == 0));
                JsonNode checks = JSON.readTree(hub.get("/checks").body());
                assertEquals(1, checks.path("maintenance").size(), checks.toString());
                assertEquals(
                        "upgrade",
                        checks.path("maintenance").get(0).path("reason").asText());
                assertEquals(1, checkState(hub, "pacs-echo").path("maintenance").asInt(), checks.toString());
                assertEquals(1.0, hub.metric("check_maintenance", "check=\"pacs-echo\""));
                Thread.sleep(1500);
                assertEquals(
                        0, count(telegram, "\uD83D\uDD34"), telegram.texts(CHAT).toString());
                assertEquals(1, count(telegram, start), telegram.texts(CHAT).toString());

                // ended from the chat: announced once, the check still down notifies at once, the silence expires
                telegram.userSays(CHAT, "/maintenance end 1");
                String end = "\u2705 <b>Maintenance</b> 1 of <code>pacs-checks</code> is over";
                assertTrue(
                        HubRunner.await(Duration.ofSeconds(20), () -> count(telegram, end) == 1),
                        () -> telegram.texts(CHAT).toString());
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(10),
                                () -> count(telegram, "\uD83D\uDD34 <b>DOWN</b> pacs-echo") == 1),
                        () -> telegram.texts(CHAT).toString());
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(20),
                                () -> get(am + "/api/v2/silence/" + silenceId[0])
                                        .path("status")
                                        .path("state")
                                        .asText()
                                        .equals("expired")),
                        () -> get(am + "/api/v2/silences").toString());
                assertEquals(0.0, hub.metric("check_maintenance", "check=\"pacs-echo\""));
                Thread.sleep(1500);
                assertEquals(1, count(telegram, end), telegram.texts(CHAT).toString());
                assertEquals(
                        0,
                        count(telegram, "\uD83D\uDD34 <b>DOWN</b> pacs-web"),
                        telegram.texts(CHAT).toString());
            }
        }
    }

    private static String metricsOf(HubRunner hub, String prefix) {
        try {
            return String.join(
                    "\n",
                    hub.get("/metrics")
                            .body()
                            .lines()
                            .filter(l -> l.startsWith(prefix))
                            .toList());
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static long count(FakeBotApi telegram, String prefix) {
        return telegram.texts(CHAT).stream().filter(t -> t.startsWith(prefix)).count();
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static boolean up(HubRunner hub, String check) {
        return hub.metricOrMinusOne("probe_success", "check=\"" + check + "\"") == 1;
    }

    private static JsonNode checkState(HubRunner hub, String name) throws Exception {
        for (JsonNode c : JSON.readTree(hub.get("/checks").body()).path("checks")) {
            if (c.path("name").asText().equals(name)) {
                return c;
            }
        }
        return JSON.createObjectNode();
    }

    private static JsonNode get(String url) {
        try {
            return JSON.readTree(
                    HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                            .body());
        } catch (Exception e) {
            throw new IllegalStateException(url, e);
        }
    }

    /** Alertmanager on loopback with an empty route (the silences are what this test reads). */
    private void startAlertmanager(int port) throws Exception {
        Path cfg = dir.resolve("am.yml");
        Files.writeString(cfg, "route:\n  receiver: none\nreceivers:\n  - name: none\n");
        Process p = new ProcessBuilder(
                        "prometheus-alertmanager",
                        "--config.file=" + cfg,
                        "--storage.path=" + Files.createDirectories(dir.resolve("am-data")),
                        "--web.listen-address=127.0.0.1:" + port,
                        "--cluster.listen-address=")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("am.log").toFile())
                .start();
        processes.add(p);
        assertTrue(
                HubRunner.await(Duration.ofSeconds(30), () -> {
                    try {
                        return HTTP.send(
                                                HttpRequest.newBuilder(
                                                                URI.create("http://127.0.0.1:" + port + "/-/ready"))
                                                        .build(),
                                                HttpResponse.BodyHandlers.discarding())
                                        .statusCode()
                                == 200;
                    } catch (Exception e) {
                        return false;
                    }
                }),
                () -> {
                    try {
                        return Files.readString(dir.resolve("am.log"));
                    } catch (IOException e) {
                        return e.toString();
                    }
                });
    }
}
