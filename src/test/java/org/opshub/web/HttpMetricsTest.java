package org.opshub.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opshub.HubRunner;
import org.opshub.telegram.AlertDeliveryTestAccess;

/**
 * The HTTP server metrics of the real hub: after N requests of each kind, the counters by route
 * template, method and status are N, the histogram's count and +Inf bucket agree, and a path no route
 * serves counts as {@code other}, not as itself.
 */
class HttpMetricsTest {
    @Test
    void requestsAreCountedByRouteTemplateMethodAndStatus() throws Exception {
        try (HubRunner hub = new HubRunner(Map.of())) {
            int n = 3;
            for (int i = 0; i < n; i++) {
                byte[] ok = AlertDeliveryTestAccess.payload("Metrics" + i, "2026-11-21T13:00:00Z");
                assertEquals(200, hub.postAlerts(ok).statusCode());
                assertEquals(
                        400,
                        hub.postAlerts("{\"alerts\": 7}".getBytes(StandardCharsets.UTF_8))
                                .statusCode());
                assertEquals(200, hub.get("/observe/health").statusCode());
                assertEquals(404, hub.get("/no/such/page-" + i).statusCode());
                hub.get("/pacs/missing/main/1.2.3." + i
                        + "/resend"); // a GET on a POST route: refused, counted by template
            }
            String[] expected = {
                "method=\"POST\",route=\"/alerts\",status=\"200\"",
                "method=\"POST\",route=\"/alerts\",status=\"400\"",
                "method=\"GET\",route=\"/observe/health\",status=\"200\"",
                "method=\"GET\",route=\"other\",status=\"404\""
            };
            assertTrue(
                    HubRunner.await(Duration.ofSeconds(10), () -> {
                        for (String labels : expected) {
                            if (hub.metricOrMinusOne("http_server_requests_total", labels) != n) {
                                return false;
                            }
                        }
                        return true;
                    }),
                    hub.get("/metrics").body());
            for (String labels : expected) {
                assertEquals(n, hub.metric("http_server_requests_seconds_count", labels), labels);
                assertEquals(n, hub.metric("http_server_requests_seconds_bucket", labels + ",le=\"+Inf\""), labels);
                assertTrue(hub.metric("http_server_requests_seconds_sum", labels) > 0, labels);
            }
            String metrics = hub.get("/metrics").body();
            assertFalse(metrics.contains("/no/such") || metrics.contains("1.2.3.0"), "raw paths never become labels");
            assertTrue(
                    metrics.contains("route=\"/pacs/missing/{pair}/{studyInstanceUid}/resend\""),
                    "the template of the route");
            assertTrue(
                    metrics.contains(
                            "http_server_requests_seconds_bucket{method=\"POST\",route=\"/alerts\",status=\"200\",le=\"0.005\"}"),
                    "Prometheus's default buckets");
        }
    }
}
