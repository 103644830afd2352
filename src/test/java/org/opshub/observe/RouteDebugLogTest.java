package org.opshub.observe;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.Test;
import org.opshub.AllLogs;
import org.opshub.HubRunner;
import org.opshub.checks.LoopbackHttp;
import org.opshub.checks.LoopbackHttp.Reply;
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
                HubRunner hub = new HubRunner(Map.of("cloudflare.api-url", api.url(""), "cloudflare.token", token,
                        "cloudflare.accounts", "abc123", "cloudflare.period", "200ms", "opshub.log-level", "DEBUG"))) {
            assertTrue(HubRunner.await(Duration.ofSeconds(10), () -> logs.events.stream().anyMatch(
                    e -> e.getLoggerName().equals("org.opshub.route.cloudflare-stream")
                            && e.getFormattedMessage().matches("cloudflare-stream completed in \\d+ ms"))));
            hub.get("/metrics");
            assertTrue(HubRunner.await(Duration.ofSeconds(5), () -> logs.events.stream()
                    .anyMatch(e -> e.getLoggerName().equals("org.opshub.route.metrics"))));
            assertFalse(logs.anyContains(token));
        } finally {
            opshub.setLevel(before);
        }
    }
}
