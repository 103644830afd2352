package org.opshub.telegram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.opshub.HubRunner;

/**
 * Forum topics against the fake Bot API: a subscription made in a topic delivers
 * to that topic only ({@code message_thread_id} in every request), replies go to the topic of the
 * command, and a deleted topic falls back once to General with a note, marked in /list.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForumTopicsTest {
    static final String BEARER = "forum-bearer";
    static final long FORUM = -1003001;
    static final long OTHER_FORUM = -1003002;
    FakeBotApi telegram;
    HubRunner hub;

    @BeforeAll
    void start() throws Exception {
        telegram = new FakeBotApi();
        hub = new HubRunner(Map.of(
                "telegram.token",
                FakeBotApi.TOKEN,
                "telegram.api-url",
                telegram.url(),
                "telegram.allowed-chats",
                FORUM + "," + OTHER_FORUM,
                "alertmanager.bearer-token",
                BEARER));
    }

    @AfterAll
    void stop() throws Exception {
        hub.close();
        telegram.close();
    }

    private List<FakeBotApi.Sent> sent(long chat, String part) {
        return telegram.attempts(chat).stream()
                .filter(s -> s.text().contains(part))
                .toList();
    }

    private void say(long chat, long topic, String text, String expectedReply) throws Exception {
        int before = telegram.attempts(chat).size();
        if (topic == 0) {
            telegram.userSays(chat, text);
        } else {
            telegram.userSaysInTopic(chat, topic, text);
        }
        assertTrue(
                HubRunner.await(
                        Duration.ofSeconds(10),
                        () -> telegram.attempts(chat).stream()
                                .skip(before)
                                .anyMatch(s -> s.text().contains(expectedReply))),
                "no reply to " + text + ": " + telegram.attempts(chat));
    }

    private void fire(String alertname) throws Exception {
        byte[] body = AlertDeliveryTest.payload(alertname, "firing", "critical", "2026-11-30T03:00:00Z", null);
        assertEquals(
                200, hub.postAlerts(body, "Authorization", "Bearer " + BEARER).statusCode());
    }

    @Test
    void aSubscriptionMadeInATopicDeliversToThatTopicOnlyAndRepliesGoWhereTheCommandWasSent() throws Exception {
        say(FORUM, 7, "/subscribe TopicSeven.*", "Subscribed to <code>TopicSeven.*</code> in this topic.");
        FakeBotApi.Sent reply = sent(FORUM, "TopicSeven.*").get(0);
        assertEquals(7, reply.threadId(), "the reply goes to the topic of the command");
        say(FORUM, 9, "/list", "Subscriptions:");
        FakeBotApi.Sent list = sent(FORUM, "Subscriptions:").get(0);
        assertEquals(9, list.threadId());
        assertTrue(list.text().contains("<b>Topic 7</b>\n<code>TopicSeven.*</code>"), list.text());

        fire("TopicSevenDown");
        assertTrue(HubRunner.await(
                Duration.ofSeconds(10), () -> !sent(FORUM, "TopicSevenDown").isEmpty()));
        Thread.sleep(1000);
        List<FakeBotApi.Sent> alerts = sent(FORUM, "TopicSevenDown");
        assertEquals(1, alerts.size(), alerts.toString());
        assertEquals(7, alerts.get(0).threadId(), "message_thread_id 7 in the request");
        assertTrue(telegram.calls("sendMessage").stream()
                .filter(c -> c.body().path("text").asText().contains("TopicSevenDown"))
                .allMatch(c -> c.body().path("message_thread_id").asLong() == 7));
    }

    @Test
    void theSamePatternInTwoTopicsAndTheChatItselfSendsOncePerTopic() throws Exception {
        say(OTHER_FORUM, 3, "/subscribe Everywhere", "in this topic.");
        say(OTHER_FORUM, 4, "/subscribe Everywhere", "in this topic.");
        say(OTHER_FORUM, 0, "/subscribe Everywhere", "Subscribed to <code>Everywhere</code>.");
        fire("Everywhere");
        assertTrue(HubRunner.await(
                Duration.ofSeconds(10), () -> sent(OTHER_FORUM, "FIRING").size() == 3));
        Thread.sleep(1000);
        assertEquals(
                List.of(0L, 3L, 4L),
                sent(OTHER_FORUM, "FIRING").stream()
                        .map(FakeBotApi.Sent::threadId)
                        .sorted()
                        .toList());
        say(OTHER_FORUM, 4, "/unsubscribe Everywhere", "Unsubscribed from <code>Everywhere</code>.");
        say(OTHER_FORUM, 0, "/list", "Subscriptions:");
        String list = sent(OTHER_FORUM, "Subscriptions:").get(0).text();
        assertTrue(
                list.contains(
                                "<b>Chat (General)</b> (this topic)\n<code>Everywhere</code>\n<b>Topic 3</b>\n<code>Everywhere</code>")
                        && !list.contains("Topic 4"),
                list);
    }

    @Test
    void aDeletedTopicFallsBackOnceToGeneralAndListShowsIt() throws Exception {
        say(FORUM, 11, "/subscribe GoneTopic.*", "in this topic.");
        telegram.deleteTopic(FORUM, 11);
        fire("GoneTopicFirst");
        assertTrue(HubRunner.await(
                Duration.ofSeconds(10),
                () -> telegram.delivered(FORUM).stream().anyMatch(s -> s.text().contains("GoneTopicFirst"))));
        Thread.sleep(1000);
        List<FakeBotApi.Sent> first = sent(FORUM, "GoneTopicFirst");
        assertEquals(2, first.size(), "one refused attempt to the topic, then once to General: " + first);
        assertEquals(11, first.get(0).threadId());
        assertEquals(400, first.get(0).status());
        assertEquals(0, first.get(1).threadId());
        assertEquals(200, first.get(1).status());
        assertTrue(
                first.get(1)
                        .text()
                        .contains("(for topic 11, which is closed or deleted: send /subscribe in a live topic)"),
                first.get(1).text());

        say(FORUM, 0, "/list", "closed or deleted");
        String list = sent(FORUM, "closed or deleted (").get(0).text();
        assertTrue(
                list.contains("<b>Topic 11</b> \u26A0\uFE0F closed or deleted (Bad Request: message thread not found)"),
                list);

        // the next alert goes to General at once, never to the gone topic
        fire("GoneTopicSecond");
        assertTrue(HubRunner.await(
                Duration.ofSeconds(10), () -> !sent(FORUM, "GoneTopicSecond").isEmpty()));
        Thread.sleep(1000);
        List<FakeBotApi.Sent> second = sent(FORUM, "GoneTopicSecond");
        assertEquals(1, second.size(), second.toString());
        assertEquals(0, second.get(0).threadId());
        assertTrue(hub.metric("telegram_send_errors_total", "code=\"400\"") >= 1);
    }
}
