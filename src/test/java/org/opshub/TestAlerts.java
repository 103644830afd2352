package org.opshub;

import java.nio.charset.StandardCharsets;

/** Alertmanager webhook payloads (version 4) for the tests: one firing alert per request. */
public final class TestAlerts {
    private TestAlerts() {}

    /**
     * One firing alert {@code name} of {@code severity}, its fingerprint from the name.
     *
     * @param annotations the annotations as JSON members, e.g. {@code "summary":"x","grafana_panel_id":"3"}
     */
    public static byte[] firing(String name, String severity, String annotations) {
        return ("{\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"" + name + "\\\"}\",\"status\":\"firing\","
                        + "\"receiver\":\"opshub\",\"groupLabels\":{},\"commonLabels\":{},\"commonAnnotations\":{},"
                        + "\"externalURL\":\"http://am:9093\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\""
                        + name + "\",\"severity\":\"" + severity + "\"},\"annotations\":{" + annotations + "},"
                        + "\"startsAt\":\"2026-12-07T08:00:00Z\",\"endsAt\":\"0001-01-01T00:00:00Z\","
                        + "\"generatorURL\":\"http://prom:9090/graph\",\"fingerprint\":\""
                        + Integer.toHexString(name.hashCode()) + "\"}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** A critical alert "{name} fires" that names panel 3 of the pacs-overview dashboard (the fake Grafana's). */
    public static byte[] withPanel(String name) {
        return firing(
                name,
                "critical",
                "\"summary\":\"" + name
                        + " fires\",\"grafana_dashboard_uid\":\"pacs-overview\",\"grafana_panel_id\":\"3\"");
    }
}
