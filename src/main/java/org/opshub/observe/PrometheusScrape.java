package org.opshub.observe;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

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

    /**
     * The format a scraper asks for: {@link #OPENMETRICS} when its {@code Accept} header (may be
     * null) names {@code application/openmetrics-text}, else {@link #TEXT}.
     */
    public String contentType(String accept) {
        return accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS : TEXT;
    }

    /** Every meter of the registry in {@code contentType} ({@link #TEXT} or {@link #OPENMETRICS}). */
    public String scrape(String contentType) {
        return registry.scrape(contentType);
    }
}
