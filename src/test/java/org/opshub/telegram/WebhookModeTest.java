package org.opshub.telegram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.opshub.AllLogs;
import org.opshub.HubRunner;
import org.opshub.state.StateStore;
import org.opshub.telegram.bot.BotUpdates;
import org.opshub.telegram.bot.BotWebhook;
import org.opshub.telegram.outbox.TelegramSettings;

/**
 * Webhook mode on the real Main: setWebhook at startup, updates pushed to POST /telegram/webhook
 * and accepted only with the secret token, no polling; and the way back to polling.
 */
class WebhookModeTest {
    private static final long CHAT = 4242;
    private static final String URL = "https://hub.example.org/telegram/webhook";
    private static final String SECRET = "s3cret-Webhook_token";

    private static Map<String, String> props(FakeBotApi telegram) {
        Map<String, String> p = telegram.hubProperties(CHAT);
        p.put("telegram.webhook-url", URL);
        p.put("telegram.webhook-secret", SECRET);
        return p;
    }

    private static HttpResponse<String> push(HubRunner hub, JsonNode update, String... headers) throws Exception {
        return hub.post("/telegram/webhook", update.toString().getBytes(StandardCharsets.UTF_8), headers);
    }

    private static String[] secret(String value) {
        return new String[] {"Content-Type", "application/json", BotWebhook.SECRET_HEADER, value};
    }

    @Test
    void updatesArePushedWithTheSecretAndRefusedWithout() throws Exception {
        try (AllLogs logs = new AllLogs();
                FakeBotApi telegram = new FakeBotApi();
                HubRunner hub = new HubRunner(props(telegram))) {
            JsonNode set = awaitCall(telegram, "setWebhook").body();
            assertEquals(URL, set.path("url").asText());
            assertEquals(SECRET, set.path("secret_token").asText());
            assertEquals(
                    "[\"message\",\"callback_query\"]",
                    set.path("allowed_updates").toString());
            assertEquals(1, set.path("max_connections").asInt());
            assertFalse(set.path("drop_pending_updates").asBoolean(true));

            telegram.userSays(CHAT, "/subscribe PacsDown");
            JsonNode update = telegram.takeUpdates().get(0);
            HttpResponse<String> none = push(hub, update, "Content-Type", "application/json");
            assertEquals(403, none.statusCode());
            assertEquals("{\"ok\":false,\"error\":\"missing or wrong X-Telegram-Bot-Api-Secret-Token\"}", none.body());
            assertFalse(
                    none.headers().map().keySet().stream().anyMatch(h -> h.equalsIgnoreCase(BotWebhook.SECRET_HEADER)));
            assertEquals(403, push(hub, update, secret(SECRET + "x")).statusCode());
            assertEquals(403, push(hub, update, secret("")).statusCode());
            Thread.sleep(500);
            assertEquals(List.of(), telegram.texts(CHAT), "a refused update is not handled");

            HttpResponse<String> ok = push(hub, update, secret(SECRET));
            assertEquals(200, ok.statusCode(), ok.body());
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(10), () -> telegram.texts(CHAT).size() == 1));
            assertTrue(
                    telegram.texts(CHAT).get(0).contains("PacsDown"),
                    telegram.texts(CHAT).toString());
            // Telegram re-sends an update whose answer it did not see: handled once
            assertEquals(200, push(hub, update, secret(SECRET)).statusCode());

            telegram.userSays(CHAT, "/list");
            assertEquals(
                    200,
                    push(hub, telegram.takeUpdates().get(0), secret(SECRET)).statusCode());
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(10), () -> telegram.texts(CHAT).size() == 2));
            assertTrue(
                    telegram.texts(CHAT).get(1).contains("PacsDown"),
                    telegram.texts(CHAT).toString());
            Thread.sleep(1000);
            assertEquals(2, telegram.texts(CHAT).size(), "the repeated update got no second reply");

            HttpResponse<String> bad =
                    hub.post("/telegram/webhook", "{\"message\":{}}".getBytes(StandardCharsets.UTF_8), secret(SECRET));
            assertEquals(400, bad.statusCode());
            assertTrue(bad.body().contains("not a Telegram update"), bad.body());
            assertEquals(
                    400,
                    hub.post("/telegram/webhook", "not json".getBytes(StandardCharsets.UTF_8), secret(SECRET))
                            .statusCode());

            assertEquals(List.of(), telegram.calls("getUpdates"), "nothing is polled in webhook mode");
            assertEquals(1, telegram.calls("setWebhook").size());
            assertEquals(3.0, hub.metric("telegram_webhook_requests_total", "result=\"forbidden\""));
            assertEquals(2.0, hub.metric("telegram_webhook_requests_total", "result=\"handled\""));
            assertEquals(1.0, hub.metric("telegram_webhook_requests_total", "result=\"duplicate\""));
            assertEquals(2.0, hub.metric("telegram_webhook_requests_total", "result=\"invalid\""));
            assertEquals(1, logs.from(BotWebhook.class).size(), "refusals are logged once a minute at most");
            assertFalse(logs.anyContains(SECRET), "the secret token never reaches the log");
            assertFalse(hub.get("/metrics").body().contains(SECRET));
            assertFalse(hub.get("/observe/health?exposureLevel=full").body().contains(SECRET));
        }
    }

    @Test
    void withoutAConfiguredSecretOneIsDerivedFromTheToken() throws Exception {
        Map<String, String> p;
        String first;
        try (FakeBotApi telegram = new FakeBotApi()) {
            p = props(telegram);
            p.remove("telegram.webhook-secret");
            try (HubRunner hub = new HubRunner(p)) {
                first = awaitCall(telegram, "setWebhook")
                        .body()
                        .path("secret_token")
                        .asText();
                assertTrue(first.matches("[0-9a-f]{64}"), first);
                assertFalse(first.contains(FakeBotApi.TOKEN));
                telegram.userSays(CHAT, "/start");
                JsonNode update = telegram.takeUpdates().get(0);
                assertEquals(
                        403,
                        push(hub, update, "Content-Type", "application/json").statusCode());
                assertEquals(200, push(hub, update, secret(first)).statusCode());
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10), () -> telegram.texts(CHAT).size() == 1));
            }
        }
        try (FakeBotApi telegram = new FakeBotApi()) {
            p.put("telegram.api-url", telegram.url());
            try (HubRunner hub = new HubRunner(p)) {
                assertEquals(
                        first,
                        awaitCall(telegram, "setWebhook")
                                .body()
                                .path("secret_token")
                                .asText(),
                        "the same secret after a restart");
            }
        }
    }

    @Test
    void aStoreFailureAnswers503SoThatTelegramDeliversAgain() throws Exception {
        try (FakeBotApi telegram = new FakeBotApi();
                HubRunner hub = new HubRunner(props(telegram))) {
            awaitCall(telegram, "setWebhook");
            hub.bean("stateStore", StateStore.class).inTransaction(c -> {
                try (Statement st = c.createStatement()) {
                    return st.executeUpdate("DROP TABLE subscription");
                }
            });
            telegram.userSays(CHAT, "/subscribe PacsDown");
            JsonNode update = telegram.takeUpdates().get(0);
            HttpResponse<String> r = push(hub, update, secret(SECRET));
            assertEquals(503, r.statusCode(), r.body());
            assertEquals(
                    503, push(hub, update, secret(SECRET)).statusCode(), "the same update is tried again, not dropped");
            assertEquals(200, hub.get("/observe/health/live").statusCode());
        }
    }

    @Test
    void pollingModeLeavesAForeignWebhookAloneUnlessToldToTakeItOverAndRefusesPushes() throws Exception {
        try (AllLogs logs = new AllLogs();
                FakeBotApi telegram = new FakeBotApi()) {
            telegram.webhookLeftOver();
            telegram.userSays(CHAT, "/start");
            Map<String, String> p = props(telegram);
            p.put("telegram.webhook-url", "");
            try (HubRunner hub = new HubRunner(p)) {
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(15),
                                () -> logs.from(BotUpdates.class).stream()
                                        .anyMatch(l -> l.contains(
                                                "a webhook (another instance in webhook mode?) holds this bot token"))),
                        logs.from(BotUpdates.class).toString());
                Thread.sleep(3000);
                assertEquals(List.of(), telegram.calls("deleteWebhook"), "by default the webhook is left alone");
                assertEquals(List.of(), telegram.texts(CHAT));
                assertEquals(
                        1,
                        logs.from(BotUpdates.class).stream()
                                .filter(l -> l.contains("409"))
                                .count(),
                        "one ERROR line per state change, not per poll");
            }
            p.put("telegram.take-over-webhook", "true");
            try (HubRunner hub = new HubRunner(p)) {
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(15),
                                () -> telegram.texts(CHAT).size() == 1),
                        "the update waiting at Telegram is handled after deleteWebhook");
                assertEquals(1, telegram.calls("deleteWebhook").size());
                assertFalse(telegram.calls("deleteWebhook")
                        .get(0)
                        .body()
                        .path("drop_pending_updates")
                        .asBoolean(true));
                assertEquals(List.of(), telegram.calls("setWebhook"));
                assertTrue(
                        logs.from(BotUpdates.class).stream()
                                .anyMatch(l -> l.contains("a webhook is still set at Telegram")),
                        logs.from(BotUpdates.class).toString());

                HttpResponse<String> r = hub.post(
                        "/telegram/webhook",
                        "{\"update_id\":999,\"message\":{}}".getBytes(StandardCharsets.UTF_8),
                        secret(SECRET));
                assertEquals(404, r.statusCode());
                assertTrue(r.body().contains("webhook mode is off"), r.body());
            }
        }
    }

    @Test
    void aWebhookUrlTelegramCannotCallIsRefusedAtStartup() {
        for (String[] c : new String[][] {
            {"http://hub.example.org/telegram/webhook", "https://"},
            {"https://hub.example.org:9000/telegram/webhook", "ports 443, 80, 88 and 8443"}
        }) {
            IllegalArgumentException e = Assertions.assertThrows(
                    IllegalArgumentException.class,
                    () -> TelegramSettings.from(Map.of("telegram.token", "1:x", "telegram.webhook-url", c[0])::get));
            assertTrue(
                    e.getMessage().startsWith("telegram.webhook-url")
                            && e.getMessage().contains(c[1]),
                    e.getMessage());
        }
        IllegalArgumentException e = Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> TelegramSettings.from(Map.of("telegram.webhook-secret", "has space")::get));
        assertTrue(e.getMessage().startsWith("telegram.webhook-secret"), e.getMessage());
    }

    private static FakeBotApi.Call awaitCall(FakeBotApi telegram, String method) throws InterruptedException {
        assertTrue(
                HubRunner.await(
                        Duration.ofSeconds(10), () -> !telegram.calls(method).isEmpty()),
                method + " not called");
        return telegram.calls(method).get(0);
    }
}
