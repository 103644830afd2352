package org.opshub.mail;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opshub.HubRunner;
import org.opshub.TestAlerts;
import org.opshub.grafana.FakeGrafana;
import org.opshub.telegram.FakeBotApi;

/**
 * E-mail as Telegram's fallback, against GreenMail (a real SMTP server on loopback): Telegram answers
 * 502 to everything for longer than {@code telegram.fallback-after}; the alert goes once by e-mail to the
 * chat's fallback addresses, with the subject of its first line, the text plain and as HTML, and the
 * panel's picture attached; when Telegram answers again, the chat gets the alert saying when it went out
 * by e-mail. {@code /fallback} adds and lists the chat's addresses.
 */
class MailFallbackTest {
    private static final long CHAT = 91;

    private static byte[] alert(String name) {
        return TestAlerts.withPanel(name);
    }

    /** Every leaf part of a message: content type and bytes. */
    static List<Object[]> parts(Part p) throws Exception {
        List<Object[]> out = new ArrayList<>();
        if (p.getContent() instanceof Multipart m) {
            for (int i = 0; i < m.getCount(); i++) {
                out.addAll(parts(m.getBodyPart(i)));
            }
        } else {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            p.getDataHandler().getInputStream().transferTo(b);
            out.add(new Object[] {p.getContentType().toLowerCase(), b.toByteArray()});
        }
        return out;
    }

    @Test
    void anAlertTelegramDoesNotDeliverInTimeGoesOnceByEmailWithItsPictureAndTheChatIsToldLater() throws Exception {
        GreenMail smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        try (FakeBotApi telegram = new FakeBotApi();
                FakeGrafana grafana = new FakeGrafana()) {
            Map<String, String> p = telegram.hubProperties(CHAT);
            p.put("grafana.url", grafana.url());
            p.put("mail.host", "127.0.0.1");
            p.put("mail.port", Integer.toString(smtp.getSmtp().getPort()));
            p.put("mail.from", "opshub@clinic.test");
            p.put("telegram.fallback." + CHAT, "ops@clinic.test");
            p.put("telegram.fallback-after", "PT2S");
            p.put("telegram.timezone", "UTC");
            try (HubRunner hub = new HubRunner(p)) {
                telegram.userSays(CHAT, "/subscribe *");
                telegram.userSays(CHAT, "/fallback add duty@clinic.test");
                telegram.userSays(CHAT, "/fallback list");
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10), () -> telegram.texts(CHAT).size() == 3));
                assertEquals(
                        "Fallback address added: duty@clinic.test",
                        telegram.texts(CHAT).get(1));
                assertEquals(
                        "Alerts Telegram does not deliver within 2 s go by e-mail to: ops@clinic.test, duty@clinic.test",
                        telegram.texts(CHAT).get(2));

                telegram.unavailable(true);
                assertEquals(200, hub.postAlerts(alert("PacsDown")).statusCode());
                assertTrue(
                        HubRunner.await(Duration.ofSeconds(20), () -> smtp.getReceivedMessages().length == 2),
                        "e-mails: " + smtp.getReceivedMessages().length);
                Thread.sleep(3000);
                assertEquals(2, smtp.getReceivedMessages().length, "once per address");
                MimeMessage mail = smtp.getReceivedMessagesForDomain("ops@clinic.test")[0];
                assertEquals("\uD83D\uDD25 FIRING PacsDown [critical]", mail.getSubject());
                assertEquals("opshub@clinic.test", mail.getFrom()[0].toString());
                List<Object[]> parts = parts(mail);
                assertTrue(((String) parts.get(0)[0]).startsWith("text/plain"));
                assertTrue(new String((byte[]) parts.get(0)[1], StandardCharsets.UTF_8).contains("PacsDown fires"));
                assertTrue(((String) parts.get(1)[0]).startsWith("text/html"));
                assertTrue(new String((byte[]) parts.get(1)[1], StandardCharsets.UTF_8).contains("<b>FIRING</b>"));
                assertTrue(((String) parts.get(2)[0]).startsWith("image/png"));
                assertArrayEquals(grafana.pngBytes(), (byte[]) parts.get(2)[1], "the panel, attached");
                assertEquals(2.0, hub.metric("mail_messages_sent_total", ""));

                telegram.unavailable(false);
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(30),
                                () -> telegram.texts(CHAT).stream()
                                        .anyMatch(t ->
                                                t.contains("PacsDown fires") && t.contains("Sent by e-mail at 20"))),
                        "chat: " + telegram.texts(CHAT));
            }
        } finally {
            smtp.stop();
        }
    }

    @Test
    void aTopicHasItsOwnAddressesBesideTheChatsAndItsAlertsGoToBoth() throws Exception {
        long chat = -1009300;
        long topic = 5;
        GreenMail smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        try (FakeBotApi telegram = new FakeBotApi()) {
            Map<String, String> p = telegram.hubProperties(chat);
            p.put("mail.host", "127.0.0.1");
            p.put("mail.port", Integer.toString(smtp.getSmtp().getPort()));
            p.put("mail.from", "opshub@clinic.test");
            p.put("telegram.fallback-after", "PT1S");
            try (HubRunner hub = new HubRunner(p)) {
                telegram.userSays(chat, "/fallback add all@clinic.test");
                telegram.userSaysInTopic(chat, topic, "/fallback add ward@clinic.test");
                telegram.userSaysInTopic(chat, topic, "/subscribe *");
                telegram.userSays(chat, "/fallback list");
                telegram.userSaysInTopic(chat, topic, "/fallback list");
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10), () -> telegram.texts(chat).size() == 5));
                assertEquals(
                        "Alerts Telegram does not deliver within 1 s go by e-mail to: all@clinic.test",
                        telegram.texts(chat).get(3),
                        "the chat's own");
                assertEquals(
                        "Alerts Telegram does not deliver within 1 s go by e-mail to: all@clinic.test, ward@clinic.test",
                        telegram.texts(chat).get(4),
                        "the chat's and the topic's");

                telegram.unavailable(true);
                assertEquals(200, hub.postAlerts(alert("WardDown")).statusCode());
                assertTrue(
                        HubRunner.await(Duration.ofSeconds(20), () -> smtp.getReceivedMessages().length == 2),
                        "e-mails: " + smtp.getReceivedMessages().length);
                assertEquals(1, smtp.getReceivedMessagesForDomain("ward@clinic.test").length);
                assertEquals(1, smtp.getReceivedMessagesForDomain("all@clinic.test").length);
            }
        } finally {
            smtp.stop();
        }
    }
}
