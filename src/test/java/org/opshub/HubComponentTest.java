package org.opshub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opshub.dicom.TestScp;
import org.slf4j.LoggerFactory;

/** Boots the real Main with the real routes and application.properties. */
class HubComponentTest {
    @TempDir
    Path tmp;

    static final class Captured extends AppenderBase<ILoggingEvent> {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        protected void append(ILoggingEvent e) {
            lines.add(e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage()
                    + (e.getThrowableProxy() == null
                            ? ""
                            : " " + e.getThrowableProxy().getMessage()));
        }
    }

    private static Captured capture() {
        Captured c = new Captured();
        c.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(c);
        return c;
    }

    @Test
    void startsOnEmbeddedDefaultsWithMetricsAndHealth() throws Exception {
        Captured log = capture();
        try (HubRunner hub = new HubRunner(Map.of())) {
            assertTrue(log.lines.stream().anyMatch(l -> l.contains("PACS monitor idle: no PACS nodes configured")));
            assertEquals(
                    1,
                    log.lines.stream()
                            .filter(
                                    l -> l.startsWith("WARN ")
                                            && l.contains(
                                                    "POST /alerts accepts loopback clients only: alertmanager.bearer-token is empty"))
                            .count(),
                    "one WARN line says /alerts is loopback-only");
            HttpResponse<String> m = hub.get("/metrics");
            assertEquals(200, m.statusCode());
            assertTrue(m.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            assertTrue(m.body().contains("jvm_memory_used_bytes"), "JVM metrics");
            assertTrue(m.body().contains("routeId=\"pacs-monitor\""), "Camel route metrics");
            HttpResponse<String> om = hub.get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0");
            assertTrue(om.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"));
            assertTrue(om.body().strip().endsWith("# EOF"));

            assertEquals("{\"status\":\"UP\"}", hub.get("/observe/health").body());
            assertEquals(200, hub.get("/observe/health/live").statusCode());
            assertEquals(200, hub.get("/observe/health/ready").statusCode());
            assertEquals(
                    "{\"status\":\"UP\"}",
                    hub.get("/observe/health?exposureLevel=full&data=true").body(),
                    "no query parameter raises the exposure level");
            String missing = hub.get("/pacs/missing").body();
            assertTrue(missing.contains("\"checks\":[]"), missing);
            String stateDir = hub.context().resolvePropertyPlaceholders("{{state.directory}}");
            assertTrue(
                    HubRunner.await(Duration.ofSeconds(10), () -> {
                        try {
                            return hub.get("/checks").body().contains("\"target\":\"" + stateDir + "\"");
                        } catch (Exception e) {
                            return false;
                        }
                    }),
                    "the shipped disk check watches state.directory");
        }
    }

    @Test
    void hostileAndSilentNodesNeverStopTheHub() throws Exception {
        try (TestScp garbage = new TestScp(TestScp.Mode.GARBAGE);
                TestScp silent = new TestScp(TestScp.Mode.SILENT);
                TestScp abort = new TestScp(TestScp.Mode.ABORT_MID_FIND)) {
            Map<String, String> p = new HashMap<>();
            p.put("pacs.period", "PT1S");
            p.put("pacs.association-timeout", "PT0.5S");
            p.put("pacs.dimse-timeout", "PT0.5S");
            node(p, "garbage", garbage);
            node(p, "silent", silent);
            node(p, "abort", abort);
            p.put("pacs.forwarding.x.source", "abort");
            p.put("pacs.forwarding.x.target", "silent");
            Captured log = capture();
            try (HubRunner hub = new HubRunner(p)) {
                String x = "source=\"abort\",target=\"silent\"";
                assertTrue(HubRunner.await(Duration.ofSeconds(20), () -> {
                    try {
                        return log.lines.stream().anyMatch(l -> l.contains("PACS node silent"))
                                && log.lines.stream().anyMatch(l -> l.contains("PACS node garbage"))
                                && log.lines.stream()
                                        .anyMatch(l -> l.contains("Forwarding check abort->silent failing"))
                                && hub.metric("pacs_forwarding_check_success", x) == 0
                                && hub.metric("pacs_up", "pacs=\"garbage\"") == 0
                                && hub.metric("pacs_up", "pacs=\"silent\"") == 0;
                    } catch (Exception e) {
                        return false;
                    }
                }));
                Thread.sleep(2500); // a few more periods: still one log line per state change
                for (String n : List.of("garbage", "silent")) {
                    assertEquals(
                            1,
                            log.lines.stream()
                                    .filter(l -> l.contains("PACS node " + n + " "))
                                    .count(),
                            log.lines.toString());
                }
                // echoes fine, fails every C-FIND: up once, then down for good (no flapping)
                assertEquals(
                        List.of("is up", "is down"),
                        log.lines.stream()
                                .filter(l -> l.contains("PACS node abort "))
                                .map(l -> l.contains("is up") ? "is up" : "is down")
                                .toList());
                assertEquals(
                        1,
                        log.lines.stream()
                                .filter(l -> l.contains("Forwarding check abort->silent failing"))
                                .count());
                assertTrue(log.lines.stream().anyMatch(l -> l.contains("unrecognized PDU type 0x48")));
                assertEquals(
                        ServiceStatus.Started,
                        hub.context().getRouteController().getRouteStatus("pacs-monitor"));
                assertEquals("{\"status\":\"UP\"}", hub.get("/observe/health").body());
                assertTrue(hub.get("/pacs/missing").body().contains("association aborted by TESTSCP"));
            }
        }
    }

    private static void node(Map<String, String> p, String name, TestScp scp) {
        p.put("pacs.nodes." + name + ".host", "127.0.0.1");
        p.put("pacs.nodes." + name + ".port", Integer.toString(scp.port()));
        p.put("pacs.nodes." + name + ".ae-title", "TESTSCP");
    }

    @Test
    void brokenRouteEditIsLoggedWithFileAndLineAndRunningRoutesStay() throws Exception {
        Path routes = Files.createDirectories(tmp.resolve("routes"));
        for (String f : List.of("http-answers.yaml", "observability.yaml", "pacs-forwarding.yaml")) {
            Files.copy(Path.of("routes", f), routes.resolve(f));
        }
        Map<String, String> p = Map.of(
                "camel.main.routesIncludePattern",
                "file:" + routes + "/*.yaml",
                "camel.main.routesReloadDirectory",
                routes.toString());
        Captured log = capture();
        try (HubRunner hub = new HubRunner(p)) {
            Thread.sleep(1500);
            Files.writeString(
                    routes.resolve("pacs-forwarding.yaml"),
                    "- route:\n    id: pacs-monitor\n    from:\n"
                            + "      uri: timer:x\n      steps:\n        - bogus-step: {}\n");
            assertTrue(
                    HubRunner.await(
                            Duration.ofSeconds(20),
                            () -> log.lines.stream()
                                    .anyMatch(l -> l.contains("pacs-forwarding.yaml") && l.contains("line"))),
                    log.lines.toString());
            assertEquals(
                    ServiceStatus.Started, hub.context().getRouteController().getRouteStatus("metrics"));
            assertEquals(200, hub.get("/metrics").statusCode());

            // while one file is broken Camel refuses every reload, so ops fix it first
            Files.copy(
                    Path.of("routes", "pacs-forwarding.yaml"),
                    routes.resolve("pacs-forwarding.yaml"),
                    StandardCopyOption.REPLACE_EXISTING);
            Files.writeString(
                    routes.resolve("extra.yaml"),
                    "- route:\n    id: extra\n    from:\n"
                            + "      uri: platform-http:/extra\n      steps:\n        - setBody:\n            constant: hello\n");
            assertTrue(
                    HubRunner.await(Duration.ofSeconds(20), () -> hub.context().getRoute("extra") != null));
            assertEquals("hello", hub.get("/extra").body());
            assertEquals(
                    ServiceStatus.Started, hub.context().getRouteController().getRouteStatus("metrics"));
        }
    }

    @Test
    void editingARouteFileKeepsTheCallRoutesOfItsApiTemplate() throws Exception {
        Path routes = Files.createDirectories(tmp.resolve("routes"));
        try (var files = Files.list(Path.of("routes"))) {
            for (Path f : files.toList()) {
                Files.copy(f, routes.resolve(f.getFileName()));
            }
        }
        Map<String, String> p = Map.of(
                "camel.main.routesIncludePattern",
                "file:" + routes + "/*.yaml",
                "camel.main.routesReloadDirectory",
                routes.toString());
        List<String> calls = List.of(
                "alertmanager-get-alerts",
                "alertmanager-post-silence",
                "grafana-search",
                "grafana-render",
                "cloudflare-storage-usage");
        try (HubRunner hub = new HubRunner(p)) {
            for (String id : calls) {
                assertEquals(
                        ServiceStatus.Started,
                        hub.context().getRouteController().getRouteStatus(id),
                        id);
            }
            Thread.sleep(1500);
            for (String f : List.of("grafana.yaml", "cloudflare-stream.yaml", "alert-delivery.yaml")) {
                String text = Files.readString(routes.resolve(f))
                                .replace("description: Ask Grafana's API", "description: Asks Grafana's API")
                                .replace(
                                        "description: Every cloudflare.period,", "description: Each cloudflare.period,")
                        + "\n# edited while the hub runs\n";
                Files.writeString(routes.resolve(f), text);
            }
            assertTrue(
                    HubRunner.await(
                            Duration.ofSeconds(20),
                            () -> hub.context().getRoute("grafana-browse") != null
                                    && hub.context()
                                            .getRoute("grafana-browse")
                                            .getDescription()
                                            .startsWith("Asks")),
                    "the edit is reloaded");
            Thread.sleep(3000); // the templated routes' own reload runs on the same change
            for (String id : calls) {
                assertEquals(
                        ServiceStatus.Started,
                        hub.context().getRouteController().getRouteStatus(id),
                        id + " after the edit");
            }
            HttpResponse<String> metrics = hub.get("/metrics");
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("telegram_messages_sent_total"), "the hub's own meters stay");
        }
    }
}
