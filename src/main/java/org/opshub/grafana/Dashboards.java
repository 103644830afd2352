package org.opshub.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Grafana's HTTP API answers (grafana.com/docs/grafana/latest/developers/http_api/):
 * {@code GET /api/search?type=dash-db} and {@code GET /api/dashboards/uid/<uid>}.
 */
public final class Dashboards {

    /** One dashboard of a search: uid, title and folder title (empty for General). */
    public record Ref(String uid, String title, String folder) {}

    /** One renderable panel: id (the render API's panelId) and title. */
    public record Panel(int id, String title) {}

    /** A dashboard with its slug (for the render URL) and its renderable panels in display order. */
    public record Dashboard(String uid, String title, String slug, List<Panel> panels) {}

    private Dashboards() {}

    /** The dashboards of a search answer (a JSON array); entries without uid are skipped. */
    public static List<Ref> search(JsonNode answer) {
        List<Ref> out = new ArrayList<>();
        for (JsonNode d : answer) {
            String uid = d.path("uid").asText("");
            if (!uid.isEmpty() && d.path("type").asText("dash-db").equals("dash-db")) {
                out.add(new Ref(
                        uid, d.path("title").asText(uid), d.path("folderTitle").asText("")));
            }
        }
        return out;
    }

    /**
     * The dashboard of a {@code /api/dashboards/uid/<uid>} answer. Panels are the top-level
     * panels (those following an expanded row included), the panels nested in a collapsed row's
     * {@code panels}, and the pre-5.0 {@code rows[].panels}; row panels themselves are not
     * renderable and are left out, as are panels without a numeric id.
     */
    public static Dashboard dashboard(JsonNode answer) {
        JsonNode d = answer.path("dashboard");
        List<Panel> panels = new ArrayList<>();
        for (JsonNode p : d.path("panels")) {
            if ("row".equals(p.path("type").asText())) {
                for (JsonNode nested : p.path("panels")) {
                    add(panels, nested);
                }
            } else {
                add(panels, p);
            }
        }
        for (JsonNode row : d.path("rows")) {
            for (JsonNode p : row.path("panels")) {
                add(panels, p);
            }
        }
        String uid = d.path("uid").asText("");
        String slug = answer.path("meta").path("slug").asText("");
        return new Dashboard(uid, d.path("title").asText(uid), slug.isEmpty() ? "dashboard" : slug, panels);
    }

    private static void add(List<Panel> panels, JsonNode p) {
        if (p.path("id").canConvertToInt() && !"row".equals(p.path("type").asText())) {
            String title = p.path("title").asText("").strip();
            panels.add(new Panel(
                    p.path("id").asInt(),
                    title.isEmpty() ? "Panel " + p.path("id").asInt() : title));
        }
    }
}
