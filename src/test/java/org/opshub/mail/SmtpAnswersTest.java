package org.opshub.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opshub.HubRunner;
import org.opshub.TestAlerts;
import org.opshub.telegram.FakeBotApi;

/**
 * What each SMTP answer does to a fallback e-mail (route {@code mail-outbox}): a 4xx is tried again with
 * back-off until the server takes it, a 5xx is dropped at once (one ERROR, {@code
 * mail_messages_dropped_total}), never tried again.
 */
class SmtpAnswersTest {
    private static final long CHAT = 92;

    private static byte[] alert(String name) {
        return TestAlerts.firing(name, "warning", "\"summary\":\"" + name + "\"");
    }

    @Test
    void aTemporaryRefusalIsTriedAgainAndAPermanentOneIsDropped() throws Exception {
        try (ScriptedSmtp smtp = new ScriptedSmtp();
                FakeBotApi telegram = new FakeBotApi()) {
            Map<String, String> p = telegram.hubProperties(CHAT);
            p.put("mail.host", "127.0.0.1");
            p.put("mail.port", Integer.toString(smtp.port()));
            p.put("mail.from", "opshub@clinic.test");
            p.put("telegram.fallback." + CHAT, "ops@clinic.test");
            p.put("telegram.fallback-after", "PT1S");
            try (HubRunner hub = new HubRunner(p)) {
                telegram.userSays(CHAT, "/subscribe *");
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10), () -> telegram.texts(CHAT).size() == 1));
                telegram.unavailable(true);

                smtp.script("451 4.3.0 mailbox busy, try later", "451 4.3.0 mailbox busy, try later");
                assertEquals(200, hub.postAlerts(alert("Temporary")).statusCode());
                assertTrue(
                        HubRunner.await(Duration.ofSeconds(30), () -> smtp.accepted.size() == 1),
                        "asked " + smtp.recipients.size() + " times");
                assertEquals(3, smtp.recipients.size(), "two 451s, then taken");
                assertEquals(2.0, hub.metric("mail_send_errors_total", "code=\"4xx\""));

                smtp.script("550 5.1.1 no such user");
                assertEquals(200, hub.postAlerts(alert("Permanent")).statusCode());
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(30), () -> hub.metricOrMinusOne("mail_messages_dropped_total", "") == 1));
                Thread.sleep(3000);
                assertEquals(4, smtp.recipients.size(), "a 5xx is not tried again");
                assertEquals(1, smtp.accepted.size());
                assertEquals(1.0, hub.metric("mail_send_errors_total", "code=\"5xx\""));
            }
        }
    }
}
