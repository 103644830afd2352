package org.opshub.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.StreamSupport;
import org.opshub.telegram.outbox.Html;

/**
 * Reads Grafana's HTTP API answers (grafana.com/docs/grafana/latest/developers/http_api/):
 * {@code GET /api/search?type=dash-db}, {@code GET /api/dashboards/uid/<uid>} (the classic, v1
 * schema) and {@code GET /apis/dashboard.grafana.app/<version>/namespaces/<ns>/dashboards/<uid>}
 * (the resource API; its v2 schema is {@code DashboardSpec} in grafana/grafana
 * {@code apps/dashboard/kinds/v2/dashboard_spec.cue}).
 */
public final class Dashboards {
    private static final String SECTION_SEPARATOR = " \u203A ";

    /** One dashboard of a search: uid, title and folder title (empty for General). */
    public record Ref(String uid, String title, String folder) {}

    /**
     * One renderable panel.
     *
     * @param id      the render API's {@code panelId}: the v1 panel id, the v2 element's {@code spec.id}
     *                (Grafana's solo page finds the panel whose key is {@code panel-<id>})
     * @param title   the panel's title
     * @param section the titles of the rows and tabs it stands in, outermost first, joined by " › ";
     *                empty at the top level
     */
    public record Panel(int id, String title, String section) {
        /** A panel at the top level of its dashboard. */
        public Panel(int id, String title) {
            this(id, title, "");
        }
    }

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

    /** Whether an answer is a dashboard of either API: {@code {dashboard, meta}} or a resource with a spec. */
    public static boolean isDashboard(JsonNode answer) {
        return answer != null
                && answer.isObject()
                && (answer.path("dashboard").isObject()
                        || answer.path("spec").isObject()
                                && answer.path("metadata").isObject());
    }

    /**
     * The dashboard of either answer: the classic {@code /api/dashboards/uid/<uid>} ({@code
     * {dashboard, meta: {slug}}}), or a {@code dashboard.grafana.app} resource ({@code {apiVersion,
     * kind: Dashboard, metadata: {name}, spec}}) whose spec is v2 ({@code elements} and {@code layout})
     * or v0/v1 (the classic dashboard JSON).
     */
    public static Dashboard dashboard(JsonNode answer) {
        if (answer.path("dashboard").isObject()) {
            String slug = answer.path("meta").path("slug").asText("");
            return v1(
                    answer.path("dashboard"),
                    answer.path("dashboard").path("uid").asText(""),
                    slug);
        }
        JsonNode spec = answer.path("spec");
        String uid = answer.path("metadata").path("name").asText("");
        if (spec.has("elements") || spec.has("layout")) {
            return v2(spec, uid);
        }
        return v1(spec, uid, "");
    }

    /**
     * Panels of the v1 schema: the top-level panels, those of a collapsed row's {@code panels}, and the
     * pre-5.0 {@code rows[].panels}, each under the title of the row above it; rows themselves are not
     * renderable and are left out, as are panels without a numeric id.
     */
    private static Dashboard v1(JsonNode d, String uid, String slug) {
        List<Panel> panels = new ArrayList<>();
        String section = "";
        for (JsonNode p : d.path("panels")) {
            if ("row".equals(p.path("type").asText())) {
                section = p.path("title").asText("").strip();
                for (JsonNode nested : p.path("panels")) {
                    add(panels, nested, section);
                }
            } else {
                add(panels, p, section);
            }
        }
        for (JsonNode row : d.path("rows")) {
            for (JsonNode p : row.path("panels")) {
                add(panels, p, row.path("title").asText("").strip());
            }
        }
        String title = d.path("title").asText(uid);
        return new Dashboard(uid, title, slug.isEmpty() ? slug(title) : slug, panels);
    }

    private static void add(List<Panel> panels, JsonNode p, String section) {
        if (p.path("id").canConvertToInt() && !"row".equals(p.path("type").asText())) {
            panels.add(panel(p.path("id").asInt(), p.path("title").asText(""), section));
        }
    }

    private static Panel panel(int id, String title, String section) {
        String t = title.strip();
        return new Panel(id, t.isEmpty() ? "Panel " + id : t, section);
    }

    /**
     * Panels of the v2 schema in the order the layout shows them: a {@code GridLayout}'s items by row
     * then column, an {@code AutoGridLayout}'s in order, the rows of a {@code RowsLayout} and the tabs
     * of a {@code TabsLayout} each with its own layout, nested to any depth (a collapsed row's panels
     * included). An element shown twice (a repeated row or tab, or a panel placed twice) is listed once.
     */
    private static Dashboard v2(JsonNode spec, String uid) {
        List<Panel> panels = new ArrayList<>();
        layout(spec.path("layout"), spec.path("elements"), "", panels, new HashSet<>());
        String title = spec.path("title").asText(uid);
        return new Dashboard(uid, title, slug(title), panels);
    }

    private static void layout(JsonNode layout, JsonNode elements, String section, List<Panel> out, Set<String> seen) {
        JsonNode spec = layout.path("spec");
        switch (layout.path("kind").asText("")) {
            case "GridLayout" ->
                StreamSupport.stream(spec.path("items").spliterator(), false)
                        .sorted(Comparator.comparingInt(
                                        (JsonNode i) -> i.path("spec").path("y").asInt())
                                .thenComparingInt(i -> i.path("spec").path("x").asInt()))
                        .forEach(i -> element(i.path("spec").path("element"), elements, section, out, seen));
            case "AutoGridLayout" -> {
                for (JsonNode i : spec.path("items")) {
                    element(i.path("spec").path("element"), elements, section, out, seen);
                }
            }
            case "RowsLayout" -> nested(spec.path("rows"), elements, section, out, seen);
            case "TabsLayout" -> nested(spec.path("tabs"), elements, section, out, seen);
            default -> {
                // a layout kind of a later schema: its panels are not offered
            }
        }
    }

    private static void nested(JsonNode parts, JsonNode elements, String section, List<Panel> out, Set<String> seen) {
        for (JsonNode part : parts) {
            JsonNode s = part.path("spec");
            String title = s.path("hideHeader").asBoolean(false)
                    ? ""
                    : s.path("title").asText("").strip();
            String inner = title.isEmpty() ? section : section.isEmpty() ? title : section + SECTION_SEPARATOR + title;
            layout(s.path("layout"), elements, inner, out, seen);
        }
    }

    /** A {@code Panel} or {@code LibraryPanel} element (by its title, else the library panel's name). */
    private static void element(JsonNode ref, JsonNode elements, String section, List<Panel> out, Set<String> seen) {
        String name = ref.path("name").asText("");
        JsonNode e = elements.path(name);
        if (name.isEmpty() || !seen.add(name) || !e.isObject()) {
            return;
        }
        JsonNode s = e.path("spec");
        String kind = e.path("kind").asText("");
        int id = s.path("id").canConvertToInt() ? s.path("id").asInt() : idOfName(name);
        if (id < 0 || !(kind.equals("Panel") || kind.equals("LibraryPanel"))) {
            return;
        }
        String title = s.path("title").asText("");
        if (title.isBlank() && kind.equals("LibraryPanel")) {
            title = s.path("libraryPanel").path("name").asText("");
        }
        out.add(panel(id, title, section));
    }

    /** The id of an element named {@code panel-<id>}, as Grafana names them; -1 for another name. */
    private static int idOfName(String name) {
        return name.startsWith("panel-") ? panelId(name) : -1;
    }

    /**
     * A panel named by a link to it, as Grafana's share menu and alert rules write them: {@code
     * <grafana>/d/<uid>[/<slug>]?viewPanel=<id>} (v1) or {@code viewPanel=panel-<id>} (v2 and the
     * scenes-based pages of Grafana 11+), or a solo link {@code /d-solo/<uid>/<slug>?panelId=<id>}.
     *
     * @param slug "dashboard" when the link has none
     */
    public record PanelLink(String uid, String slug, int id) {}

    private static final Pattern PANEL_LINK = Pattern.compile(
            "/d(?:-solo)?/([A-Za-z0-9_.-]{1,40})(?:/([^/?#]*))?[^?#]*\\?(?:[^#]*&)?(?:viewPanel|panelId)=([^&#]+)");

    /** The panel a link names; null when it is not such a link. */
    public static PanelLink panelUrl(String url) {
        Matcher m = url == null ? null : PANEL_LINK.matcher(url.strip());
        if (m == null || !m.find() || panelId(m.group(3)) < 0) {
            return null;
        }
        String slug = m.group(2) == null || m.group(2).isEmpty() ? "dashboard" : m.group(2);
        return new PanelLink(m.group(1), slug, panelId(m.group(3)));
    }

    /** A panel id as alerts and links give it: {@code 7} or {@code panel-7}; -1 for anything else. */
    public static int panelId(String id) {
        String s = id == null ? "" : id.strip();
        s = s.startsWith("panel-") ? s.substring(6) : s;
        return s.matches("\\d{1,9}") ? Integer.parseInt(s) : -1;
    }

    /** A URL slug of a title, as Grafana makes them: lower case, words joined by '-'; "dashboard" when none is left. */
    public static String slug(String title) {
        String s = title.toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N}]+", "-")
                .replaceAll("^-+|-+$", "");
        return s.isEmpty() ? "dashboard" : s;
    }

    /**
     * The row and tab titles above the panels, as lines of the keyboard's text, each with its panels
     * ({@code <b>Row › Tab</b>: Panel A · Panel B}, titles shortened as on the buttons); empty when
     * every panel is at the top level.
     */
    public static String sections(List<Dashboards.Panel> panels) {
        Map<String, List<String>> bySection = new LinkedHashMap<>();
        panels.forEach(p ->
                bySection.computeIfAbsent(p.section(), k -> new ArrayList<>()).add(Html.escape(shortened(p.title()))));
        StringBuilder text = new StringBuilder();
        bySection.forEach((section, titles) -> text.append('\n')
                .append(section.isEmpty() ? "" : "<b>" + Html.escape(shortened(section)) + "</b>: ")
                .append(String.join(" \u00B7 ", titles)));
        return bySection.keySet().equals(Set.of("")) ? "" : text.toString();
    }

    /** A title as a button shows it: at most 60 characters. */
    public static String shortened(String title) {
        return title.length() > 60 ? title.substring(0, 59) + "…" : title;
    }

    /**
     * The items whose title starts with {@code query}, case-insensitively, in order; only the
     * first whose title equals it when there is one.
     */
    public static <T> List<T> byPrefix(List<T> items, Function<T, String> title, String query) {
        String q = query == null ? "" : query.toLowerCase(Locale.ROOT);
        List<T> matches = new ArrayList<>();
        for (T item : items) {
            String t = title.apply(item).toLowerCase(Locale.ROOT);
            if (t.equals(q)) {
                return List.of(item);
            }
            if (t.startsWith(q)) {
                matches.add(item);
            }
        }
        return matches;
    }
}
