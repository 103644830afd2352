package org.opshub.telegram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opshub.HubRunner;
import org.opshub.TestAlerts;
import org.opshub.grafana.FakeGrafana;

/**
 * Pictures throttled while texts go (Telegram in Russia since February 2026): a Bot API whose sendPhoto
 * hangs past the client's timeout. An alert with a panel reaches the chat as text at once, its picture is
 * tried on its own and given up after {@code telegram.picture-attempts}; while pictures fail the next
 * alert goes as text first without waiting; when pictures go again an alert arrives as one photo.
 */
class PicturesThrottledTest {
    private static final long CHAT = 71;

    private static byte[] alert(String name) {
        return TestAlerts.withPanel(name);
    }

    private static boolean textWith(FakeBotApi telegram, String s) {
        return telegram.texts(CHAT).stream().anyMatch(t -> t.contains(s));
    }

    @Test
    void alertsGoAsTextAtOnceWhilePicturesHangAndAsPhotosWhenPicturesGoAgain() throws Exception {
        try (FakeBotApi telegram = new FakeBotApi();
                FakeGrafana grafana = new FakeGrafana()) {
            Map<String, String> p = telegram.hubProperties(CHAT);
            p.put("grafana.url", grafana.url());
            p.put("telegram.picture-timeout", "PT0.5S");
            p.put("telegram.picture-attempts", "2");
            p.put("telegram.picture-backoff", "PT3S");
            try (HubRunner hub = new HubRunner(p)) {
                telegram.userSays(CHAT, "/subscribe *");
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10), () -> telegram.texts(CHAT).size() == 1));
                telegram.stallPhotos(5000);
                // the chat's rate (one message a second) is not what this test measures: the reply's slot passes
                Thread.sleep(1100);

                long posted = System.nanoTime();
                assertEquals(200, hub.postAlerts(alert("PacsDown")).statusCode());
                assertTrue(HubRunner.await(Duration.ofSeconds(10), () -> textWith(telegram, "PacsDown fires")));
                long first = (System.nanoTime() - posted) / 1_000_000;
                assertTrue(
                        first <= 2000, "the text " + first + " ms after the alert (the photo timed out after 0.5 s)");

                // its picture on its own: given up after telegram.picture-attempts sends
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(30),
                                () -> hub.metricOrMinusOne("telegram_messages_dropped_total", "reason=\"picture\"")
                                        >= 1),
                        "picture given up");

                // while pictures fail (telegram.picture-backoff), the next alert does not try a picture first
                long stalled = telegram.stalledPhotos();
                Thread.sleep(1100);
                posted = System.nanoTime();
                assertEquals(200, hub.postAlerts(alert("PacsSlow")).statusCode());
                assertTrue(HubRunner.await(Duration.ofSeconds(10), () -> textWith(telegram, "PacsSlow fires")));
                long second = (System.nanoTime() - posted) / 1_000_000;
                assertEquals(stalled, telegram.stalledPhotos(), "no picture tried before the text");
                assertTrue(second <= 2000, "the text " + second + " ms after the alert");
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(30),
                                () -> hub.metricOrMinusOne("telegram_messages_dropped_total", "reason=\"picture\"")
                                        >= 2),
                        "pictures given up");
                assertEquals(0, telegram.photos(CHAT).size());

                telegram.stallPhotos(0);
                Thread.sleep(3500); // telegram.picture-backoff passes
                assertEquals(200, hub.postAlerts(alert("PacsBack")).statusCode());
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(10),
                                () -> telegram.photos(CHAT).stream()
                                        .anyMatch(ph -> ph.caption() != null
                                                && ph.caption().contains("PacsBack"))),
                        "one photo with the text as caption when pictures go");
                assertTrue(!textWith(telegram, "PacsBack fires"), "no separate text");
            }
        }
    }
}
