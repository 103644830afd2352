package org.opshub.grafana;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opshub.HubRunner;
import org.opshub.checks.LoopbackHttp;
import org.opshub.checks.LoopbackHttp.Reply;
import org.opshub.telegram.FakeBotApi;

/**
 * The bot's Grafana and silence features on the real Main, against the fake Grafana, a fake Bot
 * API that parses multipart sendPhoto, and a fake Alertmanager API that records silences.
 */
class GrafanaBotTest {
    private static final long A = 101;
    private static final long B = 102;
    private static final ObjectMapper JSON = new ObjectMapper();
    private FakeBotApi telegram;
    private FakeGrafana grafana;
    private LoopbackHttp alertmanager;
    private HubRunner hub;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {hub, telegram, grafana, alertmanager}) {
            if (c != null) {
                c.close();
            }
        }
    }

    private void start() throws Exception {
        start(Map.of());
    }

    /** The fakes, then a hub on them with {@code extra} properties on top; returns the hub's properties. */
    private Map<String, String> start(Map<String, String> extra) throws Exception {
        telegram = new FakeBotApi();
        grafana = new FakeGrafana();
        alertmanager = new LoopbackHttp(
                n -> Reply.json(200, "{\"silenceID\":\"5c1e0000-0000-4000-8000-00000000000" + n + "\"}"));
        Map<String, String> p = telegram.hubProperties(A, B);
        p.put("telegram.timezone", "UTC");
        p.put("grafana.url", grafana.url());
        p.put("grafana.token", FakeGrafana.TOKEN);
        p.put("grafana.render.timeout", "PT2S");
        p.put("alertmanager.api-url", alertmanager.url(""));
        p.putAll(extra);
        hub = new HubRunner(p);
        return p;
    }

    private static <T> T await(Supplier<T> value, Predicate<T> ok, String what) throws Exception {
        assertTrue(HubRunner.await(Duration.ofSeconds(20), () -> ok.test(value.get())), what + ": " + value.get());
        return value.get();
    }

    /** The button texts and callback data of the last keyboard sent to a chat. */
    private List<String[]> lastKeyboard(long chat, int expectedKeyboards) throws Exception {
        List<JsonNode> kbs = await(() -> telegram.keyboards(chat), l -> l.size() >= expectedKeyboards, "keyboard");
        List<String[]> buttons = new ArrayList<>();
        for (JsonNode row : kbs.get(expectedKeyboards - 1).path("reply_markup").path("inline_keyboard")) {
            for (JsonNode b : row) {
                buttons.add(new String[] {
                    b.path("text").asText(), b.path("callback_data").asText()
                });
            }
        }
        return buttons;
    }

    private static List<String> texts(List<String[]> buttons) {
        return buttons.stream().map(b -> b[0]).toList();
    }

    private static String data(List<String[]> buttons, String text) {
        return buttons.stream().filter(b -> b[0].equals(text)).findFirst().orElseThrow()[1];
    }

    @Test
    void keyboardsListExactlyThePanelsOfEachShapeAndThePngArrivesIntact() throws Exception {
        start();
        telegram.userSays(A, "/dashboards");
        List<String[]> dashboards = lastKeyboard(A, 1);
        assertEquals(
                List.of("PACS overview · Ops", "Node Exporter Full", "Old board", "Hospital v2 · Wards"),
                texts(dashboards));

        telegram.userPresses(A, 1, data(dashboards, "PACS overview · Ops"));
        List<String[]> panels = lastKeyboard(A, 2);
        // top-level, after an expanded row, nested in a collapsed row; the rows themselves are not offered
        assertEquals(
                List.of("Studies not forwarded", "C-ECHO latency", "Reconcile duration", "Missing studies by target"),
                texts(panels));

        telegram.userPresses(A, 2, data(panels, "Reconcile duration"));
        List<FakeBotApi.Photo> photos = await(() -> telegram.photos(A), l -> l.size() == 1, "photo");
        assertArrayEquals(grafana.pngBytes(), photos.get(0).png(), "the PNG reaches sendPhoto byte for byte");
        assertEquals(
                "PACS overview \u203A Reconcile duration \u00B7 last 6h",
                photos.get(0).caption());
        assertTrue(photos.get(0).contentType().startsWith("multipart/form-data"));
        assertEquals(
                "/render/d-solo/pacs-overview/pacs-overview?orgId=1&panelId=5&from=now-6h&to=now&width=1000"
                        + "&height=500&tz=UTC",
                grafana.renders().get(0));
        assertTrue(grafana.authorizations().stream().allMatch(("Bearer " + FakeGrafana.TOKEN)::equals));

        telegram.userSays(A, "/dashboards old");
        List<String[]> legacy = lastKeyboard(A, 3);
        assertEquals(List.of("Old board"), texts(legacy));
        telegram.userPresses(A, 3, data(legacy, "Old board"));
        assertEquals(List.of("CPU", "Memory"), texts(lastKeyboard(A, 4)), "pre-5.0 rows[].panels");
    }

    @Test
    void twoChatsBrowsingAtOnceDoNotMixAndAButtonWorksOnlyInItsChat() throws Exception {
        start();
        telegram.userSays(A, "/dashboards pacs");
        telegram.userSays(B, "/dashboards old");
        List<String[]> a = lastKeyboard(A, 1);
        List<String[]> b = lastKeyboard(B, 1);
        telegram.userPresses(A, 1, data(a, "PACS overview · Ops"));
        telegram.userPresses(B, 1, data(b, "Old board"));
        List<String[]> aPanels = lastKeyboard(A, 2);
        List<String[]> bPanels = lastKeyboard(B, 2);
        telegram.userPresses(B, 2, data(bPanels, "Memory"));
        telegram.userPresses(A, 2, data(aPanels, "C-ECHO latency"));
        assertEquals(
                "PACS overview \u203A C-ECHO latency \u00B7 last 6h",
                await(() -> telegram.photos(A), l -> l.size() == 1, "photo A")
                        .get(0)
                        .caption());
        assertEquals(
                "Old board \u203A Memory \u00B7 last 6h",
                await(() -> telegram.photos(B), l -> l.size() == 1, "photo B")
                        .get(0)
                        .caption());

        telegram.userPresses(B, 3, data(aPanels, "Studies not forwarded"));
        await(
                () -> telegram.calls("answerCallbackQuery").stream()
                        .map(c -> c.body().path("text").asText())
                        .toList(),
                l -> l.contains("This button has expired. Ask again."),
                "expired");
        Thread.sleep(500);
        assertEquals(1, telegram.photos(B).size(), "chat A's button does nothing in chat B");
    }

    @Test
    void aKeyboardStillWorksAfterARestartOfTheHub(@TempDir Path state) throws Exception {
        Map<String, String> p = start(Map.of("state.directory", state.toString()));
        telegram.userSays(A, "/dashboards");
        List<String[]> dashboards = lastKeyboard(A, 1);
        hub.close();

        hub = new HubRunner(p);
        telegram.userPresses(A, 1, data(dashboards, "Old board"));
        List<String[]> panels = lastKeyboard(A, 2);
        assertEquals(List.of("CPU", "Memory"), texts(panels), "the button pressed after the restart");
        telegram.userPresses(A, 2, data(panels, "Memory"));
        assertEquals(
                "Old board \u203A Memory \u00B7 last 6h",
                await(() -> telegram.photos(A), l -> l.size() == 1, "photo")
                        .get(0)
                        .caption());
    }

    @Test
    void graphRendersDirectlyAndRenderFailuresGiveReadableReplies() throws Exception {
        start();
        telegram.userSays(A, "/graph pacs \"C-ECHO\" 12h");
        FakeBotApi.Photo p =
                await(() -> telegram.photos(A), l -> l.size() == 1, "graph").get(0);
        assertEquals("PACS overview \u203A C-ECHO latency \u00B7 last 12h", p.caption());
        assertTrue(
                grafana.renders().get(0).contains("panelId=3&from=now-12h"),
                grafana.renders().toString());

        telegram.userSays(A, "/graph pacs zzz");
        telegram.userSays(A, "/graph nothing x");
        grafana.mode(FakeGrafana.Mode.HTML);
        telegram.userSays(A, "/graph old cpu");
        List<String> texts = await(() -> telegram.texts(A), l -> l.size() >= 3, "replies");
        assertEquals("No panel of <b>PACS overview</b> starts with <code>zzz</code>.", texts.get(0));
        assertEquals("No dashboard starts with <code>nothing</code>. /dashboards lists them.", texts.get(1));
        assertTrue(
                texts.get(2)
                        .startsWith(
                                "\u26A0\uFE0F Could not render <b>Old board \u203A CPU</b>: answered 200 with an HTML page"),
                texts.get(2));

        grafana.mode(FakeGrafana.Mode.NOT_FOUND);
        telegram.userSays(A, "/graph old mem");
        assertEquals(
                "\u26A0\uFE0F Could not render <b>Old board \u203A Memory</b>: answered 404: Dashboard not found",
                await(() -> telegram.texts(A), l -> l.size() >= 4, "404").get(3));

        grafana.mode(FakeGrafana.Mode.ERROR_500);
        int before = grafana.renders().size();
        telegram.userSays(A, "/graph old cpu 1d");
        assertEquals(
                "\u26A0\uFE0F Could not render <b>Old board \u203A CPU</b>: answered 500: Rendering failed: timeout",
                await(() -> telegram.texts(A), l -> l.size() >= 5, "500").get(4));
        assertEquals(before + 3, grafana.renders().size(), "5xx is retried: 3 attempts");
    }

    @Test
    void graphOffersAKeyboardWhenSeveralDashboardsMatch() throws Exception {
        start();
        grafana.copy("old-staging", "Old board (staging)", "old-board");
        telegram.userSays(A, "/graph old cpu 2h");
        List<String[]> choice = lastKeyboard(A, 1);
        assertEquals(List.of("Old board", "Old board (staging)"), texts(choice));
        telegram.userPresses(A, 1, data(choice, "Old board (staging)"));
        assertEquals(
                "Old board (staging) \u203A CPU \u00B7 last 2h",
                await(() -> telegram.photos(A), l -> l.size() == 1, "photo")
                        .get(0)
                        .caption());
        assertTrue(
                grafana.renders().get(0).startsWith("/render/d-solo/old-staging/"),
                grafana.renders().toString());
        assertTrue(
                grafana.renders().get(0).contains("from=now-2h"),
                grafana.renders().toString());
    }

    private byte[] alert(String name, String description, boolean panel) {
        String annotations = "\"summary\":\"C-ECHO fails\",\"description\":\"" + description + "\""
                + (panel ? ",\"grafana_dashboard_uid\":\"pacs-overview\",\"grafana_panel_id\":\"3\"" : "");
        return ("{\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"" + name + "\\\"}\",\"status\":\"firing\","
                        + "\"receiver\":\"opshub\",\"groupLabels\":{},\"commonLabels\":{},\"commonAnnotations\":{},"
                        + "\"externalURL\":\"http://am:9093\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\""
                        + name + "\",\"severity\":\"critical\",\"pacs\":\"src\"},\"annotations\":{" + annotations + "},"
                        + "\"startsAt\":\"2026-11-21T08:00:00Z\",\"endsAt\":\"0001-01-01T00:00:00Z\","
                        + "\"generatorURL\":\"http://prom:9090/graph\",\"fingerprint\":\""
                        + Integer.toHexString(name.hashCode())
                        + "\"}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anAlertWithAPanelArrivesAsOnePhotoOrAsTextThenPhotoWhenLong() throws Exception {
        start();
        telegram.userSays(A, "/subscribe *");
        await(() -> telegram.texts(A), l -> l.size() == 1, "subscribed");
        assertEquals(
                200,
                hub.postAlerts(alert("PacsDown", "src does not answer", true)).statusCode());
        FakeBotApi.Photo photo = await(() -> telegram.photos(A), l -> l.size() == 1, "alert photo")
                .get(0);
        assertTrue(photo.caption().startsWith("\uD83D\uDD25 <b>FIRING</b> PacsDown [critical]"), photo.caption());
        assertEquals("HTML", photo.parseMode());
        assertArrayEquals(grafana.pngBytes(), photo.png());
        assertEquals(
                List.of("\u2705 Ack", "\uD83D\uDD15 Silence 1h", "\uD83D\uDD15 Silence 4h", "\uD83D\uDD15 Silence 24h"),
                JSON.readTree(photo.replyMarkup())
                        .path("inline_keyboard")
                        .get(0)
                        .findValuesAsText("text"));
        assertEquals(1, telegram.texts(A).size(), "no separate text message");

        assertEquals(
                200, hub.postAlerts(alert("PacsSlow", "x".repeat(1500), true)).statusCode());
        await(() -> telegram.photos(A), l -> l.size() == 2, "photo after the long text");
        assertEquals(
                "\uD83D\uDCC8 PacsSlow \u00B7 last 6h",
                telegram.photos(A).get(1).caption());
        assertTrue(telegram.texts(A).get(1).startsWith("\uD83D\uDD25 <b>FIRING</b> PacsSlow"), "text first");

        grafana.mode(FakeGrafana.Mode.ERROR_500);
        assertEquals(200, hub.postAlerts(alert("PacsGone", "no render", true)).statusCode());
        String text = await(() -> telegram.texts(A), l -> l.size() == 3, "alert text despite the failed render")
                .get(2);
        assertTrue(text.startsWith("\uD83D\uDD25 <b>FIRING</b> PacsGone"), text);
        grafana.mode(FakeGrafana.Mode.PNG);
        assertEquals(
                "\uD83D\uDCC8 PacsGone \u00B7 last 6h",
                await(() -> telegram.photos(A), l -> l.size() == 3, "the picture follows")
                        .get(2)
                        .caption());
    }

    @Test
    void theSilenceButtonCreatesTheSilenceAndEditsTheMessage() throws Exception {
        start();
        telegram.userSays(A, "/subscribe Pacs");
        await(() -> telegram.texts(A), l -> l.size() == 1, "subscribed");
        assertEquals(
                200,
                hub.postAlerts(alert("PacsDown", "src does not answer", false)).statusCode());
        List<String[]> buttons = lastKeyboard(A, 1);
        assertEquals(
                List.of("\u2705 Ack", "\uD83D\uDD15 Silence 1h", "\uD83D\uDD15 Silence 4h", "\uD83D\uDD15 Silence 24h"),
                texts(buttons));
        Instant pressed = Instant.now();
        telegram.userPresses(A, 42, data(buttons, "\uD83D\uDD15 Silence 4h"));
        String body = await(() -> alertmanager.bodies(), l -> l.size() == 1, "POST /api/v2/silences")
                .get(0);
        JsonNode silence = JSON.readTree(body);
        assertEquals(
                JSON.readTree("[{\"name\":\"alertname\",\"value\":\"PacsDown\",\"isRegex\":false,\"isEqual\":true},"
                        + "{\"name\":\"pacs\",\"value\":\"src\",\"isRegex\":false,\"isEqual\":true},"
                        + "{\"name\":\"severity\",\"value\":\"critical\",\"isRegex\":false,\"isEqual\":true}]"),
                silence.get("matchers"));
        Instant starts = Instant.parse(silence.path("startsAt").asText());
        assertEquals(
                Duration.ofHours(4),
                Duration.between(starts, Instant.parse(silence.path("endsAt").asText())));
        assertTrue(!starts.isBefore(pressed.minusSeconds(5)) && starts.isBefore(pressed.plusSeconds(30)));
        assertEquals(
                "Telegram: Anna Petrova (@anna_oncall) [id 777]",
                silence.path("createdBy").asText());
        assertEquals(
                "Silenced for 4h from Telegram chat 101 (opshub)",
                silence.path("comment").asText());
        JsonNode edit = await(() -> telegram.calls("editMessageText"), l -> l.size() == 1, "edit")
                .get(0)
                .body();
        assertEquals(42, edit.path("message_id").asLong());
        assertTrue(edit.path("text").asText().startsWith("\uD83D\uDD25 <b>FIRING</b> PacsDown"), edit.toString());
        assertTrue(
                edit.path("text").asText().contains("\uD83D\uDD15 Silenced by Anna Petrova (@anna_oncall) until "),
                edit.toString());

        // a chat outside telegram.allowed-chats pressing the same button: refused, no silence
        telegram.userPresses(999, 42, data(buttons, "\uD83D\uDD15 Silence 24h"));
        await(
                () -> telegram.calls("answerCallbackQuery").stream()
                        .map(c -> c.body().path("text").asText())
                        .toList(),
                l -> l.contains("This chat is not allowed to use this bot."),
                "refused");
        assertEquals(1, alertmanager.bodies().size(), "no silence from a chat outside the allowlist");

        alertmanager.answer(n -> Reply.json(400, "{\"code\":400,\"message\":\"bad matchers\"}"));
        telegram.userPresses(A, 42, data(buttons, "\uD83D\uDD15 Silence 1h"));
        assertTrue(await(() -> telegram.texts(A), l -> l.size() == 3, "error reply")
                .get(2)
                .startsWith("\u26A0\uFE0F Silence not created: Alertmanager answered 400"));
    }

    @Test
    void aNineThousandCharacterAlertIsDeliveredWholeAndEachSilenceButtonWorks() throws Exception {
        start();
        telegram.userSays(A, "/subscribe Pacs");
        await(() -> telegram.texts(A), l -> l.size() == 1, "subscribed");
        String description = "src lost its route to the archive; ".repeat(260).substring(0, 9000);
        assertEquals(
                200, hub.postAlerts(alert("PacsDownLong", description, false)).statusCode());
        List<String> texts = await(
                () -> telegram.texts(A), l -> l.stream().anyMatch(t -> t.contains("Source</a>")), "the last part");
        assertTrue(texts.size() >= 4, "split into at least 3 parts: " + texts.size());
        String joined = String.join("", texts.subList(1, texts.size())).replaceAll("\\s+", "");
        assertTrue(joined.contains(description.replaceAll("\\s+", "")), "the whole description arrives");
        List<String[]> buttons = lastKeyboard(A, 1);
        for (String b : List.of("1h", "4h", "24h")) {
            telegram.userPresses(A, 50, data(buttons, "\uD83D\uDD15 Silence " + b));
        }
        List<String> silences = await(() -> alertmanager.bodies(), l -> l.size() == 3, "three silences");
        for (String body : silences) {
            assertTrue(JSON.readTree(body).get("matchers").toString().contains("PacsDownLong"), body);
        }
    }

    @Test
    void aNineThousandCharacterPanelTitleDoesNotStopTheBot() throws Exception {
        start();
        String title = "Studies not forwarded ".repeat(420).substring(0, 9000);
        grafana.firstPanelTitle(title);
        grafana.copy("long-board", "Long " + "board ".repeat(1500), "pacs-overview");
        telegram.userSays(A, "/dashboards long");
        List<String[]> dashboards = lastKeyboard(A, 1);
        telegram.userPresses(A, 1, dashboards.get(0)[1]);
        List<String[]> panels = lastKeyboard(A, 2);
        assertTrue(panels.get(0)[0].startsWith("Studies not forwarded"), panels.get(0)[0]);
        telegram.userSays(A, "/help");
        await(() -> telegram.texts(A), l -> l.stream().anyMatch(t -> t.contains("/subscribe")), "/help is answered");
    }

    @Test
    void missingAndStatusReportPacsAndChecks() throws Exception {
        start();
        telegram.userSays(A, "/missing");
        telegram.userSays(A, "/status");
        List<String> texts = await(() -> telegram.texts(A), l -> l.size() == 2, "replies");
        assertEquals("No forwarding pairs are configured (pacs.forwarding.*).", texts.get(0));
        assertTrue(texts.get(1).startsWith("PACS: none configured\n\nChecks:"), texts.get(1));
        assertTrue(texts.get(1).contains("Outbox: "), texts.get(1));
    }
}
