package org.opshub.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;

/**
 * Which of Grafana's APIs serves a dashboard, for {@code routes/grafana.yaml} (bean {@code
 * grafanaApi}). Grafana 12 and 13 keep a dashboard stored in the v2 schema out of the classic API:
 * {@code GET /api/dashboards/uid/<uid>} answers {@code 406 {"message":"dashboard api version not
 * supported, use /apis/dashboard.grafana.app/<version>/namespaces/<namespace>/dashboards/<uid>
 * instead"}} (grafana/grafana {@code pkg/api/dashboard.go}, GetDashboard). The resource is then read
 * from the version that answer names, or else from the newest v2 version {@code GET
 * /apis/dashboard.grafana.app} lists (Kubernetes API discovery, an {@code APIGroup}), in the
 * namespace of {@code grafana.namespace}.
 */
public final class DashboardApi {
    private static final Pattern NAMED =
            Pattern.compile("/apis/dashboard\\.grafana\\.app/(v\\d+(?:(?:alpha|beta)\\d+)?)/");
    private static final Pattern VERSION = Pattern.compile("v(\\d+)(?:(alpha|beta)(\\d+))?");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final GrafanaSettings settings;

    public DashboardApi(GrafanaSettings settings) {
        this.settings = settings;
    }

    /**
     * The version a 406 of the classic API names ({@code v2beta1}, {@code v2}), or null when its
     * body names none (not Grafana's message, not JSON).
     */
    public static String versionNamed(String answer) {
        String message;
        try {
            message =
                    answer == null ? "" : JSON.readTree(answer).path("message").asText("");
        } catch (IOException e) {
            return null;
        }
        Matcher m = NAMED.matcher(message);
        return m.find() && m.group(1).startsWith("v2") ? m.group(1) : null;
    }

    /**
     * The newest v2 version of an {@code APIGroup} answer ({@code {name: dashboard.grafana.app,
     * versions: [{groupVersion, version}]}}), by Kubernetes' version priority (GA before beta before
     * alpha, higher numbers first); null when it lists none.
     */
    public static String newestV2(JsonNode apiGroup) {
        Optional<String> newest = StreamSupport.stream(apiGroup.path("versions").spliterator(), false)
                .map(v -> v.path("version").asText(""))
                .filter(v -> VERSION.matcher(v).matches() && v.startsWith("v2"))
                .max(Comparator.comparingLong(DashboardApi::priority));
        return newest.orElse(null);
    }

    private static long priority(String version) {
        Matcher m = VERSION.matcher(version);
        m.matches();
        long major = Long.parseLong(m.group(1));
        int stage = m.group(2) == null ? 2 : m.group(2).equals("beta") ? 1 : 0;
        long minor = m.group(3) == null ? 0 : Long.parseLong(m.group(3));
        return major * 1_000_000 + stage * 100_000 + minor;
    }

    /**
     * The path of a step's dashboard in the resource API: {@code
     * /apis/dashboard.grafana.app/<version>/namespaces/<grafana.namespace>/dashboards/<uid>}, each part
     * URL-encoded.
     */
    public String resource(GrafanaStep step, String version) {
        return "/apis/dashboard.grafana.app/" + enc(version) + "/namespaces/" + enc(settings.namespace())
                + "/dashboards/" + step.urlUid();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
