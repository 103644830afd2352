package org.opshub.telegram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opshub.HubRunner;

/**
 * {@code alert_delivery_seconds{channel,outcome}}: the time from an alert's arrival (POST /alerts) to its
 * first delivery, counted once per alert however many chats get it, not again for a duplicate, and as
 * {@code after_retries} when its message was throttled first.
 */
class DeliveryTimeTest {
    private static final String FIRST = "channel=\"telegram\",outcome=\"first_attempt\"";
    private static final String RETRIED = "channel=\"telegram\",outcome=\"after_retries\"";

    @Test
    void everyDeliveredAlertIsCountedOnceOnItsChannel() throws Exception {
        try (FakeBotApi telegram = new FakeBotApi()) {
            Map<String, String> p = telegram.hubProperties(81, 82);
            try (HubRunner hub = new HubRunner(p)) {
                // a fresh hub: the series exist, at 0
                assertEquals(0.0, hub.metric("alert_delivery_seconds_count", FIRST));
                assertEquals(0.0, hub.metric("alert_delivery_seconds_count", RETRIED));
                assertEquals(0.0, hub.metric("alert_delivery_oldest_undelivered_seconds", "channel=\"telegram\""));
                telegram.userSays(81, "/subscribe *");
                telegram.userSays(82, "/subscribe Timed");
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10),
                        () -> telegram.texts(81).size() == 1
                                && telegram.texts(82).size() == 1));

                byte[] a = AlertDeliveryTest.payload("TimedA", "firing", "warning", "2026-12-07T12:00:00Z", null);
                assertEquals(200, hub.postAlerts(a).statusCode());
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10),
                        () -> telegram.texts(81).size() == 2
                                && telegram.texts(82).size() == 2));
                assertEquals(200, hub.postAlerts(a).statusCode(), "a duplicate");
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10),
                        () -> hub.metricOrMinusOne("alert_delivery_seconds_count", FIRST) == 1));

                // the next alert's message is throttled once, then delivered
                telegram.script(81, FakeBotApi.Answer.tooManyRequests(1));
                byte[] b = AlertDeliveryTest.payload("OtherB", "firing", "warning", "2026-12-07T12:01:00Z", null);
                assertEquals(200, hub.postAlerts(b).statusCode());
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(15),
                        () -> hub.metricOrMinusOne("alert_delivery_seconds_count", RETRIED) == 1));
                Thread.sleep(500);
                assertEquals(1.0, hub.metric("alert_delivery_seconds_count", FIRST), "two chats, one alert, once");
                double slow = hub.metric("alert_delivery_seconds_sum", RETRIED);
                assertTrue(slow >= 1.0, "delivered after the 1 s retry_after: " + slow + " s");
                assertEquals(
                        1.0,
                        hub.metric(
                                "alert_delivery_seconds_bucket",
                                "channel=\"telegram\",outcome=\"after_retries\",le=\"+Inf\""));
            }
        }
    }
}
