package org.opshub.observe;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.Exchange;
import org.apache.camel.Handler;

/**
 * {@code GET /metrics}: the Prometheus text exposition format 0.0.4, or OpenMetrics 1.0.0 when
 * the {@code Accept} header asks for {@code application/openmetrics-text}
 * (prometheus.io/docs/instrumenting/exposition_formats).
 */
public final class PrometheusScrape {
    /** Prometheus text format 0.0.4. */
    public static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
    /** OpenMetrics text format 1.0.0. */
    public static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final PrometheusMeterRegistry registry;

    public PrometheusScrape(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    /** Sets the body and Content-Type of the exchange's message. */
    @Handler
    public void scrape(Exchange exchange) {
        String accept = exchange.getMessage().getHeader("Accept", String.class);
        String type = accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS : TEXT;
        exchange.getMessage().setBody(registry.scrape(type));
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, type);
    }
}
