package org.opshub.grafana;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;
import java.util.function.Function;
import org.opshub.config.Settings;

/**
 * The {@code grafana.*} properties.
 *
 * @param url           Grafana base URL without trailing slash; empty: Grafana features off
 * @param token         service-account token, sent as {@code Authorization: Bearer}; empty: none
 * @param orgId         organisation of the dashboards
 * @param width         rendered width in pixels
 * @param height        rendered height in pixels
 * @param renderTimeout connect and response timeout of one render
 * @param defaultRange  time range of a panel when none is given ({@code 6h}: from now-6h to now)
 * @param zone          zone the panels are rendered in ({@code tz} of the render API)
 * @param namespace     namespace of the organisation's resources under {@code /apis}: {@code
 *                      grafana.namespace}, else {@code default} for org 1 and {@code org-<id>} for
 *                      another (Grafana's namespace mapper)
 */
public record GrafanaSettings(
        String url,
        String token,
        int orgId,
        int width,
        int height,
        Duration renderTimeout,
        String defaultRange,
        ZoneId zone,
        String namespace) {

    /**
     * @throws IllegalArgumentException naming the property when a value is malformed
     */
    public static GrafanaSettings from(Function<String, String> property, ZoneId telegramZone) {
        // read by the routes' search and dashboard calls (TimeoutHttpClient)
        Settings.duration(property, "grafana.http-timeout");
        Settings.number(property, "grafana.max-answer-bytes", 1024, Integer.MAX_VALUE);
        String range = value(property, "grafana.default-range", "6h");
        if (!validRange(range)) {
            throw new IllegalArgumentException("grafana.default-range must look like 30m, 6h, 7d: " + range);
        }
        int orgId = (int) Settings.number(property, "grafana.org-id", 1, Integer.MAX_VALUE);
        String namespace = value(property, "grafana.namespace", orgId == 1 ? "default" : "org-" + orgId);
        if (!namespace.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
            throw new IllegalArgumentException(
                    "grafana.namespace must be a Kubernetes namespace name (default, org-2, stacks-123): " + namespace);
        }
        return new GrafanaSettings(
                value(property, "grafana.url", "").replaceAll("/+$", ""),
                value(property, "grafana.token", ""),
                orgId,
                (int) Settings.number(property, "grafana.render.width", 1, 10_000),
                (int) Settings.number(property, "grafana.render.height", 1, 10_000),
                Settings.duration(property, "grafana.render.timeout"),
                range,
                Settings.zone(property, "grafana.timezone", telegramZone),
                namespace);
    }

    /** A Grafana relative range: a number and one of s, m, h, d, w, M, y. */
    public static boolean validRange(String range) {
        return range != null && range.matches("[1-9]\\d{0,4}[smhdwMy]");
    }

    public boolean enabled() {
        return !url.isEmpty();
    }

    private static String value(Function<String, String> property, String key, String dflt) {
        return Objects.requireNonNullElse(property.apply(key), dflt).strip().isEmpty()
                ? dflt
                : property.apply(key).strip();
    }

    @Override
    public String toString() {
        return enabled()
                ? url + " (org " + orgId + ", " + width + "x" + height + ", token " + (token.isEmpty() ? "none" : "set")
                        + ")"
                : "off (no grafana.url)";
    }
}
