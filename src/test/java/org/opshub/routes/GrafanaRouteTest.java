package org.opshub.routes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ConnectException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.Exchange;
import org.apache.camel.spi.Registry;
import org.junit.jupiter.api.Test;
import org.opshub.grafana.DashboardApi;
import org.opshub.grafana.Dashboards;
import org.opshub.grafana.GrafanaBot;
import org.opshub.grafana.GrafanaSettings;
import org.opshub.grafana.GrafanaStep;
import org.opshub.routes.FakeHttp.Reply;
import org.opshub.telegram.outbox.OutboxMessage;

/**
 * The {@code grafana-browse} and {@code render-panel} routes of {@code routes/grafana.yaml} on their
 * own: the API paths, query and Bearer header they send, and which answer leads to which reply:
 * data, an error status, a login page, JSON that does not parse, no answer at all.
 */
class GrafanaRouteTest extends RouteFileTestSupport {
    private static final String TOKEN = "glsa_TEST";
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 1, 2, 3};
    private final Recorder bot = new Recorder();

    /** Stands in for {@code grafanaBot} while browsing: records what the route asks it to answer. */
    public static final class Recorder {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<String> hints = new CopyOnWriteArrayList<>();
        private final GrafanaBot real = new GrafanaBot(settings("fake://grafana", TOKEN), null, null);

        public void dashboards(GrafanaStep step, JsonNode search) {
            calls.add("dashboards " + search.size());
        }

        public void panels(GrafanaStep step, JsonNode dashboard) {
            calls.add("panels " + Dashboards.dashboard(dashboard).uid());
        }

        public GrafanaStep graphDashboard(GrafanaStep step, JsonNode search) {
            calls.add("graph dashboard " + search.size());
            return new GrafanaStep(
                    GrafanaStep.Kind.GRAPH_PANELS,
                    step.chatId(),
                    step.ref(),
                    null,
                    search.get(0).path("uid").asText(),
                    step.panelQuery(),
                    step.range());
        }

        public void graphPanel(GrafanaStep step, JsonNode dashboard) {
            calls.add("graph panel " + step.panelQuery() + " of "
                    + dashboard.path("dashboard").path("uid").asText());
        }

        public void answerError(GrafanaStep step, int status, String body, String contentType) {
            calls.add("error " + status + ": " + GrafanaBot.problem(status, body, contentType));
        }

        public void answerError(GrafanaStep step, int status, String body, String contentType, String hint) {
            answerError(step, status, body, contentType);
            if (!hint.isEmpty()) {
                hints.add(status + ": " + hint);
            }
        }

        public void unreachable(GrafanaStep step, Exception e) {
            calls.add("unreachable: " + GrafanaBot.notAnswering(e));
        }

        public GrafanaBot.PanelRequest panelOf(OutboxMessage m) {
            return real.panelOf(m);
        }

        public String zone() {
            return real.zone();
        }

        public static byte[] png(byte[] body) {
            return GrafanaBot.png(body);
        }

        public static String problem(int status, String body, String contentType) {
            return GrafanaBot.problem(status, body, contentType);
        }

        public static String notAnswering(Exception e) {
            return GrafanaBot.notAnswering(e);
        }
    }

    static GrafanaSettings settings(String url, String token) {
        return new GrafanaSettings(
                url, token, 1, 1000, 500, Duration.ofSeconds(5), "6h", ZoneId.of("Europe/Moscow"), "default");
    }

    @Override
    String routeFile() {
        return "grafana.yaml";
    }

    @Override
    String routeIds() {
        return "grafana-browse,render-panel,grafana-search,grafana-dashboard,grafana-dashboard-resource,"
                + "grafana-dashboard-versions,grafana-render";
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("grafanaBot", bot);
        registry.bind("grafanaApi", new DashboardApi(settings("fake://grafana", TOKEN)));
    }

    private void routes(String url, String token) {
        Map<String, String> p = new HashMap<>(Map.of(
                "grafana.url",
                url,
                "grafana.token",
                token,
                "grafana.org-id",
                "1",
                "grafana.render.width",
                "1000",
                "grafana.render.height",
                "500",
                "grafana.http-timeout",
                "PT30S",
                "grafana.max-answer-bytes",
                "4194304"));
        p.put("grafana.render.timeout", "PT60S");
        p.put("grafana.render.max-answer-bytes", "16777216");
        start(p);
    }

    private String browse(GrafanaStep step, Reply reply) throws Exception {
        if (!context.isStarted()) {
            routes("fake://grafana", TOKEN);
        }
        http.reply = r -> reply;
        bot.calls.clear();
        send("direct:grafana-browse", step, Map.of());
        assertEquals(1, bot.calls.size(), bot.calls.toString());
        return bot.calls.get(0);
    }

    private static GrafanaStep search(String words) {
        return new GrafanaStep(GrafanaStep.Kind.SEARCH, 101, "update:1", words, null, null, null);
    }

    @Test
    void aSearchIsAGetOfApiSearchWithTheWordsEncodedAndTheBearerToken() throws Exception {
        assertEquals(
                "dashboards 2",
                browse(
                        search("PACS & RIS"),
                        Reply.of(
                                200,
                                "application/json",
                                "[{\"uid\":\"a\",\"title\":\"A\"},{\"uid\":\"b\",\"title\":\"B\"}]")));
        FakeHttp.Request r = http.requests.get(0);
        assertEquals("fake://grafana/api/search", r.uri());
        assertEquals("type=dash-db&limit=100&query=PACS+%26+RIS", r.header(Exchange.HTTP_QUERY));
        assertEquals("GET", r.header(Exchange.HTTP_METHOD));
        assertEquals("Bearer " + TOKEN, r.header("Authorization"));
        assertEquals("application/json", r.header("Accept"));
        assertNull(r.body(), "a GET has no body");
    }

    @Test
    void aDashboardButtonGetsTheDashboardByUid() throws Exception {
        GrafanaStep panels =
                new GrafanaStep(GrafanaStep.Kind.PANELS, 101, "update:2", null, "pacs-overview", null, null);
        assertEquals(
                "panels pacs-overview",
                browse(
                        panels,
                        Reply.of(
                                200,
                                "application/json; charset=UTF-8",
                                "{\"dashboard\":{\"uid\":\"pacs-overview\"},\"meta\":{}}")));
        assertEquals(
                "fake://grafana/api/dashboards/uid/pacs-overview",
                http.requests.get(0).uri());
    }

    @Test
    void graphFindsTheDashboardThenAsksForItsPanels() throws Exception {
        GrafanaStep graph =
                new GrafanaStep(GrafanaStep.Kind.GRAPH_SEARCH, 101, "update:3", "pacs", null, "C-ECHO", "12h");
        routes("fake://grafana", TOKEN);
        http.reply = r -> r.uri().endsWith("/api/search")
                ? Reply.of(200, "application/json", "[{\"uid\":\"pacs-overview\",\"title\":\"PACS overview\"}]")
                : Reply.of(200, "application/json", "{\"dashboard\":{\"uid\":\"pacs-overview\"}}");
        send("direct:grafana-browse", graph, Map.of());
        assertEquals(List.of("graph dashboard 1", "graph panel C-ECHO of pacs-overview"), bot.calls);
        assertEquals(
                "fake://grafana/api/dashboards/uid/pacs-overview",
                http.requests.get(1).uri());
    }

    private static final String V2 = "{\"apiVersion\":\"dashboard.grafana.app/v2beta1\",\"kind\":\"Dashboard\","
            + "\"metadata\":{\"name\":\"wards\"},\"spec\":{\"title\":\"Wards\",\"elements\":{},"
            + "\"layout\":{\"kind\":\"GridLayout\",\"spec\":{\"items\":[]}}}}";

    private static Reply refusedAsV2(String version) {
        // Grafana's GetDashboard (pkg/api/dashboard.go) for a dashboard stored in the v2 schema
        return Reply.of(
                406,
                "application/json",
                "{\"message\":\"dashboard api version not supported, use /apis/dashboard.grafana.app/" + version
                        + "/namespaces/default/dashboards/wards instead\"}");
    }

    private static GrafanaStep panelsOf(String uid) {
        return new GrafanaStep(GrafanaStep.Kind.PANELS, 101, "update:9", null, uid, null, null);
    }

    @Test
    void aV2DashboardIsReadFromTheResourceApiInTheVersionIts406Names() throws Exception {
        routes("fake://grafana", TOKEN);
        http.reply = r ->
                r.uri().contains("/api/dashboards/uid/") ? refusedAsV2("v2") : Reply.of(200, "application/json", V2);
        bot.calls.clear();
        send("direct:grafana-browse", panelsOf("wards"), Map.of());
        assertEquals(List.of("panels wards"), bot.calls);
        assertEquals(
                List.of(
                        "fake://grafana/api/dashboards/uid/wards",
                        "fake://grafana/apis/dashboard.grafana.app/v2/namespaces/default/dashboards/wards"),
                http.requests.stream().map(FakeHttp.Request::uri).toList());
        assertEquals("Bearer " + TOKEN, http.requests.get(1).header("Authorization"));
    }

    @Test
    void aV2DashboardWhose406NamesNoVersionIsReadInTheNewestV2VersionDiscovered() throws Exception {
        routes("fake://grafana", TOKEN);
        http.reply = r -> {
            if (r.uri().contains("/api/dashboards/uid/")) {
                return Reply.of(406, "application/json", "{\"message\":\"dashboard api version not supported\"}");
            }
            if (r.uri().endsWith("/apis/dashboard.grafana.app")) {
                return Reply.of(
                        200,
                        "application/json",
                        "{\"kind\":\"APIGroup\",\"name\":\"dashboard.grafana.app\",\"versions\":["
                                + "{\"version\":\"v1beta1\"},{\"version\":\"v2alpha1\"},{\"version\":\"v2beta1\"},"
                                + "{\"version\":\"v0alpha1\"}],\"preferredVersion\":{\"version\":\"v1beta1\"}}");
            }
            return Reply.of(200, "application/json", V2);
        };
        bot.calls.clear();
        send("direct:grafana-browse", panelsOf("wards"), Map.of());
        assertEquals(List.of("panels wards"), bot.calls);
        assertEquals(
                "fake://grafana/apis/dashboard.grafana.app/v2beta1/namespaces/default/dashboards/wards",
                http.requests.get(2).uri());
    }

    @Test
    void aV2DashboardOfAGrafanaThatServesNoV2VersionSaysSo() throws Exception {
        routes("fake://grafana", TOKEN);
        http.reply = r -> r.uri().contains("/api/dashboards/uid/")
                ? Reply.of(406, "application/json", "{\"message\":\"dashboard api version not supported\"}")
                : Reply.of(404, "text/plain", "404 page not found");
        bot.calls.clear();
        bot.hints.clear();
        send("direct:grafana-browse", panelsOf("wards"), Map.of());
        assertEquals(List.of("error 406: answered 406: dashboard api version not supported"), bot.calls);
        assertEquals(
                List.of("406: this dashboard has the v2 schema and Grafana serves no dashboard.grafana.app v2"
                        + " version to this token"),
                bot.hints);
    }

    @Test
    void eachClassOfErrorSaysWhatToDo() throws Exception {
        browse(search(""), Reply.of(403, "application/json", "{\"message\":\"Access denied\"}"));
        assertEquals(List.of("403: grafana.token needs a service account with the Viewer role"), bot.hints);
        bot.hints.clear();
        browse(search(""), Reply.of(404, "application/json", "{\"message\":\"Dashboard not found\"}"));
        assertEquals(List.of("404: no such dashboard for this token; /dashboards lists the ones it sees"), bot.hints);
        bot.hints.clear();
        browse(search(""), Reply.of(502, "text/plain", "Bad Gateway"));
        assertEquals(List.of(), bot.hints, "Grafana's own words are enough");
    }

    @Test
    void errorStatusesLoginPagesAndBrokenJsonGetAReadableReply() throws Exception {
        assertEquals(
                "error 401: answered 401: invalid API key",
                browse(search(""), Reply.of(401, "application/json", "{\"message\":\"invalid API key\"}")));
        assertEquals(
                "error 404: answered 404: Dashboard not found",
                browse(search(""), Reply.of(404, "application/json", "{\"message\":\"Dashboard not found\"}")));
        assertTrue(browse(search(""), Reply.of(200, "text/html", "<!DOCTYPE html><html>Grafana login</html>"))
                .startsWith("error 200: answered 200 with an HTML page instead of data (login page?"));
        assertTrue(
                browse(search(""), Reply.of(200, "application/json", "{\"dashboards\": ["))
                        .startsWith("error 200: answered application/json, not the expected data"),
                "JSON that does not parse");
        assertEquals(
                "error 502: answered 502: Bad Gateway", browse(search(""), Reply.of(502, "text/plain", "Bad Gateway")));
    }

    @Test
    void noAnswerAtAllSaysGrafanaDoesNotAnswer() throws Exception {
        assertEquals(
                "unreachable: Grafana does not answer: Connection refused",
                browse(search(""), Reply.failing(new ConnectException("Connection refused"))));
    }

    @Test
    void withoutATokenNoAuthorizationHeaderIsSent() throws Exception {
        routes("fake://grafana", "");
        http.reply = r -> Reply.of(200, "application/json", "[]");
        send("direct:grafana-browse", search("x"), Map.of());
        assertNull(http.requests.get(0).header("Authorization"));
    }

    private Exchange render(Reply reply) throws Exception {
        if (!context.isStarted()) {
            routes("fake://grafana", TOKEN);
        }
        http.reply = r -> reply;
        OutboxMessage photo = new OutboxMessage(
                9,
                101,
                "photo",
                "p:1",
                "PACS",
                "HTML",
                0,
                0,
                "{\"method\":\"sendPhoto\",\"panel\":{\"uid\":\"pacs-overview\",\"slug\":\"pacs\",\"id\":3,\"range\":\"12h\"}}");
        return send("direct:render-panel", null, Map.of(OutboxMessage.PROPERTY, photo));
    }

    @Test
    void aRenderIsAGetOfTheSoloPanelAndAPngIsKept() throws Exception {
        Exchange e = render(new Reply(200, "image/png", PNG, null));
        assertArrayEquals(PNG, e.getVariable(OutboxMessage.PANEL_PNG, byte[].class));
        assertNull(e.getVariable(OutboxMessage.RENDER_ERROR));
        FakeHttp.Request r = http.requests.get(0);
        assertEquals("fake://grafana/render/d-solo/pacs-overview/pacs", r.uri());
        assertEquals(
                "orgId=1&panelId=3&from=now-12h&to=now&width=1000&height=500&tz=Europe%2FMoscow",
                r.header(Exchange.HTTP_QUERY));
        assertEquals("image/png", r.header("Accept"));
        assertEquals("Bearer " + TOKEN, r.header("Authorization"));
    }

    @Test
    void aRenderThatFailsSaysWhyAndWhetherToTryAgain() throws Exception {
        Exchange server = render(Reply.of(500, "application/json", "{\"message\":\"Rendering failed: timeout\"}"));
        assertEquals("answered 500: Rendering failed: timeout", server.getVariable(OutboxMessage.RENDER_ERROR));
        assertEquals(true, server.getVariable(OutboxMessage.RENDER_RETRYABLE, Boolean.class), "5xx: tried again later");
        assertNull(server.getVariable(OutboxMessage.PANEL_PNG));

        Exchange missing = render(Reply.of(404, "application/json", "{\"message\":\"Dashboard not found\"}"));
        assertEquals(false, missing.getVariable(OutboxMessage.RENDER_RETRYABLE, Boolean.class), "4xx: not tried again");

        Exchange notPng = render(Reply.of(200, "text/html", "<html>login</html>"));
        assertTrue(notPng.getVariable(OutboxMessage.RENDER_ERROR, String.class).contains("HTML page"));
        assertEquals(false, notPng.getVariable(OutboxMessage.RENDER_RETRYABLE, Boolean.class));

        Exchange down = render(Reply.failing(new ConnectException("Connection refused")));
        assertEquals("Grafana does not answer: Connection refused", down.getVariable(OutboxMessage.RENDER_ERROR));
        assertEquals(
                true, down.getVariable(OutboxMessage.RENDER_RETRYABLE, Boolean.class), "no answer: tried again later");
    }

    @Test
    void withoutGrafanaARenderIsRefusedForGood() throws Exception {
        routes("", TOKEN);
        Exchange e = send("direct:render-panel", null, Map.of());
        assertEquals("Grafana is not configured (grafana.url)", e.getVariable(OutboxMessage.RENDER_ERROR));
        assertEquals(false, e.getVariable(OutboxMessage.RENDER_RETRYABLE, Boolean.class));
        assertTrue(http.requests.isEmpty());
    }
}
