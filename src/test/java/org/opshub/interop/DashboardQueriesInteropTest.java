package org.opshub.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opshub.HubRunner;
import org.opshub.telegram.AlertDeliveryTestAccess;
import org.opshub.telegram.FakeBotApi;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Every query of every shipped dashboard (and every template variable), and every alert rule's expression
 * without its threshold, evaluated by a real Prometheus
 * (Debian) that scrapes a real hub: PACS nodes and a pair configured (one node down), the shipped
 * service checks, a Cloudflare account whose API does not answer, alerts delivered through the fake Bot
 * API with a 429 and a blocked chat, a duplicate alert, HTTP requests. Each query must return at least one
 * series: a panel that can never show data is a bug. The test prints every panel with its series count.
 */
@Tag("interop")
@Timeout(180)
class DashboardQueriesInteropTest {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void everyPanelAndVariableReturnsSeries() throws Exception {
        Map<String, String> p = properties();
        List<Process> processes = new ArrayList<>();
        try (FakeBotApi telegram = new FakeBotApi()) {
            p.putAll(telegram.hubProperties(4001, 4002));
            telegram.script(4001, FakeBotApi.Answer.tooManyRequests(1));
            telegram.script(4002, FakeBotApi.Answer.blocked());
            try (HubRunner hub = new HubRunner(p)) {
                for (long chat : new long[] {4001, 4002}) {
                    telegram.userSays(chat, "/subscribe *");
                }
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(15), () -> telegram.delivered(4001).size() >= 1));
                byte[] alert = AlertDeliveryTestAccess.payload("DashboardTest", "2026-11-21T13:00:00Z");
                assertEquals(200, hub.postAlerts(alert).statusCode());
                assertEquals(200, hub.postAlerts(alert).statusCode()); // a duplicate
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(20),
                                () -> telegram.texts(4001).stream().anyMatch(t -> t.contains("DashboardTest"))),
                        "delivered after the 429");

                assertEquals(List.of(), emptyQueries(hub, processes, true), "queries without data");
            }
        } finally {
            processes.forEach(Process::destroy);
        }
    }

    /**
     * A hub just started with the same configuration, before any alert, message or error: every panel
     * of every shipped dashboard already has series (counters of a closed label set start at 0 for
     * each known value).
     */
    @Test
    void onAFreshHubEveryPanelHasSeries() throws Exception {
        Map<String, String> p = properties();
        List<Process> processes = new ArrayList<>();
        try (FakeBotApi telegram = new FakeBotApi()) {
            p.putAll(telegram.hubProperties(4001));
            try (HubRunner hub = new HubRunner(p)) {
                assertEquals(List.of(), emptyQueries(hub, processes, false), "panels without data on a fresh hub");
            }
        } finally {
            processes.forEach(Process::destroy);
        }
    }

    /**
     * Prometheus (Debian's) with the shipped config and rules scraping {@code hub}; prints the series count
     * of every dashboard query and variable (and of every rule's expression when {@code withRules}) and
     * returns those without series.
     */
    private List<String> emptyQueries(HubRunner hub, List<Process> processes, boolean withRules) throws Exception {
        int port = HubRunner.freePort();
        // the shipped prometheus.yml and rules: only the targets and the intervals rewritten
        Path cfg = dir.resolve("prometheus.yml");
        Files.writeString(
                cfg,
                Files.readString(Path.of("deploy/prometheus/prometheus.yml"))
                        .replace("opshub:9000", "127.0.0.1:" + hub.port)
                        .replace("alertmanager:9093", "127.0.0.1:" + HubRunner.freePort())
                        .replace("scrape_interval: 30s", "scrape_interval: 1s")
                        .replace("evaluation_interval: 30s", "evaluation_interval: 1s"));
        Files.copy(Path.of("deploy/prometheus/opshub-alerts.yml"), dir.resolve("opshub-alerts.yml"));
        processes.add(new ProcessBuilder(
                        "prometheus",
                        "--config.file=" + cfg,
                        "--storage.tsdb.path=" + Files.createDirectories(dir.resolve("data")),
                        "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("prometheus.log").toFile())
                .start());
        String api = "http://127.0.0.1:" + port + "/api/v1/query?query=";
        assertTrue(HubRunner.await(Duration.ofSeconds(30), () -> series(api, "up{job=\"opshub\"}") > 0));
        Thread.sleep(8000); // rates need a few scrapes
        for (int i = 0; i < 3; i++) {
            hub.get("/observe/health");
        }

        Map<String, Integer> counts = new TreeMap<>();
        List<String> empty = new ArrayList<>();
        try (var files = Files.list(Path.of("deploy/grafana/dashboards"))) {
            for (Path f : files.sorted().toList()) {
                JsonNode d = OrthancPeer.JSON.readTree(f.toFile());
                for (JsonNode panel : d.get("panels")) {
                    for (JsonNode t : panel.get("targets")) {
                        String expr = t.get("expr")
                                .asText()
                                .replace("$__rate_interval", "1m")
                                .replaceAll("\\$[a-z]+", ".*");
                        String key = f.getFileName() + " / "
                                + panel.get("title").asText() + " / "
                                + t.get("refId").asText();
                        int n = series(api, expr);
                        counts.put(key, n);
                        if (n == 0) {
                            empty.add(key + ": " + expr);
                        }
                    }
                }
                for (JsonNode v : d.path("templating").path("list")) {
                    String q = v.path("query")
                            .path("query")
                            .asText()
                            .replaceAll("label_values\\(([a-z_]+), ([a-z_]+)\\)", "count by ($2) ($1)");
                    String key =
                            f.getFileName() + " / variable " + v.get("name").asText();
                    int n = series(api, q);
                    counts.put(key, n);
                    if (n == 0) {
                        empty.add(key + ": " + q);
                    }
                }
            }
        }
        // every rule's expression without its threshold (the alerts themselves: promtool test rules)
        if (withRules) {
            @SuppressWarnings("unchecked")
            Map<String, Object> rules =
                    (Map<String, Object>) new Load(LoadSettings.builder().build())
                            .loadFromString(Files.readString(Path.of("deploy/prometheus/opshub-alerts.yml")));
            for (Object g : (List<?>) rules.get("groups")) {
                for (Object r : (List<?>) ((Map<?, ?>) g).get("rules")) {
                    Map<?, ?> rule = (Map<?, ?>) r;
                    String expr = ((String) rule.get("expr")).replaceAll("\\s*(==|!=|>=|<=|>|<)\\s*[0-9.]+\\s*$", "");
                    String key = "rule " + rule.get("alert");
                    int n = series(api, expr);
                    counts.put(key, n);
                    if (n == 0) {
                        empty.add(key + ": " + expr);
                    }
                }
            }
        }
        counts.forEach((k, n) -> System.out.println(n + " series  " + k));
        return empty;
    }

    /** PACS nodes and a pair with Storage Commitment (one node down), a Cloudflare account whose API does not answer. */
    private static Map<String, String> properties() throws IOException {
        Map<String, String> p = new HashMap<>();
        p.put("pacs.period", "PT1S");
        p.put("pacs.nodes.src.host", "127.0.0.1");
        p.put("pacs.nodes.src.port", "1");
        p.put("pacs.nodes.src.ae-title", "SRC");
        p.put("pacs.nodes.dst.host", "127.0.0.1");
        p.put("pacs.nodes.dst.port", "2");
        p.put("pacs.nodes.dst.ae-title", "DST");
        p.put("pacs.forwarding.main.source", "src");
        p.put("pacs.forwarding.main.target", "dst");
        // Storage Commitment on, so that its gauges (and the dashboard row and rules on them) have series
        p.put("pacs.forwarding.main.commitment", "true");
        p.put("pacs.scp.host", "127.0.0.1");
        p.put("pacs.scp.port", Integer.toString(HubRunner.freePort()));
        p.put("cloudflare.api-url", "http://127.0.0.1:3/client/v4");
        p.put("cloudflare.token", "cf-test-token");
        p.put("cloudflare.accounts", "acc1");
        p.put("cloudflare.period", "PT1S");
        return p;
    }

    /** The number of series an instant query returns; -1 when it fails. */
    private static int series(String api, String expr) {
        try {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create(api + URLEncoder.encode(expr, StandardCharsets.UTF_8)))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode j = OrthancPeer.JSON.readTree(r.body());
            return "success".equals(j.path("status").asText())
                    ? j.path("data").path("result").size()
                    : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
