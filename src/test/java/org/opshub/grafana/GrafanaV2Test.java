package org.opshub.grafana;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opshub.HubRunner;
import org.opshub.TestAlerts;
import org.opshub.telegram.FakeBotApi;

/**
 * Dashboards of Grafana's v2 schema on the real Main: the fake Grafana answers the classic API with
 * the 406 of Grafana 12 and 13 and serves the dashboard as a {@code dashboard.grafana.app} resource
 * (see {@link FakeGrafana} for the sources of each answer). Browsing, {@code /graph} and an alert's
 * picture each reach the right panel, with row and tab titles as the keyboard's sections.
 */
class GrafanaV2Test {
    private static final long A = 101;
    private static final String RESOURCE =
            "/apis/dashboard.grafana.app/v2beta1/namespaces/default/dashboards/hospital-v2";
    private FakeBotApi telegram;
    private FakeGrafana grafana;
    private HubRunner hub;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {hub, telegram, grafana}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private void start(Map<String, String> extra) throws Exception {
        telegram = new FakeBotApi();
        grafana = new FakeGrafana();
        Map<String, String> p = telegram.hubProperties(A);
        p.put("telegram.timezone", "UTC");
        p.put("grafana.url", grafana.url());
        p.put("grafana.token", FakeGrafana.TOKEN);
        p.putAll(extra);
        hub = new HubRunner(p);
    }

    private static <T> T await(Supplier<T> value, Predicate<T> ok, String what) throws Exception {
        assertTrue(HubRunner.await(Duration.ofSeconds(20), () -> ok.test(value.get())), what + ": " + value.get());
        return value.get();
    }

    private JsonNode keyboard(int n) throws Exception {
        return await(() -> telegram.keyboards(A), l -> l.size() >= n, "keyboard")
                .get(n - 1);
    }

    private static List<String> buttons(JsonNode keyboard) {
        List<String> texts = new ArrayList<>();
        keyboard.path("reply_markup")
                .path("inline_keyboard")
                .forEach(row -> row.forEach(b -> texts.add(b.path("text").asText())));
        return texts;
    }

    private static String data(JsonNode keyboard, String text) {
        for (JsonNode row : keyboard.path("reply_markup").path("inline_keyboard")) {
            for (JsonNode b : row) {
                if (b.path("text").asText().equals(text)) {
                    return b.path("callback_data").asText();
                }
            }
        }
        throw new AssertionError("no button " + text + " in " + keyboard);
    }

    @Test
    void aV2DashboardListsItsPanelsInLayoutOrderWithRowAndTabTitlesAndRendersTheChosenOne() throws Exception {
        start(Map.of());
        telegram.userSays(A, "/dashboards hospital");
        JsonNode dashboards = keyboard(1);
        assertEquals(List.of("Hospital v2 \u00B7 Wards"), buttons(dashboards));

        telegram.userPresses(A, 1, data(dashboards, "Hospital v2 \u00B7 Wards"));
        JsonNode panels = keyboard(2);
        // grid items by row then column; a collapsed auto-grid row; a library panel by its library name
        // (its title in the dashboard is empty); a repeated row once; tabs with nested rows; no row or
        // tab as a button
        assertEquals(
                List.of(
                        "Alerts delivered",
                        "Alerts received",
                        "C-ECHO latency",
                        "Missing studies",
                        "Node $node latency",
                        "Outbox depth",
                        "Send errors by code",
                        "Probe success"),
                buttons(panels));
        assertEquals(
                "<b>Hospital v2</b>: choose a panel (last 6h):\n"
                        + "<b>Overview</b>: Alerts delivered \u00B7 Alerts received\n"
                        + "<b>PACS</b>: C-ECHO latency \u00B7 Missing studies\n"
                        + "<b>Per node</b>: Node $node latency\n"
                        + "<b>Details \u203A Telegram \u203A Outbox</b>: Outbox depth\n"
                        + "<b>Details \u203A Telegram \u203A Errors</b>: Send errors by code\n"
                        + "<b>Details \u203A Checks</b>: Probe success",
                panels.path("text").asText());
        assertEquals(
                List.of("/api/search", "/api/dashboards/uid/hospital-v2", RESOURCE),
                grafana.paths(),
                "the classic API first, then the resource in the version its 406 names");

        telegram.userPresses(A, 2, data(panels, "Send errors by code"));
        FakeBotApi.Photo photo =
                await(() -> telegram.photos(A), l -> l.size() == 1, "photo").get(0);
        assertArrayEquals(grafana.pngBytes(), photo.png());
        assertEquals("Hospital v2 \u203A Send errors by code \u00B7 last 6h", photo.caption());
        assertTrue(
                grafana.renders().get(0).startsWith("/render/d-solo/hospital-v2/hospital-v2?orgId=1&panelId=7&"),
                grafana.renders().toString());

        telegram.userSays(A, "/graph hospital missing 2h");
        await(() -> telegram.photos(A), l -> l.size() == 2, "/graph photo");
        assertEquals(
                "Hospital v2 \u203A Missing studies \u00B7 last 2h",
                telegram.photos(A).get(1).caption());
        assertTrue(
                grafana.renders().get(1).contains("panelId=4&from=now-2h"),
                grafana.renders().toString());
    }

    private static byte[] alert(String name, String annotations) {
        return TestAlerts.firing(name, "warning", annotations);
    }

    @Test
    void anAlertNamingAV2PanelByIdOrByLinkGetsItsPicture() throws Exception {
        start(Map.of());
        telegram.userSays(A, "/subscribe *");
        await(() -> telegram.texts(A), l -> l.size() == 1, "subscribed");
        assertEquals(
                200,
                hub.postAlerts(alert(
                                "TelegramSendErrors",
                                "\"summary\":\"send errors\",\"grafana_dashboard_uid\":\"hospital-v2\","
                                        + "\"grafana_panel_id\":\"7\""))
                        .statusCode());
        await(() -> telegram.photos(A), l -> l.size() == 1, "alert photo by uid and id");
        assertTrue(grafana.renders().get(0).startsWith("/render/d-solo/hospital-v2/dashboard?orgId=1&panelId=7&"));

        // the link Grafana 11+ shares for a panel of a v2 dashboard: viewPanel=panel-<id>
        assertEquals(
                200,
                hub.postAlerts(alert(
                                "OutboxDeep",
                                "\"summary\":\"outbox\",\"grafana_panel_url\":\"https://grafana.clinic.ru/d/hospital-v2/"
                                        + "hospital-v2?orgId=1&viewPanel=panel-6\""))
                        .statusCode());
        await(() -> telegram.photos(A), l -> l.size() == 2, "alert photo by link");
        assertTrue(
                grafana.renders().get(1).startsWith("/render/d-solo/hospital-v2/hospital-v2?orgId=1&panelId=6&"),
                grafana.renders().toString());
    }

    @Test
    void anotherOrganisationAsksItsOwnNamespaceAndAMissingResourceIsAReadableReply() throws Exception {
        start(Map.of("grafana.org-id", "2"));
        telegram.userSays(A, "/graph hospital outbox");
        String reply =
                await(() -> telegram.texts(A), l -> l.size() == 1, "reply").get(0);
        assertTrue(
                grafana.paths().contains("/apis/dashboard.grafana.app/v2beta1/namespaces/org-2/dashboards/hospital-v2"),
                grafana.paths().toString());
        assertEquals(
                "\u26A0\uFE0F Grafana: answered 404: dashboards.dashboard.grafana.app &quot;hospital-v2&quot; not"
                        + " found; no such dashboard for this token; /dashboards lists the ones it sees",
                reply);
    }
}
