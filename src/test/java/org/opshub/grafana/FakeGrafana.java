package org.opshub.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import javax.imageio.ImageIO;

/**
 * A fake Grafana on loopback for the tests: {@code /api/search} (filtered by {@code query}),
 * {@code /api/dashboards/uid/<uid>} from the recorded samples (top-level panels, an expanded and
 * a collapsed row, a pre-5.0 dashboard), and {@code /render/d-solo/...} answering a real PNG, or
 * slowly, 500, 404 or an HTML login page, as set by {@link #mode}.
 *
 * <p>Besides, one dashboard of the v2 schema, {@code hospital-v2}, served as Grafana 12 and 13 serve
 * it: the classic path answers 406 with the message of grafana/grafana {@code pkg/api/dashboard.go}
 * (GetDashboard: "dashboard api version not supported, use
 * /apis/dashboard.grafana.app/v2beta1/namespaces/default/dashboards/hospital-v2 instead"), the
 * resource path answers {@code apis-dashboard-v2beta1-hospital.json} (a {@code Dashboard} resource
 * whose spec follows {@code DashboardSpec} of grafana/grafana {@code apps/dashboard/kinds/v2/dashboard_spec.cue}:
 * {@code elements} with {@code Panel} and {@code LibraryPanel} kinds, a {@code RowsLayout} with a
 * {@code GridLayout} row, a collapsed {@code AutoGridLayout} row holding a library panel, a repeated
 * row, and a row holding a {@code TabsLayout} whose first tab nests rows), and {@code
 * /apis/dashboard.grafana.app} answers the {@code APIGroup} of Kubernetes API discovery with the
 * versions Grafana 12 lists. Another namespace answers a Kubernetes {@code Status} 404.
 */
public final class FakeGrafana implements AutoCloseable {
    public static final String TOKEN = "glsa_test_token";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** How /render answers. */
    public enum Mode {
        PNG,
        SLOW,
        ERROR_500,
        NOT_FOUND,
        HTML
    }

    private final HttpServer server;
    private final byte[] png;
    private final List<String> renders = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.PNG;

    public FakeGrafana() throws IOException {
        png = png();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    /** A real 320×160 PNG with a few coloured bars. */
    private static byte[] png() throws IOException {
        BufferedImage img = new BufferedImage(320, 160, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, 320, 160);
        for (int i = 0; i < 8; i++) {
            g.setColor(new Color(30 * i, 200 - 20 * i, 90));
            g.fillRect(10 + 38 * i, 150 - 15 * i, 30, 15 * i + 5);
        }
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public byte[] pngBytes() {
        return png.clone();
    }

    public void mode(Mode m) {
        mode = m;
    }

    private final Map<String, String[]> copies = new ConcurrentHashMap<>();

    /** Lists one more dashboard, {@code uid} titled {@code title}, with the panels of {@code ofUid}. */
    public void copy(String uid, String title, String ofUid) {
        copies.put(uid, new String[] {title, ofUid});
    }

    private volatile String firstPanelTitle;

    /** Serves every dashboard with this title on its first panel (null: as recorded). */
    public void firstPanelTitle(String title) {
        firstPanelTitle = title;
    }

    /** The uid of the dashboard stored in the v2 schema. */
    public static final String V2_UID = "hospital-v2";

    private final List<String> paths = new CopyOnWriteArrayList<>();

    /** The path of every request, in order. */
    public List<String> paths() {
        return paths;
    }

    private static byte[] bytes(JsonNode json) {
        return json.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Every render request: path and query. */
    public List<String> renders() {
        return renders;
    }

    /** The Authorization header of every request. */
    public List<String> authorizations() {
        return authorizations;
    }

    static JsonNode resource(String name) throws IOException {
        try (InputStream in = FakeGrafana.class.getResourceAsStream("/grafana/" + name)) {
            return JSON.readTree(in);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            String path = ex.getRequestURI().getPath();
            String query = ex.getRequestURI().getRawQuery() == null
                    ? ""
                    : ex.getRequestURI().getRawQuery();
            paths.add(path);
            if (path.equals("/api/dashboards/uid/" + V2_UID)) {
                send(
                        ex,
                        406,
                        "application/json",
                        ("{\"message\":\"dashboard api version not supported, use "
                                        + "/apis/dashboard.grafana.app/v2beta1/namespaces/default/dashboards/" + V2_UID
                                        + " instead\"}")
                                .getBytes(StandardCharsets.UTF_8));
            } else if (path.equals("/apis/dashboard.grafana.app")) {
                send(ex, 200, "application/json", bytes(resource("apis-dashboard-grafana-app.json")));
            } else if (path.startsWith("/apis/dashboard.grafana.app/")) {
                boolean found =
                        path.equals("/apis/dashboard.grafana.app/v2beta1/namespaces/default/dashboards/" + V2_UID);
                send(
                        ex,
                        found ? 200 : 404,
                        "application/json",
                        found
                                ? bytes(resource("apis-dashboard-v2beta1-hospital.json"))
                                : ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":"
                                                + "\"dashboards.dashboard.grafana.app \\\"" + V2_UID
                                                + "\\\" not found\","
                                                + "\"reason\":\"NotFound\",\"code\":404}")
                                        .getBytes(StandardCharsets.UTF_8));
            } else if (path.equals("/api/search")) {
                String q = param(query, "query").toLowerCase(Locale.ROOT);
                ArrayNode all = (ArrayNode) resource("api-search.json");
                // the pre-5.0 sample dashboard, as a search lists it
                all.addObject()
                        .put("uid", "old-board")
                        .put("title", "Old board")
                        .put("type", "dash-db");
                all.addObject()
                        .put("uid", V2_UID)
                        .put("title", "Hospital v2")
                        .put("type", "dash-db")
                        .put("folderTitle", "Wards");
                copies.forEach((uid, c) ->
                        all.addObject().put("uid", uid).put("title", c[0]).put("type", "dash-db"));
                ArrayNode out = JSON.createArrayNode();
                all.forEach(d -> {
                    if (d.path("title").asText().toLowerCase(Locale.ROOT).contains(q)) {
                        out.add(d);
                    }
                });
                send(ex, 200, "application/json", out.toString().getBytes(StandardCharsets.UTF_8));
            } else if (path.startsWith("/api/dashboards/uid/")) {
                String uid = path.substring("/api/dashboards/uid/".length());
                String[] copy = copies.get(uid);
                String file = switch (copy == null ? uid : copy[1]) {
                    case "pacs-overview" -> "api-dashboards-uid-rows.json";
                    case "old-board" -> "api-dashboards-uid-legacy-rows.json";
                    default -> null;
                };
                if (file == null) {
                    send(
                            ex,
                            404,
                            "application/json",
                            "{\"message\":\"Dashboard not found\"}".getBytes(StandardCharsets.UTF_8));
                } else {
                    JsonNode d = resource(file);
                    if (copy != null) {
                        ((ObjectNode) d.path("dashboard")).put("uid", uid).put("title", copy[0]);
                    }
                    String longTitle = firstPanelTitle;
                    if (longTitle != null
                            && d.path("dashboard").path("panels").path(0).isObject()) {
                        ((ObjectNode) d.path("dashboard").path("panels").path(0)).put("title", longTitle);
                    }
                    send(ex, 200, "application/json", d.toString().getBytes(StandardCharsets.UTF_8));
                }
            } else if (path.startsWith("/render/d-solo/")) {
                renders.add(path + "?" + query);
                switch (mode) {
                    case PNG -> send(ex, 200, "image/png", png);
                    case SLOW -> {
                        sleep(5000);
                        send(ex, 200, "image/png", png);
                    }
                    case ERROR_500 ->
                        send(
                                ex,
                                500,
                                "application/json",
                                "{\"message\":\"Rendering failed: timeout\"}".getBytes(StandardCharsets.UTF_8));
                    case NOT_FOUND ->
                        send(
                                ex,
                                404,
                                "application/json",
                                "{\"message\":\"Dashboard not found\"}".getBytes(StandardCharsets.UTF_8));
                    case HTML ->
                        send(
                                ex,
                                200,
                                "text/html; charset=UTF-8",
                                "<!DOCTYPE html><html><head><title>Grafana</title></head><body>Login</body></html>"
                                        .getBytes(StandardCharsets.UTF_8));
                }
            } else {
                send(ex, 404, "text/plain", "404 page not found".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String param(String query, String name) {
        for (String kv : query.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0 && kv.substring(0, eq).equals(name)) {
                return URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return "";
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
