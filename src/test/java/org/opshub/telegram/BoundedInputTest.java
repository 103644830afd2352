package org.opshub.telegram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opshub.HubRunner;

/**
 * One hostile or careless webhook cannot flood a chat: a 900 KB label is cut to
 * {@code alertmanager.max-value-bytes}, its text to {@code telegram.max-parts-per-alert} messages
 * with a note, a payload of 1,000 alerts queues at most {@code alertmanager.max-messages-per-webhook}
 * messages and one held-back line per chat, and an alert posted right after reaches the same chat
 * within seconds. A NUL is refused at intake naming the field.
 */
class BoundedInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long CHAT = 5005;

    private static ObjectNode alert(ArrayNode alerts, String name, int i) {
        ObjectNode a = alerts.addObject().put("status", "firing");
        a.putObject("labels").put("alertname", name).put("severity", "warning").put("n", Integer.toString(i));
        a.putObject("annotations").put("summary", name + " " + i);
        a.put("startsAt", "2026-12-07T03:00:00Z")
                .put("endsAt", "0001-01-01T00:00:00Z")
                .put("generatorURL", "http://prometheus/graph?g0.expr=up")
                .put("fingerprint", String.format("%016x", (long) name.hashCode() * 1000 + i));
        return a;
    }

    private static ObjectNode payload() {
        return JSON.createObjectNode()
                .put("version", "4")
                .put("status", "firing")
                .put("receiver", "telegram");
    }

    @Test
    void aHugeLabelAndAThousandAlertsLeaveRoomForTheNextAlert() throws Exception {
        try (FakeBotApi telegram = new FakeBotApi()) {
            Map<String, String> p = telegram.hubProperties(CHAT);
            p.put("telegram.max-parts-per-alert", "2");
            p.put("alertmanager.max-messages-per-webhook", "2");
            p.put("alertmanager.max-body-bytes", "4194304");
            p.put("camel.server.maxBodySize", "4194304");
            try (HubRunner hub = new HubRunner(p)) {
                telegram.userSays(CHAT, "/subscribe .*");
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10), () -> telegram.texts(CHAT).size() == 1));

                ObjectNode big = payload();
                ArrayNode alerts = big.putArray("alerts");
                alert(alerts, "Flood", 0).with("labels").put("blob", "x\n".repeat(450_000)); // 900 KB
                for (int i = 1; i < 1000; i++) {
                    alert(alerts, "Flood", i);
                }
                HttpResponse<String> r = hub.postAlerts(JSON.writeValueAsBytes(big));
                assertEquals(200, r.statusCode(), r.body());

                ObjectNode next = payload();
                alert(next.putArray("alerts"), "RightAfter", 1);
                long posted = System.currentTimeMillis();
                assertEquals(200, hub.postAlerts(JSON.writeValueAsBytes(next)).statusCode());
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(15),
                        () -> telegram.delivered(CHAT).stream()
                                .anyMatch(s -> s.text().contains("RightAfter"))));
                FakeBotApi.Sent after = telegram.delivered(CHAT).stream()
                        .filter(s -> s.text().contains("RightAfter"))
                        .findFirst()
                        .orElseThrow();
                assertTrue(
                        after.atMillis() - posted < 5000,
                        "delivered " + (after.atMillis() - posted) + " ms after its post");

                Thread.sleep(1500);
                List<String> texts =
                        telegram.texts(CHAT).subList(1, telegram.texts(CHAT).size());
                List<String> flood =
                        texts.stream().filter(t -> !t.contains("RightAfter")).toList();
                assertEquals(3, flood.size(), "2 parts of the first alert and the held-back line: " + flood.size());
                assertTrue(
                        flood.get(1).contains("Flood: the text is longer than 2 messages and was cut here"),
                        flood.get(1));
                assertTrue(flood.get(2).contains("and 999 more alerts of this notification"), flood.get(2));
                assertTrue(texts.stream().allMatch(t -> t.length() <= 4096));
                // every alert is stored all the same: /alerts lists the firing ones
                assertTrue(hub.metric("alertmanager_alerts_received_total", "status=\"firing\"") >= 1001);
            }
        }
    }

    @Test
    void aNulIsRefusedAtIntakeNamingTheField() throws Exception {
        try (FakeBotApi telegram = new FakeBotApi();
                HubRunner hub = new HubRunner(telegram.hubProperties(CHAT))) {
            ObjectNode p = payload();
            alert(p.putArray("alerts"), "Nul", 1).with("annotations").put("summary", "a\u0000b");
            HttpResponse<String> r = hub.postAlerts(JSON.writeValueAsBytes(p));
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(
                    r.body().contains("alerts[0].annotations.summary")
                            && r.body().contains("NUL"),
                    r.body());
        }
    }
}
