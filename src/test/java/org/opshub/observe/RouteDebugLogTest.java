package org.opshub.observe;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opshub.AllLogs;
import org.opshub.HubRunner;
import org.opshub.checks.LoopbackHttp;
import org.opshub.checks.LoopbackHttp.Reply;
import org.opshub.state.StateStore;
import org.opshub.telegram.FakeBotApi;
import org.slf4j.LoggerFactory;

/** With opshub.log-level=DEBUG (or OPSHUB_LOG_LEVEL=DEBUG) every route logs each exchange; secrets stay out. */
class RouteDebugLogTest {

    @Test
    void debugLevelLogsEveryRouteWithoutSecrets() throws Exception {
        Logger opshub = (Logger) LoggerFactory.getLogger("org.opshub");
        Level before = opshub.getLevel();
        String token = "cf-debug-secret-42";
        try (AllLogs logs = new AllLogs();
                LoopbackHttp api = new LoopbackHttp(n -> Reply.text(500, "down"));
                HubRunner hub = new HubRunner(Map.of(
                        "cloudflare.api-url",
                        api.url(""),
                        "cloudflare.token",
                        token,
                        "cloudflare.accounts",
                        "abc123",
                        "cloudflare.period",
                        "200ms",
                        "opshub.log-level",
                        "DEBUG"))) {
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(10),
                    () -> logs.events.stream()
                            .anyMatch(e -> e.getLoggerName().equals("org.opshub.route.cloudflare-stream")
                                    && e.getFormattedMessage().matches("cloudflare-stream completed in \\d+ ms"))));
            hub.get("/metrics");
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(5),
                    () -> logs.events.stream().anyMatch(e -> e.getLoggerName().equals("org.opshub.route.metrics"))));
            assertFalse(logs.anyContains(token));
        } finally {
            opshub.setLevel(before);
        }
    }

    @Test
    void debugLevelMasksTheGrafanaTokenAndTheJdbcPasswordWhileBothFail() throws Exception {
        Logger opshub = (Logger) LoggerFactory.getLogger("org.opshub");
        Level before = opshub.getLevel();
        String grafanaToken = "glsa_debug_secret_77";
        String jdbcPassword = "pw-in-the-url-88";
        try (AllLogs logs = new AllLogs();
                FakeBotApi telegram = new FakeBotApi();
                LoopbackHttp grafana = new LoopbackHttp(n -> Reply.text(500, "token " + grafanaToken + " refused"))) {
            Map<String, String> p = telegram.hubProperties(301);
            p.put("opshub.log-level", "DEBUG");
            p.put("grafana.url", "http://127.0.0.1:" + HubRunner.freePort());
            p.put("grafana.token", grafanaToken);
            p.put("state.jdbc-url", "jdbc:h2:mem:debugmask;DB_CLOSE_DELAY=-1;USER=sa;PASSWORD=" + jdbcPassword);
            try (HubRunner hub = new HubRunner(p)) {
                hub.bean("stateStore", StateStore.class).inTransaction(c -> {
                    try (Statement st = c.createStatement()) {
                        return st.executeUpdate("DROP TABLE subscription");
                    }
                });
                telegram.userSays(301, "/dashboards");
                telegram.userSays(301, "/subscribe Pacs");
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(15),
                                () -> logs.anyContains("the state store failed")
                                        || logs.anyContains("state store jdbc:h2")),
                        "the store failure is logged");
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(15),
                                () -> telegram.texts(301).stream().anyMatch(t -> t.contains("Grafana"))),
                        "Grafana's failure is answered: " + telegram.texts(301));
                hub.get("/metrics");
                hub.get("/observe/health?exposureLevel=full");
            }
            assertFalse(logs.anyContains(grafanaToken), "grafana.token in a log line");
            assertFalse(logs.anyContains(jdbcPassword), "the JDBC password in a log line");
        } finally {
            opshub.setLevel(before);
        }
    }
}
