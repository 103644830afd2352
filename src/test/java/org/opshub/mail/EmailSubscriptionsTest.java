package org.opshub.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opshub.HubRunner;
import org.opshub.TestAlerts;
import org.opshub.checks.MutableClock;

/**
 * E-mail subscriptions ({@code mail.subscriptions.<name>.*}) for a team without Telegram, against GreenMail:
 * only matching alerts, each once; during quiet hours a subscription that is not urgent gets nothing and,
 * when they end, one digest; an urgent one gets its alerts at night too.
 */
class EmailSubscriptionsTest {

    @Test
    void matchingAlertsOnceQuietHoursHeldIntoADigestAndUrgentOnesAtNight() throws Exception {
        GreenMail smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        MutableClock clock = new MutableClock(Instant.parse("2026-12-07T03:00:00Z"));
        try {
            Map<String, String> p = new HashMap<>();
            p.put("mail.host", "127.0.0.1");
            p.put("mail.port", Integer.toString(smtp.getSmtp().getPort()));
            p.put("mail.from", "opshub@clinic.test");
            p.put("mail.subscriptions.noc.address", "noc@clinic.test");
            p.put("mail.subscriptions.noc.pattern", "Pacs.*");
            p.put("mail.subscriptions.boss.address", "boss@clinic.test");
            p.put("mail.subscriptions.boss.pattern", "severity=critical");
            p.put("mail.subscriptions.boss.urgent", "true");
            p.put("mail.digest-interval", "PT1S");
            p.put("telegram.quiet-hours", "true");
            p.put("telegram.timezone", "UTC");
            p.put("checks.timezone", "UTC");
            p.put("checks.notify-window", "07:00-20:00");
            try (HubRunner hub = new HubRunner(p, Map.of("opshubClock", clock))) {
                byte[] pacs = TestAlerts.firing("PacsDown", "warning", "\"summary\":\"PacsDown fires\"");
                assertEquals(200, hub.postAlerts(pacs).statusCode());
                assertEquals(200, hub.postAlerts(pacs).statusCode(), "a duplicate");
                assertEquals(
                        200,
                        hub.postAlerts(TestAlerts.firing("DiskFull", "critical", "\"summary\":\"DiskFull fires\""))
                                .statusCode());
                assertTrue(HubRunner.await(Duration.ofSeconds(15), () -> smtp.getReceivedMessages().length == 1));
                Thread.sleep(2000);
                assertEquals(1, smtp.getReceivedMessages().length, "night: only the urgent subscription");
                assertEquals("boss@clinic.test", smtp.getReceivedMessages()[0].getAllRecipients()[0].toString());
                assertTrue(smtp.getReceivedMessages()[0].getSubject().contains("DiskFull"));
                assertEquals(
                        1.0,
                        hub.metric("alert_delivery_seconds_count", "channel=\"email\",outcome=\"first_attempt\""),
                        "its first delivery, on the e-mail channel");

                clock.set(Instant.parse("2026-12-07T07:30:00Z"));
                assertTrue(HubRunner.await(Duration.ofSeconds(15), () -> smtp.getReceivedMessages().length == 2));
                var digest = smtp.getReceivedMessagesForDomain("noc@clinic.test")[0];
                assertEquals("opshub: 1 alerts held during quiet hours", digest.getSubject());
                String text = new String((byte[]) MailFallbackTest.parts(digest).get(0)[1], StandardCharsets.UTF_8);
                assertTrue(text.contains("PacsDown \u00D7 1"), text);

                assertEquals(
                        200,
                        hub.postAlerts(TestAlerts.firing("PacsSlow", "warning", "\"summary\":\"PacsSlow\""))
                                .statusCode());
                assertTrue(HubRunner.await(Duration.ofSeconds(15), () -> smtp.getReceivedMessages().length == 3));
                assertTrue(smtp.getReceivedMessagesForDomain("noc@clinic.test")[1]
                        .getSubject()
                        .contains("PacsSlow"));
                Thread.sleep(2000);
                assertEquals(3, smtp.getReceivedMessages().length, "PacsSlow is not critical: not to boss");
            }
        } finally {
            smtp.stop();
        }
    }
}
