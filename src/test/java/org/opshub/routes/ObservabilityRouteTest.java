package org.opshub.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.spi.Registry;
import org.junit.jupiter.api.Test;

/**
 * Routes {@code metrics} and {@code health} of {@code routes/observability.yaml} with Camel's test kit
 * (platform-http consumers replaced by {@code direct:}): the scrape's format follows the scraper's
 * Accept, and health is 200 while UP and 503 when DOWN, as JSON either way; a failure is the shared
 * JSON 500 of {@code http-answers}.
 */
class ObservabilityRouteTest extends RouteFileTestSupport {
    private volatile Map<String, Object> health = Map.of("status", "UP");
    private volatile boolean broken;

    /** Stands in for {@code prometheusScrape}. */
    public static final class Scrape {
        public String contentType(String accept) {
            return accept != null && accept.contains("openmetrics")
                    ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                    : "text/plain; version=0.0.4; charset=utf-8";
        }

        public String scrape(String contentType) {
            return contentType.startsWith("application/openmetrics") ? "up 1\n# EOF\n" : "up 1\n";
        }
    }

    /** Stands in for {@code healthReport}. */
    public final class Health {
        public Map<String, Object> report(String path) {
            if (broken) {
                throw new IllegalStateException("jdbc:h2:/var/lib/opshub/state refused");
            }
            return health;
        }
    }

    @Override
    String routeFile() {
        return "observability.yaml,http-answers.yaml";
    }

    @Override
    String routeIds() {
        return "metrics,health";
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("prometheusScrape", new Scrape());
        registry.bind("healthReport", new Health());
    }

    private Exchange get(String route, String accept) throws Exception {
        if (!context.isStarted()) {
            AdviceWith.adviceWith(context, "metrics", a -> a.replaceFromWith("direct:metrics"));
            AdviceWith.adviceWith(context, "health", a -> a.replaceFromWith("direct:health"));
            start(Map.of());
        }
        return template.send("direct:" + route, e -> {
            if (accept != null) {
                e.getMessage().setHeader("Accept", accept);
            }
        });
    }

    @Test
    void theScrapeIsTextOrOpenMetricsAsTheScraperAsks() throws Exception {
        Exchange text = get("metrics", "text/plain");
        assertTrue(text.getMessage().getHeader("Content-Type", String.class).startsWith("text/plain; version=0.0.4"));
        assertEquals("up 1\n", text.getMessage().getBody(String.class));
        Exchange open = get("metrics", "application/openmetrics-text; version=1.0.0");
        assertTrue(
                open.getMessage().getHeader("Content-Type", String.class).startsWith("application/openmetrics-text"));
        assertTrue(open.getMessage().getBody(String.class).endsWith("# EOF\n"));
    }

    @Test
    void healthIs200WhileUpAnd503WhenDownWithTheDownCheckIdsOnly() throws Exception {
        Exchange up = get("health", null);
        assertEquals(200, up.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class));
        assertEquals("{\"status\":\"UP\"}", up.getMessage().getBody(String.class));
        assertEquals("application/json", up.getMessage().getHeader("Content-Type"));
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("status", "DOWN");
        report.put("down", List.of("state-store"));
        health = report;
        Exchange down = get("health", null);
        assertEquals(503, down.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class));
        assertEquals(
                "{\"status\":\"DOWN\",\"down\":[\"state-store\"]}",
                down.getMessage().getBody(String.class));
    }

    @Test
    void aFailureIsTheSharedJson500ThatNamesNoInternals() throws Exception {
        broken = true;
        Exchange failed = get("health", null);
        assertEquals(500, failed.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class));
        assertEquals(
                "{\"status\":\"error\",\"error\":\"internal error; the cause is in the hub log\"}",
                failed.getMessage().getBody(String.class));
    }
}
