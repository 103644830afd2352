package org.opshub.telegram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opshub.HubProcess;
import org.opshub.HubRunner;

/**
 * Nothing acknowledged is lost when the process is killed at once (kill -9: the OOM killer, docker
 * kill, systemd's SIGKILL), with the embedded H2 store: 20 rounds of a hub in its own JVM that
 * confirms a {@code /subscribe} (the reply is sent, the update confirmed) and answers 50 alerts
 * 200, then is killed without a moment's delay. Every round's subscription exists after the
 * restart and its update is not handled twice, and every one of the 1,000 alerts is delivered.
 */
class KillNineTest {
    static final long CHAT = 4101;
    static final int ROUNDS = 20;
    static final int ALERTS = 50;

    @Test
    void everyAnsweredAlertSubscriptionAndConfirmedUpdateSurvivesKillNine() throws Exception {
        Path state = Files.createTempDirectory("opshub-kill9");
        try (FakeBotApi telegram = new FakeBotApi()) {
            Map<String, String> p = telegram.hubProperties(CHAT);
            p.put("state.directory", state.toString());
            p.put("telegram.poll-timeout", "PT1S");
            // deliveries are not what is measured: Telegram's per-chat limit would make 1,000 take 17 minutes
            p.put("telegram.rate.per-chat-per-second", "1000");
            p.put("telegram.rate.messages-per-second", "1000");
            List<String> names = new ArrayList<>();
            String startsAt = Instant.now().toString();
            for (int round = 0; round < ROUNDS; round++) {
                try (HubProcess hub = new HubProcess(p)) {
                    assertTrue(hub.awaitReady(Duration.ofSeconds(60)), "round " + round + " starts; log: " + hub.log);
                    int before = subscribedReplies(telegram);
                    telegram.userSays(CHAT, "/subscribe R" + round + "_.*");
                    assertTrue(
                            HubRunner.await(Duration.ofSeconds(20), () -> subscribedReplies(telegram) > before),
                            "round " + round + ": the /subscribe reply");
                    for (int i = 0; i < ALERTS; i++) {
                        String name = "R" + round + "_" + i;
                        names.add(name);
                        assertEquals(200, hub.postAlerts(AlertDeliveryTestAccess.payload(name, startsAt)), name);
                    }
                    hub.kill();
                }
            }
            try (HubProcess hub = new HubProcess(p)) {
                assertTrue(hub.awaitReady(Duration.ofSeconds(60)), "the last start; log: " + hub.log);
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(120),
                                () -> missing(telegram, names).isEmpty()),
                        "every answered alert delivered; missing: " + missing(telegram, names));
                telegram.userSays(CHAT, "/list");
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(20),
                                () -> telegram.texts(CHAT).stream()
                                        .anyMatch(t -> t.contains("R0_")
                                                && t.contains("R" + (ROUNDS - 1) + "_")
                                                && !t.contains("FIRING"))),
                        "/list names every round's subscription");
                assertEquals(
                        ROUNDS, subscribedReplies(telegram), "each confirmed /subscribe handled once, across 20 kills");
            }
        }
    }

    private static int subscribedReplies(FakeBotApi telegram) {
        return (int) telegram.texts(CHAT).stream()
                .filter(t -> t.contains("ubscribed to"))
                .count();
    }

    private static List<String> missing(FakeBotApi telegram, List<String> names) {
        List<String> texts = telegram.texts(CHAT);
        return names.stream()
                .filter(n -> texts.stream().noneMatch(t -> t.contains("FIRING") && t.contains(n + " ")))
                .toList();
    }
}
