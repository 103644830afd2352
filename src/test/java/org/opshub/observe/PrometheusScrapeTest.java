package org.opshub.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What Prometheus 3 gets from {@code GET /metrics}. Prometheus 3 refuses a scrape whose Content-Type is
 * missing or unknown (unless {@code fallback_scrape_protocol} is set), asks for OpenMetrics first with
 * UTF-8 names allowed, and normalises {@code le} and {@code quantile} values to floats ("Prometheus 3.0
 * migration guide", prometheus.io/docs/prometheus/latest/migration/). The Accept headers are those of
 * {@code scrape_protocols} by default in 3.x and of 2.x ({@code scrape/scrape.go} of each).
 */
class PrometheusScrapeTest {
    static final String PROMETHEUS_3 = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,"
            + "application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,"
            + "text/plain;version=0.0.4;q=0.2,*/*;q=0.1";
    static final String PROMETHEUS_2 = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
            + "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    @Test
    void prometheus3And2GetOpenMetricsWithLegacyNamesAndFloatBuckets() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Counter.builder("telegram_send_errors_total").tag("code", "429").register(registry);
        Timer.builder("pacs_echo_duration")
                .publishPercentileHistogram()
                .register(registry)
                .record(Duration.ofMillis(12));
        PrometheusScrape scrape = new PrometheusScrape(registry);
        for (String accept : new String[] {PROMETHEUS_3, PROMETHEUS_2}) {
            String type = scrape.contentType(accept);
            assertEquals(PrometheusScrape.OPENMETRICS, type);
            String body = scrape.scrape(type);
            assertTrue(body.endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
            body.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).forEach(l -> {
                // names Prometheus 2 and 3 both read without escaping
                assertTrue(l.matches("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*\\})? .*"), l);
                // every bucket bound is already a float: nothing for Prometheus 3 to rewrite
                if (l.contains("le=\"")) {
                    assertTrue(l.matches(".*le=\"([0-9]+\\.[0-9]+(E-?[0-9]+)?|\\+Inf)\".*"), l);
                }
            });
        }
        assertEquals(PrometheusScrape.TEXT, scrape.contentType(null), "no Accept: the text format 0.0.4");
        assertEquals(PrometheusScrape.TEXT, scrape.contentType("text/plain;version=0.0.4"));
    }
}
