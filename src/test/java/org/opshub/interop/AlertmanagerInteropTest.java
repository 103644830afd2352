package org.opshub.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opshub.HubRunner;
import org.opshub.telegram.FakeBotApi;

/**
 * End to end with real Prometheus 2.42 and Alertmanager 0.25 from Debian: Prometheus scrapes the
 * hub's /metrics, a rule on a PACS metric fires (Orthanc DST lacks the studies of Orthanc SRC),
 * Alertmanager posts to /alerts with a bearer token, the subscribed chat gets the message; the
 * studies are forwarded, the rule resolves, and the resolved message arrives. The shipped
 * deploy/ configs are checked with promtool and amtool. And a silence button pressed in the chat
 * creates a silence Alertmanager accepts, lists and applies to the alert.
 */
@Tag("interop")
class AlertmanagerInteropTest {
    static final long CHAT = 9001;
    static final String BEARER = "am-to-hub";
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopPeers() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFiringPacsRuleReachesTheChatAndItsResolutionToo() throws Exception {
        check("promtool", "check", "config", "deploy/prometheus/prometheus.yml");
        check("amtool", "check-config", "deploy/alertmanager/alertmanager.yml");

        String today = LocalDate.now(ZoneOffset.UTC).format(DateTimeFormatter.BASIC_ISO_DATE);
        try (OrthancPeer src = new OrthancPeer(
                        dir,
                        "SRC",
                        18052,
                        14252,
                        Map.of(),
                        Map.of("DST", Map.of("AET", "DST", "Host", "127.0.0.1", "Port", 14253)));
                OrthancPeer dst = new OrthancPeer(dir, "DST", 18053, 14253, Map.of(), Map.of());
                FakeBotApi telegram = new FakeBotApi()) {
            src.start();
            dst.start();
            List<String> studies = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Map<String, String> tags = new HashMap<>();
                tags.put("PatientID", "AM" + i);
                tags.put("PatientName", "Test^Patient" + i);
                tags.put("StudyDate", today);
                tags.put("StudyTime", "0" + (i + 1) + "0000");
                tags.put("AccessionNumber", "AM-ACC" + i);
                tags.put("Modality", "OT");
                studies.add(src.createInstance(tags, null).get("ParentStudy").asText());
            }
            Map<String, String> props = new HashMap<>();
            props.put("pacs.period", "PT2S");
            props.put("pacs.timezone", "UTC");
            props.put("pacs.nodes.src.host", "127.0.0.1");
            props.put("pacs.nodes.src.port", "14252");
            props.put("pacs.nodes.src.ae-title", "SRC");
            props.put("pacs.nodes.dst.host", "127.0.0.1");
            props.put("pacs.nodes.dst.port", "14253");
            props.put("pacs.nodes.dst.ae-title", "DST");
            props.put("pacs.forwarding.main.source", "src");
            props.put("pacs.forwarding.main.target", "dst");
            props.put("pacs.forwarding.main.window", "today");
            props.put("pacs.forwarding.main.settle", "PT0S");
            props.putAll(telegram.hubProperties(CHAT));
            props.put("alertmanager.bearer-token", BEARER);
            try (HubRunner hub = new HubRunner(props)) {
                telegram.userSays(CHAT, "/subscribe StudiesNotForwarded");
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10), () -> telegram.texts(CHAT).size() == 1));
                int amPort = HubRunner.freePort();
                startAlertmanager(hub.port, amPort);
                startPrometheus(hub.port, amPort);

                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(90),
                                () -> alerts(telegram, "FIRING").size() == 1),
                        "no firing message; chat: " + telegram.texts(CHAT));
                String firing = alerts(telegram, "FIRING").get(0);
                assertTrue(firing.startsWith("\uD83D\uDD25 <b>FIRING</b> StudiesNotForwarded [critical]"), firing);
                assertTrue(firing.contains("<b>2 studies from src missing on dst</b>"), firing);
                assertTrue(firing.contains("source: src") && firing.contains("target: dst"), firing);

                src.store("DST", studies.toArray());
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(90),
                                () -> alerts(telegram, "RESOLVED").size() == 1),
                        "no resolved message; chat: " + telegram.texts(CHAT));
                String resolved = alerts(telegram, "RESOLVED").get(0);
                assertTrue(resolved.startsWith("\u2705 <b>RESOLVED</b> StudiesNotForwarded"), resolved);
                assertEquals(1, alerts(telegram, "FIRING").size(), "Alertmanager's repeats are de-duplicated");
                assertTrue(hub.metric("alertmanager_alerts_received_total", "status=\"resolved\"") >= 1);
            }
        }
    }

    @Test
    void aSilenceButtonCreatesASilenceThatAlertmanagerApplies() throws Exception {
        int amPort = HubRunner.freePort();
        String am = "http://127.0.0.1:" + amPort;
        try (FakeBotApi telegram = new FakeBotApi()) {
            try (HubRunner hub = new HubRunner(silencingHub(telegram, am))) {
                telegram.userSays(CHAT, "/subscribe PacsDown");
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10), () -> telegram.texts(CHAT).size() == 1));
                startAlertmanager(hub.port, amPort);
                String alert =
                        "[{\"labels\":{\"alertname\":\"PacsDown\",\"pacs\":\"archive\",\"severity\":\"critical\"},"
                                + "\"annotations\":{\"summary\":\"archive does not answer C-ECHO\"},"
                                + "\"generatorURL\":\"http://prometheus:9090/graph\"}]";
                HttpResponse<String> posted = HTTP.send(
                        HttpRequest.newBuilder(URI.create(am + "/api/v2/alerts"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(alert))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, posted.statusCode(), posted.body());

                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(30),
                                () -> !telegram.keyboards(CHAT).isEmpty()),
                        "no alert with buttons; chat: " + telegram.texts(CHAT));
                String data = null;
                for (JsonNode b : telegram.keyboards(CHAT)
                        .get(0)
                        .path("reply_markup")
                        .path("inline_keyboard")
                        .get(0)) {
                    if (b.path("text").asText().endsWith("Silence 4h")) {
                        data = b.path("callback_data").asText();
                    }
                }
                telegram.userPresses(CHAT, 7, data);

                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(20),
                                () -> !telegram.calls("editMessageText").isEmpty()),
                        "no edit; chat: " + telegram.texts(CHAT));
                JsonNode silences = get(am + "/api/v2/silences");
                assertEquals(1, silences.size(), silences.toString());
                JsonNode silence = silences.get(0);
                assertEquals("active", silence.path("status").path("state").asText(), silence.toString());
                assertEquals(
                        JSON.readTree(
                                "[{\"name\":\"alertname\",\"value\":\"PacsDown\",\"isRegex\":false,\"isEqual\":true},"
                                        + "{\"name\":\"pacs\",\"value\":\"archive\",\"isRegex\":false,\"isEqual\":true},"
                                        + "{\"name\":\"severity\",\"value\":\"critical\",\"isRegex\":false,\"isEqual\":true}]"),
                        sorted(silence.path("matchers")));
                assertEquals(
                        "Telegram: Anna Petrova (@anna_oncall) [id 777]",
                        silence.path("createdBy").asText());
                assertEquals(
                        "Silenced for 4h from Telegram chat " + CHAT + " (opshub)",
                        silence.path("comment").asText());
                Duration span = Duration.between(
                        Instant.parse(silence.path("startsAt").asText()),
                        Instant.parse(silence.path("endsAt").asText()));
                assertTrue(
                        span.compareTo(Duration.ofHours(4).minusMinutes(1)) > 0
                                && span.compareTo(Duration.ofHours(4)) <= 0,
                        span.toString());
                String edited = telegram.calls("editMessageText")
                        .get(0)
                        .body()
                        .path("text")
                        .asText();
                assertTrue(
                        edited.contains("Silenced by Anna Petrova (@anna_oncall) until ")
                                && edited.contains(silence.path("id").asText()),
                        edited);

                // Alertmanager applies it: the alert is suppressed by exactly this silence
                assertTrue(
                        HubRunner.await(Duration.ofSeconds(10), () -> {
                            JsonNode alerts = get(am + "/api/v2/alerts");
                            return alerts.size() == 1
                                    && alerts.get(0)
                                            .path("status")
                                            .path("state")
                                            .asText()
                                            .equals("suppressed")
                                    && alerts.get(0)
                                            .path("status")
                                            .path("silencedBy")
                                            .toString()
                                            .equals("[\"" + silence.path("id").asText() + "\"]");
                        }),
                        () -> get(am + "/api/v2/alerts").toString());
            }
        }
    }

    @Test
    void anAckSilencesUntilResolvedKeepsTheSilenceWhileFiringAndANewFirePagesAgain() throws Exception {
        int amPort = HubRunner.freePort();
        String am = "http://127.0.0.1:" + amPort;
        try (FakeBotApi telegram = new FakeBotApi()) {
            Map<String, String> props = silencingHub(telegram, am);
            props.put("alertmanager.ack-silence", "PT20S");
            props.put("alertmanager.check-interval", "PT1S");
            props.put("telegram.ack-users", "777");
            try (HubRunner hub = new HubRunner(props)) {
                telegram.userSays(CHAT, "/subscribe AckMe|Quiet");
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10), () -> telegram.texts(CHAT).size() == 1));
                startAlertmanager(hub.port, amPort);
                Instant firstStart = Instant.now().minusSeconds(60);
                postAlert(am, "AckMe", firstStart, Instant.now().plusSeconds(600));
                postAlert(am, "Quiet", firstStart, Instant.now().plusSeconds(600));
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(30),
                                () -> telegram.keyboards(CHAT).size() == 2),
                        "no alerts with buttons; chat: " + telegram.texts(CHAT));

                // a user outside telegram.ack-users is refused, nothing is silenced
                telegram.userPresses(CHAT, 7, button(telegram, "AckMe", "\u2705 Ack"), 888, "Boris");
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10),
                        () -> telegram.texts(CHAT).stream()
                                .anyMatch(t ->
                                        t.contains("Only the users of telegram.ack-users may acknowledge alerts."))));
                assertEquals(0, get(am + "/api/v2/silences").size());

                telegram.userPresses(CHAT, 7, button(telegram, "AckMe", "\u2705 Ack"));
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(20),
                                () -> !telegram.calls("editMessageText").isEmpty()),
                        "no edit; chat: " + telegram.texts(CHAT));
                String edited = telegram.calls("editMessageText")
                        .get(0)
                        .body()
                        .path("text")
                        .asText();
                assertTrue(edited.contains("Acknowledged by Anna Petrova (@anna_oncall) at "), edited);
                JsonNode silence = get(am + "/api/v2/silences").get(0);
                String id = silence.path("id").asText();
                assertEquals(
                        "Acknowledged from Telegram chat " + CHAT + " (opshub): extended while the alert fires,"
                                + " expired when it resolves",
                        silence.path("comment").asText());
                assertTrue(edited.contains(id), edited);
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10), () -> state(am, "AckMe").equals("suppressed")));
                telegram.userSays(CHAT, "/acks");
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10),
                        () -> telegram.texts(CHAT).stream()
                                .anyMatch(t -> t.startsWith(
                                        "Acknowledged (1):\n\u2705 <b>AckMe</b> by Anna Petrova (@anna_oncall)"))));

                // while it fires, the silence is extended before it ends (20 s, extended with less than 10 s left)
                Instant ends = Instant.parse(silence.path("endsAt").asText());
                assertTrue(
                        HubRunner.await(Duration.ofSeconds(30), () -> {
                            JsonNode s = get(am + "/api/v2/silence/" + id);
                            return s.path("status").path("state").asText().equals("active")
                                    && Instant.parse(s.path("endsAt").asText()).isAfter(ends.plusSeconds(5));
                        }),
                        () -> get(am + "/api/v2/silences").toString());
                assertTrue(Instant.now().isAfter(ends.minusSeconds(10)), "extended near its end, not at once");
                assertEquals("suppressed", state(am, "AckMe"));

                // the "Silence 1h" button on the other alert: opshub learns it is silenced
                telegram.userPresses(CHAT, 8, button(telegram, "Quiet", "Silence 1h"));
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10), () -> state(am, "Quiet").equals("suppressed")));
                Thread.sleep(2500);

                // both resolve: Alertmanager sends nothing for silenced alerts; opshub sends RESOLVED, expires the
                // Ack's silence
                postAlert(am, "AckMe", firstStart, Instant.now().minusSeconds(1));
                postAlert(am, "Quiet", firstStart, Instant.now().minusSeconds(1));
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(30),
                                () -> alerts(telegram, "RESOLVED").size() == 2),
                        "no resolved messages; chat: " + telegram.texts(CHAT));
                assertTrue(alerts(telegram, "RESOLVED").stream()
                        .anyMatch(t -> t.startsWith("\u2705 <b>RESOLVED</b> AckMe")));
                assertTrue(alerts(telegram, "RESOLVED").stream()
                        .anyMatch(t -> t.startsWith("\u2705 <b>RESOLVED</b> Quiet")));
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(10),
                                () -> get(am + "/api/v2/silence/" + id)
                                        .path("status")
                                        .path("state")
                                        .asText()
                                        .equals("expired")),
                        () -> get(am + "/api/v2/silence/" + id).toString());
                telegram.userSays(CHAT, "/acks");
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10), () -> telegram.texts(CHAT).contains("No acknowledged alerts.")));

                // a second fire after that pages again
                postAlert(am, "AckMe", Instant.now(), Instant.now().plusSeconds(600));
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(30),
                                () -> alerts(telegram, "FIRING").stream()
                                                .filter(t -> t.contains("AckMe"))
                                                .count()
                                        == 2),
                        "no second fire; chat: " + telegram.texts(CHAT));
                Thread.sleep(3000);
                assertEquals(2, alerts(telegram, "RESOLVED").size(), "one RESOLVED per alert: " + telegram.texts(CHAT));
            }
        }
    }

    /** A hub that delivers to CHAT through the fake Bot API, with Alertmanager's API at {@code am} (silence and Ack buttons). */
    @Test
    void anInhibitedAlertThatResolvesGetsItsResolvedMessage() throws Exception {
        int amPort = HubRunner.freePort();
        String am = "http://127.0.0.1:" + amPort;
        try (FakeBotApi telegram = new FakeBotApi()) {
            Map<String, String> props = silencingHub(telegram, am);
            props.put("alertmanager.check-interval", "PT1S");
            try (HubRunner hub = new HubRunner(props)) {
                telegram.userSays(CHAT, "/subscribe ServiceDown|SiteDown");
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10), () -> telegram.texts(CHAT).size() == 1));
                // a site outage inhibits the service alerts of the same PACS
                startAlertmanager(
                        hub.port,
                        amPort,
                        String.join(
                                "\n",
                                "inhibit_rules:",
                                "  - source_matchers: ['alertname=\"SiteDown\"']",
                                "    target_matchers: ['alertname=\"ServiceDown\"']",
                                "    equal: [pacs]",
                                ""));
                Instant start = Instant.now().minusSeconds(60);
                postAlert(am, "ServiceDown", start, Instant.now().plusSeconds(600));
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(30),
                                () -> alerts(telegram, "FIRING").stream().anyMatch(t -> t.contains("ServiceDown"))),
                        "chat: " + telegram.texts(CHAT));
                postAlert(am, "SiteDown", start, Instant.now().plusSeconds(600));
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(30), () -> state(am, "ServiceDown").equals("suppressed")));
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(30),
                        () -> alerts(telegram, "FIRING").stream().anyMatch(t -> t.contains("SiteDown"))));
                Thread.sleep(2500); // a read of Alertmanager's alerts sees ServiceDown inhibited

                // ServiceDown resolves while inhibited: Alertmanager sends nothing, opshub says it
                postAlert(am, "ServiceDown", start, Instant.now());
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(30),
                                () -> alerts(telegram, "RESOLVED").stream().anyMatch(t -> t.contains("ServiceDown"))),
                        "chat: " + telegram.texts(CHAT));
                assertEquals(
                        1,
                        alerts(telegram, "RESOLVED").stream()
                                .filter(t -> t.contains("ServiceDown"))
                                .count());
                assertTrue(alerts(telegram, "RESOLVED").stream().noneMatch(t -> t.contains("SiteDown")));
            }
        }
    }

    private static Map<String, String> silencingHub(FakeBotApi telegram, String am) {
        Map<String, String> props = telegram.hubProperties(CHAT);
        props.put("telegram.timezone", "UTC");
        props.put("alertmanager.bearer-token", BEARER);
        props.put("alertmanager.api-url", am);
        return props;
    }

    private static void postAlert(String am, String alertname, Instant startsAt, Instant endsAt) throws Exception {
        String alert =
                "[{\"labels\":{\"alertname\":\"" + alertname + "\",\"pacs\":\"archive\",\"severity\":\"critical\"},"
                        + "\"annotations\":{\"summary\":\"" + alertname + " summary\"},\"startsAt\":\"" + startsAt
                        + "\",\"endsAt\":\""
                        + endsAt + "\",\"generatorURL\":\"http://prometheus:9090/graph\"}]";
        HttpResponse<String> posted = HTTP.send(
                HttpRequest.newBuilder(URI.create(am + "/api/v2/alerts"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(alert))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, posted.statusCode(), posted.body());
    }

    /** The callback data of the button whose text ends with {@code label} under the alert {@code alertname}. */
    private static String button(FakeBotApi telegram, String alertname, String label) {
        for (JsonNode k : telegram.keyboards(CHAT)) {
            if (k.path("text").asText().contains(alertname)) {
                for (JsonNode row : k.path("reply_markup").path("inline_keyboard")) {
                    for (JsonNode b : row) {
                        if (b.path("text").asText().endsWith(label)) {
                            return b.path("callback_data").asText();
                        }
                    }
                }
            }
        }
        throw new AssertionError("no button " + label + " under " + alertname);
    }

    /** Alertmanager's state of the alert ({@code active}, {@code suppressed}), or "absent". */
    private static String state(String am, String alertname) {
        for (JsonNode a : get(am + "/api/v2/alerts")) {
            if (a.path("labels").path("alertname").asText().equals(alertname)) {
                return a.path("status").path("state").asText();
            }
        }
        return "absent";
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode get(String url) {
        try {
            return JSON.readTree(
                    HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                            .body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Matchers by name: Alertmanager does not promise their order. */
    private static JsonNode sorted(JsonNode matchers) {
        List<JsonNode> list = new ArrayList<>();
        matchers.forEach(list::add);
        list.sort(Comparator.comparing(m -> m.path("name").asText()));
        return JSON.valueToTree(list);
    }

    private static List<String> alerts(FakeBotApi telegram, String status) {
        return telegram.texts(CHAT).stream()
                .filter(t -> t.contains("<b>" + status + "</b>"))
                .toList();
    }

    private void startAlertmanager(int hubPort, int amPort) throws Exception {
        startAlertmanager(hubPort, amPort, "");
    }

    /** Alertmanager posting every alert to the hub; {@code more}: further top-level configuration (inhibit_rules). */
    private void startAlertmanager(int hubPort, int amPort, String more) throws Exception {
        Path cfg = dir.resolve("am.yml");
        Files.writeString(
                cfg,
                more
                        + String.join(
                                "\n",
                                "route:",
                                "  receiver: hub",
                                "  group_by: [alertname]",
                                "  group_wait: 1s",
                                "  group_interval: 1s",
                                "  repeat_interval: 1h",
                                "receivers:",
                                "  - name: hub",
                                "    webhook_configs:",
                                "      - url: http://127.0.0.1:" + hubPort + "/alerts",
                                "        send_resolved: true",
                                "        http_config:",
                                "          authorization:",
                                "            type: Bearer",
                                "            credentials: " + BEARER,
                                ""));
        start(
                dir.resolve("am.log"),
                "prometheus-alertmanager",
                "--config.file=" + cfg,
                "--storage.path=" + Files.createDirectories(dir.resolve("am-data")),
                "--web.listen-address=127.0.0.1:" + amPort,
                "--cluster.listen-address=");
        awaitReady("http://127.0.0.1:" + amPort + "/-/ready");
    }

    private void startPrometheus(int hubPort, int amPort) throws Exception {
        Path rules = dir.resolve("rules.yml");
        Files.writeString(
                rules,
                String.join(
                        "\n",
                        "groups:",
                        "  - name: pacs",
                        "    rules:",
                        "      - alert: StudiesNotForwarded",
                        "        expr: pacs_forwarding_missing_studies > 0",
                        "        for: 0s",
                        "        labels:",
                        "          severity: critical",
                        "        annotations:",
                        "          summary: \"{{ $value }} studies from {{ $labels.source }} missing on {{ $labels.target }}\"",
                        ""));
        Path cfg = dir.resolve("prometheus.yml");
        Files.writeString(
                cfg,
                String.join(
                        "\n",
                        "global:",
                        "  scrape_interval: 1s",
                        "  evaluation_interval: 1s",
                        "rule_files:",
                        "  - " + rules,
                        "alerting:",
                        "  alertmanagers:",
                        "    - static_configs:",
                        "        - targets: ['127.0.0.1:" + amPort + "']",
                        "scrape_configs:",
                        "  - job_name: opshub",
                        "    static_configs:",
                        "      - targets: ['127.0.0.1:" + hubPort + "']",
                        ""));
        int port = HubRunner.freePort();
        start(
                dir.resolve("prometheus.log"),
                "prometheus",
                "--config.file=" + cfg,
                "--storage.tsdb.path=" + Files.createDirectories(dir.resolve("prom-data")),
                "--web.listen-address=127.0.0.1:" + port);
        awaitReady("http://127.0.0.1:" + port + "/-/ready");
    }

    private void start(Path log, String... command) throws IOException {
        processes.add(new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start());
    }

    private static void awaitReady(String url) throws InterruptedException {
        assertTrue(
                HubRunner.await(Duration.ofSeconds(20), () -> {
                    try {
                        return HTTP.send(
                                                HttpRequest.newBuilder(URI.create(url))
                                                        .build(),
                                                HttpResponse.BodyHandlers.discarding())
                                        .statusCode()
                                == 200;
                    } catch (IOException e) {
                        return false;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                }),
                url + " not ready");
    }

    private static void check(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + ":\n" + out);
    }
}
