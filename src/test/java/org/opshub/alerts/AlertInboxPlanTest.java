package org.opshub.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.opshub.telegram.outbox.TelegramSettings;

/** The inbox's decision for one alert, per target, as a function; no database (the store is never touched). */
class AlertInboxPlanTest {
    private final AlertInbox inbox = new AlertInbox(
            null,
            null,
            TelegramSettings.from(Map.of("telegram.token", "1:x")::get),
            Duration.ofDays(7),
            new SimpleMeterRegistry());

    private static Alert alert(String status) {
        return new Alert(
                status,
                new TreeMap<>(Map.of("alertname", "PacsDown", "severity", "critical")),
                new TreeMap<>(),
                Instant.parse("2026-12-07T09:00:00Z"),
                null,
                "http://prometheus:9090/graph",
                "fp1");
    }

    private static SubscriptionStore.Target target(long chat, long thread, long gone, boolean urgent) {
        return new SubscriptionStore.Target(chat, thread, gone, urgent);
    }

    @Test
    void eachChatGetsTheTextOfItsLanguage() {
        List<AlertInbox.Planned> plan = inbox.plan(
                alert(Alert.FIRING),
                List.of(target(1, 0, 0, false), target(2, 0, 0, false)),
                Map.of(1L, "en", 2L, "ru"),
                false,
                "<b>PacsDown</b> firing",
                "<b>PacsDown</b> горит");
        assertEquals("<b>PacsDown</b> firing", plan.get(0).body());
        assertEquals("<b>PacsDown</b> горит", plan.get(1).body());
        assertEquals("ru", plan.get(1).language());
    }

    @Test
    void quietHoursHoldAFiringAlertForTheDigestDropAResolvedOneAndLetUrgentOnesThrough() {
        List<AlertInbox.Planned> firing = inbox.plan(
                alert(Alert.FIRING),
                List.of(target(1, 0, 0, false), target(2, 0, 0, true), target(AlertInbox.CONSOLE, 0, 0, false)),
                Map.of(),
                true,
                "text",
                "текст");
        assertTrue(firing.get(0).held());
        assertNull(firing.get(0).body());
        assertEquals("text", firing.get(1).body(), "an urgent subscription is not held");
        assertEquals("text", firing.get(2).body(), "the console is never held");

        AlertInbox.Planned resolved = inbox.plan(
                        alert(Alert.RESOLVED), List.of(target(1, 0, 0, false)), Map.of(), true, "text", "текст")
                .get(0);
        assertEquals(false, resolved.held(), "a RESOLVED is not held for the digest");
        assertNull(resolved.body(), "and not sent during quiet hours");
    }

    @Test
    void aMessageForATopicThatIsGoneSaysSoAndALongTextIsCut() {
        String body = inbox.plan(alert(Alert.FIRING), List.of(target(1, 0, 77, false)), Map.of(), false, "text", "т")
                .get(0)
                .body();
        assertTrue(body.startsWith("text\n\n") && body.contains("77"), body);

        inbox.maxParts(1);
        String longText = "line of an alert\n".repeat(600);
        String cut = inbox.plan(
                        alert(Alert.FIRING), List.of(target(1, 0, 0, false)), Map.of(), false, longText, longText)
                .get(0)
                .body();
        assertTrue(cut.length() < longText.length(), "cut to telegram.max-parts-per-alert messages");
        assertTrue(cut.contains("PacsDown"), "the note names the alert: " + cut.substring(cut.length() - 200));
    }
}
