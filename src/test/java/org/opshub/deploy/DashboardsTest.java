package org.opshub.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The Grafana kit of {@code deploy/grafana}: the provisioned Prometheus datasource has the fixed uid
 * every panel and variable uses; each dashboard is valid JSON with a unique uid and unique panel ids;
 * every metric a panel or a variable queries is one the hub exports (the metrics table of docs/endpoints-and-metrics.md, or
 * the JVM, process, Camel and scrape metrics); the overview links to every other dashboard.
 */
class DashboardsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DIR = Path.of("deploy/grafana/dashboards");
    private static final Set<String> FUNCTIONS = Set.of(
            "sum",
            "by",
            "rate",
            "increase",
            "min",
            "max",
            "or",
            "vector",
            "histogram_quantile",
            "label_values",
            "le",
            "on",
            "without",
            "avg",
            "count");

    @SuppressWarnings("unchecked")
    private static String datasourceUid() throws Exception {
        Map<String, Object> ds = (Map<String, Object>) new Load(
                        LoadSettings.builder().build())
                .loadFromString(Files.readString(Path.of("deploy/grafana/provisioning/datasources/prometheus.yml")));
        return (String)
                ((List<Map<String, Object>>) ds.get("datasources")).get(0).get("uid");
    }

    /** Metric names of the metrics table in docs/endpoints-and-metrics.md. */
    private static Set<String> documented() throws Exception {
        Set<String> names = new HashSet<>();
        Matcher m = Pattern.compile("^\\| `([a-z_]+)`(?:, `([a-z_]+)`)? \\|", Pattern.MULTILINE)
                .matcher(Files.readString(Path.of("docs/endpoints-and-metrics.md")));
        while (m.find()) {
            names.add(m.group(1));
            if (m.group(2) != null) {
                names.add(m.group(2));
            }
        }
        return names;
    }

    /** The metric names of a PromQL expression: identifiers that are not functions, keywords or label names. */
    static Set<String> metrics(String expr) {
        String withoutLabels = expr.replaceAll("\\{[^}]*\\}", "")
                .replaceAll("\\[[^]]*\\]", "")
                .replaceAll("\\b(by|without|on|ignoring)\\s*\\([^)]*\\)", "")
                .replaceAll("\"[^\"]*\"", "");
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("\\b[a-zA-Z_:][a-zA-Z0-9_:]*\\b").matcher(withoutLabels);
        while (m.find()) {
            String id = m.group();
            int end = m.end();
            boolean call = end < withoutLabels.length() && withoutLabels.charAt(end) == '(';
            if (!call && !FUNCTIONS.contains(id) && !id.matches("\\d.*")) {
                out.add(id);
            }
        }
        return out;
    }

    private static boolean exported(String metric, Set<String> documented) {
        String base = metric.replaceAll("_(bucket|count|sum)$", "");
        return documented.contains(metric)
                || documented.contains(base)
                || metric.equals("up")
                || metric.startsWith("jvm_")
                || metric.startsWith("process_")
                || metric.startsWith("camel_");
    }

    @Test
    void everyDashboardIsProvisionedConsistently() throws Exception {
        String uid = datasourceUid();
        assertEquals("opshub-prometheus", uid);
        Set<String> documented = documented();
        assertTrue(
                documented.contains("pacs_up") && documented.contains("http_server_requests_total"),
                documented.toString());
        Set<String> uids = new TreeSet<>();
        Set<String> unknown = new TreeSet<>();
        int panels = 0;
        try (var files = Files.list(DIR)) {
            for (Path f : files.sorted().toList()) {
                JsonNode d = JSON.readTree(f.toFile());
                assertTrue(uids.add(d.get("uid").asText()), "duplicate uid in " + f);
                Set<Integer> ids = new HashSet<>();
                for (JsonNode p : d.get("panels")) {
                    panels++;
                    assertTrue(ids.add(p.get("id").asInt()), f + ": duplicate panel id " + p.get("id"));
                    assertEquals(uid, p.path("datasource").path("uid").asText(), f + " panel " + p.get("title"));
                    assertFalse(p.get("targets").isEmpty(), f + " panel " + p.get("title") + " has no query");
                    for (JsonNode t : p.get("targets")) {
                        assertEquals(uid, t.path("datasource").path("uid").asText(), f + " panel " + p.get("title"));
                        for (String m : metrics(t.get("expr").asText())) {
                            if (!exported(m, documented)) {
                                unknown.add(
                                        f.getFileName() + " / " + p.get("title").asText() + ": " + m);
                            }
                        }
                    }
                }
                for (JsonNode v : d.path("templating").path("list")) {
                    assertEquals(uid, v.path("datasource").path("uid").asText(), f + " variable " + v.get("name"));
                    String q = v.path("query").path("query").asText();
                    Matcher lv = Pattern.compile("label_values\\(([a-z_]+), ([a-z_]+)\\)")
                            .matcher(q);
                    assertTrue(lv.matches(), f + " variable " + v.get("name") + ": " + q);
                    assertTrue(
                            exported(lv.group(1), documented), f + " variable " + v.get("name") + ": " + lv.group(1));
                }
            }
        }
        assertTrue(unknown.isEmpty(), "queries of metrics the hub does not export: " + unknown);
        assertEquals(
                Set.of(
                        "opshub-overview",
                        "opshub-pacs",
                        "opshub-delivery",
                        "opshub-checks",
                        "opshub-cloudflare",
                        "opshub-process"),
                uids);
        Set<String> linked = new TreeSet<>();
        JSON.readTree(DIR.resolve("overview.json").toFile())
                .get("links")
                .forEach(l -> linked.add(l.get("url").asText()));
        for (String u : uids) {
            assertTrue(u.equals("opshub-overview") || linked.contains("/d/" + u), "the overview links to " + u);
        }
        System.out.println(uids.size() + " dashboards, " + panels + " panels, every query on a metric the hub exports");
    }

    @Test
    void metricNamesAreFoundInExpressions() {
        assertEquals(
                Set.of("http_server_requests_seconds_bucket"),
                metrics(
                        "histogram_quantile(0.95, sum by (le, route) (rate(http_server_requests_seconds_bucket{a=\"b\"}[$__rate_interval])))"));
        assertEquals(
                Set.of("cloudflare_stream_stored_seconds"),
                metrics("cloudflare_stream_stored_seconds{account=~\"$account\"} / 60"));
        assertEquals(
                Set.of("telegram_send_errors_total"),
                metrics("sum(increase(telegram_send_errors_total{code=\"429\"}[5m])) or vector(0)"));
    }
}
