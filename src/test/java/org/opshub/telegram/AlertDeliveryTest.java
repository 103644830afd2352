package org.opshub.telegram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.opshub.HubRunner;
import org.opshub.state.StateStore;

/**
 * The real Main and routes against {@link FakeBotApi}: webhook → de-duplication → subscribed
 * chats → sendMessage, with Telegram's failure answers, and the bot's commands via getUpdates.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AlertDeliveryTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String BEARER = "s3cret-webhook-token";
    static final AtomicInteger SEQ = new AtomicInteger();
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
                "1001,1002,1003,1004,1005,1006,1007,1008,-2001,-2002,-2003,-1002003",
                "telegram.timezone",
                "Europe/Moscow",
                "alertmanager.bearer-token",
                BEARER,
                "telegram.bot-username",
                "opshub_bot"));
    }

    @AfterAll
    void stop() throws Exception {
        hub.close();
        telegram.close();
    }

    @Test
    void everySubscriberOfAMatchingPatternGetsOneMessagePerAlert() throws Exception {
        subscribe(1001, "pacs.*");
        subscribe(-2001, "severity=critical");
        subscribe(1002, "NoSuchAlert");
        assertEquals(200, post(sample("grouped-synthetic.json")).statusCode());
        assertEquals(200, post(sample("firing-real-0.25.json")).statusCode());

        assertTrue(HubRunner.await(
                Duration.ofSeconds(15),
                () -> alerts(1001).size() == 2 && alerts(-2001).size() == 3));
        Thread.sleep(1500);
        assertEquals(2, alerts(1001).size(), "PacsDown x2 only: " + alerts(1001));
        assertEquals(3, alerts(-2001).size());
        assertEquals(0, alerts(1002).size());
        String archive = alerts(1001).stream()
                .filter(t -> t.contains("pacs: archive"))
                .findFirst()
                .orElseThrow();
        assertTrue(archive.contains("PACS archive &lt;ARCHIVE&gt; does not answer C-ECHO &amp; is down"), archive);
        assertTrue(archive.startsWith("\uD83D\uDD25 <b>FIRING</b> PacsDown [critical]"), archive);
        assertTrue(archive.contains("Started: 2026-11-21 11:00:00 MSK"), archive);
        assertTrue(
                archive.contains("<a href=\"http://prometheus:9090/graph?g0.expr=pacs_up+%3D%3D+0\">Source</a>"),
                archive);
        String real = alerts(-2001).stream()
                .filter(t -> t.contains("StudiesNotSent"))
                .findFirst()
                .orElseThrow();
        assertTrue(real.contains("Исследования не отправлены: 3 (127.0.0.1:19100)"), real);
        assertTrue(real.contains("g0.expr=count_not_sended_study+%21%3D+0&amp;g0.tab=1"), real);
        assertTrue(real.contains("Started: 2026-11-21 05:23:14 MSK"), real);
        assertTrue(telegram.delivered(1001).stream().allMatch(s -> "HTML".equals(s.parseMode())));
        assertTrue(hub.metric("alertmanager_alerts_received_total", "status=\"firing\"") >= 3);
        assertTrue(hub.metric("telegram_messages_sent_total", "kind=\"alert\"") >= 5);
        assertEquals(0, telegram.foreignTokenCalls(), "every Bot API call carries telegram.token");
    }

    @Test
    void aPayloadPostedTwiceOrConcurrentlyCreatesNoSecondMessage() throws Exception {
        subscribe(1003, "dup");
        byte[] body = payload("DupAlert", "firing", "warning", "2026-11-21T09:00:00Z", null);
        double before = hub.metric("alertmanager_alerts_duplicate_total", "");
        assertEquals(200, post(body).statusCode());
        assertEquals(200, post(body).statusCode());
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            results.add(pool.submit((Callable<Integer>) () -> post(body).statusCode()));
        }
        for (Future<Integer> f : results) {
            assertEquals(200, f.get());
        }
        pool.shutdown();
        assertTrue(HubRunner.await(Duration.ofSeconds(10), () -> alerts(1003).size() == 1));
        Thread.sleep(1500);
        assertEquals(1, alerts(1003).size());
        assertEquals(before + 7, hub.metric("alertmanager_alerts_duplicate_total", ""));
        // the same alert resolved is a new event: one more message
        assertEquals(
                200,
                post(payload("DupAlert", "resolved", "warning", "2026-11-21T09:00:00Z", "2026-11-21T09:05:00Z"))
                        .statusCode());
        assertTrue(HubRunner.await(Duration.ofSeconds(10), () -> alerts(1003).size() == 2));
        String resolved = alerts(1003).get(1);
        assertTrue(resolved.startsWith("\u2705 <b>RESOLVED</b> DupAlert"), resolved);
        assertTrue(resolved.contains("Ended: 2026-11-21 12:05:00 MSK"), resolved);
    }

    @Test
    void retryAfterIsHonouredAndTheSameMessageIsResent() throws Exception {
        subscribe(1004, "Throttled");
        telegram.script(1004, FakeBotApi.Answer.tooManyRequests(2));
        post(payload("ThrottledAlert", "firing", "info", "2026-11-21T09:10:00Z", null));
        assertTrue(HubRunner.await(Duration.ofSeconds(15), () -> alerts(1004).size() == 1));
        List<FakeBotApi.Sent> attempts = telegram.attempts(1004).stream()
                .filter(s -> s.text().contains("ThrottledAlert"))
                .toList();
        assertEquals(2, attempts.size());
        assertEquals(429, attempts.get(0).status());
        assertEquals(attempts.get(0).text(), attempts.get(1).text());
        assertTrue(
                attempts.get(1).atMillis() - attempts.get(0).atMillis() >= 2000,
                "resent after " + (attempts.get(1).atMillis() - attempts.get(0).atMillis()) + " ms");
        assertTrue(hub.metric("telegram_send_errors_total", "code=\"429\"") >= 1);
    }

    @Test
    void serverErrorsBackOffAndKeepOrder() throws Exception {
        subscribe(1005, "Order");
        telegram.script(1005, FakeBotApi.Answer.serverError(), FakeBotApi.Answer.serverError());
        for (int i = 1; i <= 3; i++) {
            post(payload("Order" + i, "firing", "info", "2026-11-21T09:20:0" + i + "Z", null));
        }
        assertTrue(HubRunner.await(Duration.ofSeconds(20), () -> alerts(1005).size() == 3));
        List<String> texts = alerts(1005);
        for (int i = 1; i <= 3; i++) {
            assertTrue(texts.get(i - 1).contains("Order" + i), texts.toString());
        }
        assertTrue(hub.metric("telegram_send_errors_total", "code=\"5xx\"") >= 2);
    }

    @Test
    void aBotApiThatDoesNotAnswerInTimeIsANetworkErrorAndTheMessageIsSentAgain() throws Exception {
        try (FakeBotApi slow = new FakeBotApi()) {
            Map<String, String> p = slow.hubProperties(1009);
            p.put("telegram.http-timeout", "PT1S");
            try (HubRunner h = new HubRunner(p)) {
                slow.userSays(1009, "/subscribe Unanswered");
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10),
                        () -> slow.texts(1009).stream()
                                .anyMatch(t -> t.contains("ubscribed to <code>Unanswered</code>"))));
                slow.script(1009, FakeBotApi.Answer.slow(3000));
                assertEquals(
                        200,
                        h.postAlerts(payload("UnansweredAlert", "firing", "info", "2026-11-21T09:40:00Z", null))
                                .statusCode());
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(20),
                        () -> h.metricOrMinusOne("telegram_send_errors_total", "code=\"network\"") >= 1));
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(20),
                                () -> slow.attempts(1009).stream()
                                                .filter(a -> a.text().contains("UnansweredAlert"))
                                                .count()
                                        >= 2),
                        "the message is sent again after the timeout: " + slow.attempts(1009));
            }
        }
    }

    @Test
    void unparsableEntitiesAreResentAsPlainText() throws Exception {
        subscribe(1006, "Entities");
        telegram.script(1006, FakeBotApi.Answer.cantParse());
        post(payload("EntitiesAlert", "firing", "info", "2026-11-21T09:30:00Z", null));
        assertTrue(HubRunner.await(Duration.ofSeconds(15), () -> alerts(1006).size() == 1));
        FakeBotApi.Sent plain = telegram.delivered(1006).stream()
                .filter(s -> s.text().contains("EntitiesAlert"))
                .findFirst()
                .orElseThrow();
        assertNull(plain.parseMode());
        assertTrue(plain.text().startsWith("\uD83D\uDD25 FIRING EntitiesAlert [info]"), plain.text());
        assertTrue(plain.text().contains("Source (http://prometheus/graph?g0.expr=up&x=1)"), plain.text());
    }

    @Test
    void aMigratedGroupKeepsItsSubscriptionsUnderTheNewId() throws Exception {
        subscribe(-2003, "Migrating");
        telegram.script(-2003, FakeBotApi.Answer.migrate(-1002003));
        post(payload("MigratingAlert", "firing", "info", "2026-11-21T09:40:00Z", null));
        assertTrue(
                HubRunner.await(Duration.ofSeconds(15), () -> alerts(-1002003).size() == 1));
        telegram.userSays(-1002003, "/list@opshub_bot");
        assertTrue(HubRunner.await(
                Duration.ofSeconds(10),
                () -> telegram.texts(-1002003).stream().anyMatch(t -> t.contains("<code>Migrating</code>"))));
        post(payload("MigratingAlert2", "firing", "info", "2026-11-21T09:41:00Z", null));
        assertTrue(
                HubRunner.await(Duration.ofSeconds(10), () -> alerts(-1002003).size() == 2));
        assertEquals(0, alerts(-2003).size());
    }

    @Test
    void aBlockedBotDisablesTheChat() throws Exception {
        subscribe(1007, "Blocked");
        telegram.script(1007, FakeBotApi.Answer.blocked());
        post(payload("BlockedAlert", "firing", "info", "2026-11-21T09:50:00Z", null));
        assertTrue(HubRunner.await(
                Duration.ofSeconds(10), () -> telegram.attempts(1007).stream().anyMatch(s -> s.status() == 403)));
        assertTrue(
                HubRunner.await(
                        Duration.ofSeconds(5),
                        () -> hub.metricOrMinusOne("telegram_messages_dropped_total", "reason=\"blocked\"") >= 1),
                "the 403 was acted on");
        post(payload("BlockedAlert2", "firing", "info", "2026-11-21T09:51:00Z", null));
        Thread.sleep(2000);
        assertEquals(0, alerts(1007).size());
        assertTrue(hub.metric("telegram_send_errors_total", "code=\"403\"") >= 1);
        // subscribing again (the user unblocked the bot) re-enables it
        subscribe(1007, "Blocked");
        post(payload("BlockedAlert3", "firing", "info", "2026-11-21T09:52:00Z", null));
        assertTrue(HubRunner.await(Duration.ofSeconds(10), () -> alerts(1007).size() == 1));
    }

    @Test
    void commandsAnswerAndAnInvalidPatternIsRefused() throws Exception {
        telegram.userSays(1008, "/subscribe (unclosed");
        assertTrue(HubRunner.await(
                Duration.ofSeconds(10), () -> !telegram.texts(1008).isEmpty()));
        String refusal = telegram.texts(1008).get(0);
        assertTrue(
                refusal.startsWith("Invalid pattern <code>(unclosed</code>: error parsing regexp: missing closing ):"),
                refusal);
        assertTrue(!refusal.contains("(?i)"), refusal);
        subscribe(1008, "a.*b");
        telegram.userSays(1008, "/regexp Pacs");
        telegram.userSays(1008, "/list");
        assertTrue(awaitReply(1008, "Subscriptions:\n<code>a.*b</code>\n<code>Pacs</code>"));
        telegram.userSays(1008, "/unsubscribe a.*b");
        assertTrue(awaitReply(1008, "Unsubscribed from <code>a.*b</code>."));
        telegram.userSays(1008, "/unsubscribe all");
        assertTrue(awaitReply(1008, "Removed 1 pattern."));
        telegram.userSays(1008, "/status");
        assertTrue(awaitReply(1008, "Outbox: "));
        telegram.userSays(1008, "/help@opshub_bot");
        assertTrue(awaitReply(1008, "<b>opshub alert bot</b>"));
        telegram.userSays(1008, "/help@some_other_bot");
        telegram.userSays(1008, "/nonsense");
        assertTrue(awaitReply(1008, "Unknown command /nonsense. /help lists the commands."));
        assertEquals(
                1,
                telegram.texts(1008).stream()
                        .filter(t -> t.contains("opshub alert bot"))
                        .count());
        post(payload("ListedAlert", "firing", "critical", "2026-11-21T10:00:00Z", null));
        telegram.userSays(1008, "/alerts");
        assertTrue(awaitReply(1008, "ListedAlert</b> [critical]"));
    }

    @Test
    void aChatOutsideTheAllowlistIsToldItsIdOnce() throws Exception {
        telegram.userSays(3003, "/start");
        telegram.userSays(3003, "/subscribe .*");
        assertTrue(awaitReply(3003, "Its chat id is <code>3003</code>"));
        Thread.sleep(1500);
        assertEquals(1, telegram.texts(3003).size());
        post(payload("ForbiddenAlert", "firing", "critical", "2026-11-21T10:10:00Z", null));
        Thread.sleep(1500);
        assertEquals(1, telegram.texts(3003).size());
    }

    @Test
    void aLongMessageIsSplitAtLineBoundaries() throws Exception {
        subscribe(-2002, "LongAlert");
        StringBuilder description = new StringBuilder();
        for (int i = 0; i < 400; i++) {
            description.append("line ").append(i).append(" <of> a long description\n");
        }
        ObjectNode p = payloadNode("LongAlert", "firing", "info", "2026-11-21T10:20:00Z", null);
        ((ObjectNode) p.withArray("alerts").get(0).get("annotations")).put("description", description.toString());
        post(JSON.writeValueAsBytes(p));
        assertTrue(HubRunner.await(
                Duration.ofSeconds(15), () -> telegram.texts(-2002).size() >= 4));
        Thread.sleep(500);
        List<String> parts = telegram.texts(-2002).stream()
                .filter(t -> !t.startsWith("Subscribed"))
                .toList();
        assertTrue(parts.size() >= 3 && parts.size() <= 4, parts.size() + " parts");
        assertTrue(parts.get(0).startsWith("\uD83D\uDD25 <b>FIRING</b> LongAlert"));
        String joined = String.join("\n", parts);
        for (int i = 0; i < 400; i++) {
            assertTrue(
                    joined.contains("line " + i + " &lt;of&gt; a long description\n")
                            || joined.endsWith("line " + i + " &lt;of&gt; a long description"),
                    "line " + i);
        }
        assertTrue(parts.stream().allMatch(t -> t.length() <= 4096));
    }

    @Test
    void badRequestsGetA4xxWithAJsonErrorNeverA5xx() throws Exception {
        byte[] ok = sample("grouped-synthetic.json");
        HttpResponse<String> r = hub.post("/alerts", ok, "Content-Type", "application/json");
        assertEquals(401, r.statusCode());
        assertEquals("{\"status\":\"error\",\"error\":\"missing Authorization: Bearer token\"}", r.body());
        assertEquals(Optional.of("Bearer"), r.headers().firstValue("WWW-Authenticate"), "RFC 6750: the scheme");
        r = hub.postAlerts(ok, "Authorization", "Bearer wrong");
        assertEquals(401, r.statusCode());
        assertEquals(Optional.of("Bearer"), r.headers().firstValue("WWW-Authenticate"));
        r = hub.post("/alerts", ok, "Content-Type", "text/plain", "Authorization", "Bearer " + BEARER);
        assertEquals(415, r.statusCode());
        assertTrue(r.headers().firstValue("WWW-Authenticate").isEmpty(), "only a 401 names the scheme");
        assertTrue(r.body().contains("Content-Type must be application/json"), r.body());
        r = post("{\"version\":".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, r.statusCode());
        assertTrue(r.body().startsWith("{\"status\":\"error\",\"error\":\"body is not JSON"), r.body());
        r = post(
                "{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"alertname\":\"X\"}}]}".getBytes());
        assertEquals(400, r.statusCode());
        assertEquals(
                "{\"status\":\"error\",\"error\":\"not an Alertmanager webhook payload: field \\\"alerts[0].startsAt\\\" is missing\"}",
                r.body());
        r = post("{\"version\":\"3\",\"alerts\":[]}".getBytes());
        assertEquals(400, r.statusCode());
        r = post(new byte[1_048_577]);
        assertEquals(413, r.statusCode());
        assertTrue(r.body().contains("larger than alertmanager.max-body-bytes=1048576"), r.body());
        assertEquals(200, post(sample("resolved-real-0.25.json")).statusCode());
    }

    @Test
    void aPayloadWithMoreAlertsThanAlertmanagerMaxAlertsGets413NamingIt() throws Exception {
        try (HubRunner capped = new HubRunner(Map.of("telegram.allowed-chats", "1", "alertmanager.max-alerts", "1"))) {
            HttpResponse<String> r = capped.postAlerts(sample("grouped-synthetic.json"));
            assertEquals(413, r.statusCode());
            assertTrue(r.body().contains("more than alertmanager.max-alerts=1"), r.body());
            assertEquals(200, capped.postAlerts(sample("firing-real-0.25.json")).statusCode());
        }
    }

    @Test
    void aStoreFailureAnswers503SoThatAlertmanagerRetries() throws Exception {
        // a second hub with its own store, broken underneath it: the webhook journal, where a request is
        // committed before its 200, is gone
        try (HubRunner broken = new HubRunner(Map.of("telegram.allowed-chats", "1"))) {
            broken.bean("stateStore", StateStore.class).inTransaction(c -> {
                try (Statement st = c.createStatement()) {
                    return st.executeUpdate("DROP TABLE alert_intake");
                }
            });
            HttpResponse<String> r = broken.postAlerts(sample("firing-real-0.25.json"));
            assertEquals(503, r.statusCode());
            assertEquals("{\"status\":\"error\",\"error\":\"alerts could not be stored; retry later\"}", r.body());
            assertEquals(200, broken.get("/observe/health/live").statusCode());
            assertEquals(200, broken.get("/observe/health/ready").statusCode());
            broken.bean("stateStore", StateStore.class).close();
            HttpResponse<String> ready = broken.get("/observe/health/ready");
            assertEquals(503, ready.statusCode());
            assertEquals("{\"status\":\"DOWN\",\"down\":[\"opshub:state-store\"]}", ready.body());
            assertEquals(503, broken.postAlerts(sample("firing-real-0.25.json")).statusCode());
            assertEquals(200, broken.get("/observe/health/live").statusCode());
        }
    }

    // ---------------------------------------------------------------------------------------

    private HttpResponse<String> post(byte[] body) throws IOException, InterruptedException {
        return hub.postAlerts(body, "Authorization", "Bearer " + BEARER);
    }

    private List<String> alerts(long chat) {
        return telegram.texts(chat).stream()
                .filter(t -> t.contains("FIRING") || t.contains("RESOLVED"))
                .toList();
    }

    private void subscribe(long chat, String pattern) throws Exception {
        int before = telegram.texts(chat).size();
        telegram.userSays(chat, "/subscribe " + pattern);
        String expected = "ubscribed to <code>" + pattern.replace("<", "&lt;") + "</code>";
        assertTrue(
                HubRunner.await(
                        Duration.ofSeconds(10),
                        () -> telegram.texts(chat).stream().skip(before).anyMatch(t -> t.contains(expected))),
                "no reply to /subscribe in chat " + chat + ": " + telegram.texts(chat));
    }

    private boolean awaitReply(long chat, String part) throws InterruptedException {
        return HubRunner.await(
                Duration.ofSeconds(10), () -> telegram.texts(chat).stream().anyMatch(t -> t.contains(part)));
    }

    static byte[] sample(String name) throws IOException {
        try (InputStream in = AlertDeliveryTest.class.getResourceAsStream("/alertmanager/" + name)) {
            return in.readAllBytes();
        }
    }

    static byte[] payload(String alertname, String status, String severity, String startsAt, String endsAt)
            throws IOException {
        return JSON.writeValueAsBytes(payloadNode(alertname, status, severity, startsAt, endsAt));
    }

    static ObjectNode payloadNode(String alertname, String status, String severity, String startsAt, String endsAt) {
        ObjectNode p = JSON.createObjectNode();
        p.put("receiver", "telegram-hub")
                .put("status", status)
                .put("version", "4")
                .put("groupKey", "{}:{alertname=\"" + alertname + "\"}")
                .put("externalURL", "http://am:9093");
        ArrayNode alerts = p.putArray("alerts");
        ObjectNode a = alerts.addObject();
        a.put("status", status);
        a.putObject("labels")
                .put("alertname", alertname)
                .put("severity", severity)
                .put("instance", "hub:9000");
        a.putObject("annotations").put("summary", alertname + " summary");
        a.put("startsAt", startsAt).put("endsAt", endsAt == null ? "0001-01-01T00:00:00Z" : endsAt);
        a.put("generatorURL", "http://prometheus/graph?g0.expr=up&x=1");
        a.put("fingerprint", Integer.toHexString(alertname.hashCode()) + SEQ.get());
        return p;
    }
}
