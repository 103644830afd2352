package org.opshub.telegram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.opshub.telegram.AlertDeliveryTest.payload;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opshub.HubRunner;
import org.opshub.state.StateStore;

/** The outbox is durable: a stop with messages pending loses nothing and sends nothing twice. */
class OutboxRestartTest {
    static final long CHAT = 4242;

    @TempDir
    Path state;

    @Test
    void messagesPendingAtStopAreDeliveredOnceAfterRestart() throws Exception {
        try (FakeBotApi telegram = new FakeBotApi()) {
            Map<String, String> props = Map.of(
                    "telegram.token",
                    FakeBotApi.TOKEN,
                    "telegram.api-url",
                    telegram.url(),
                    "telegram.allowed-chats",
                    Long.toString(CHAT),
                    "state.directory",
                    state.toString());
            try (HubRunner hub = new HubRunner(props)) {
                telegram.userSays(CHAT, "/subscribe Restart");
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10), () -> telegram.texts(CHAT).size() == 1));
                hub.postAlerts(payload("RestartA", "firing", "info", "2026-11-21T11:00:00Z", null));
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10), () -> alerts(telegram).size() == 1));
                telegram.script(CHAT, FakeBotApi.Answer.times(50, FakeBotApi.Answer.serverError()));
                hub.postAlerts(payload("RestartB", "firing", "info", "2026-11-21T11:01:00Z", null));
                hub.postAlerts(payload("RestartC", "firing", "info", "2026-11-21T11:02:00Z", null));
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10), () -> telegram.attempts(CHAT).size() >= 3));
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(5), () -> hub.metricOrMinusOne("telegram_outbox_messages", "") == 2));
            }
            telegram.clearScript(CHAT);
            try (HubRunner hub = new HubRunner(props)) {
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(15), () -> alerts(telegram).size() == 3));
                Thread.sleep(2000);
                List<String> texts = alerts(telegram);
                assertEquals(3, texts.size(), texts.toString());
                assertTrue(
                        texts.get(0).contains("RestartA")
                                && texts.get(1).contains("RestartB")
                                && texts.get(2).contains("RestartC"),
                        texts.toString());
                assertEquals(
                        1,
                        telegram.texts(CHAT).stream()
                                .filter(t -> t.startsWith("Subscribed"))
                                .count(),
                        "the /subscribe update was handled once, before the restart");
                assertEquals(0.0, hub.metric("telegram_outbox_messages", ""));
            }
        }
    }

    @Test
    void aMessageOlderThanTheMaximumDeliveryAgeIsDropped() throws Exception {
        try (FakeBotApi telegram = new FakeBotApi();
                HubRunner hub = new HubRunner(Map.of(
                        "telegram.token",
                        FakeBotApi.TOKEN,
                        "telegram.api-url",
                        telegram.url(),
                        "telegram.allowed-chats",
                        Long.toString(CHAT),
                        "telegram.max-delivery-age",
                        "PT3S",
                        "state.directory",
                        state.toString()))) {
            telegram.userSays(CHAT, "/subscribe Expiring");
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(10), () -> telegram.texts(CHAT).size() == 1));
            telegram.script(CHAT, FakeBotApi.Answer.times(50, FakeBotApi.Answer.serverError()));
            hub.postAlerts(payload("ExpiringAlert", "firing", "info", "2026-11-21T11:10:00Z", null));
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(15),
                    () -> hub.metricOrMinusOne("telegram_messages_dropped_total", "reason=\"expired\"") == 1.0));
            assertEquals(0, alerts(telegram).size());
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(5), () -> hub.metricOrMinusOne("telegram_outbox_messages", "") == 0));
        }
    }

    private static List<String> alerts(FakeBotApi telegram) {
        return telegram.texts(CHAT).stream().filter(t -> t.contains("FIRING")).toList();
    }

    @Test
    void aCleanStopLeavesNoRecordedWebhookRequestToRecordAgain() throws Exception {
        Map<String, String> props =
                Map.of("state.directory", state.resolve("journal").toString());
        byte[] first = payload("JournalStopFirst", "firing", "info", "2026-11-21T12:00:00Z", null);
        byte[] alert = payload("JournalStop", "firing", "info", "2026-11-21T12:00:00Z", null);
        try (HubRunner hub = new HubRunner(props)) {
            // two requests right after each other: the second's journal row is deleted with the next batch
            assertEquals(200, hub.postAlerts(first).statusCode());
            assertEquals(200, hub.postAlerts(alert).statusCode());
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(10),
                    () -> hub.metricOrMinusOne("alertmanager_alerts_received_total", "status=\"firing\"") == 2));
        }
        try (StateStore store = StateStore.open("", "", "", state.resolve("journal"))) {
            assertEquals(
                    0L,
                    (long) store.inTransaction(c -> {
                        try (var ps = c.prepareStatement("SELECT COUNT(*) FROM alert_intake");
                                var rs = ps.executeQuery()) {
                            rs.next();
                            return rs.getLong(1);
                        }
                    }),
                    "a clean stop leaves no recorded request in the webhook journal");
        }
        try (HubRunner hub = new HubRunner(props)) {
            // the journal's retry round runs a second after the start: nothing of the first run is left for it
            Thread.sleep(2500);
            assertEquals(
                    0.0, hub.metricOrMinusOne("alertmanager_alerts_duplicate_total", ""), "nothing recorded again");
            assertEquals(200, hub.postAlerts(alert).statusCode());
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(10),
                    () -> hub.metricOrMinusOne("alertmanager_alerts_duplicate_total", "") == 1));
        }
    }
}
