package org.opshub.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.Exchange;
import org.apache.camel.spi.Registry;
import org.junit.jupiter.api.Test;
import org.opshub.routes.FakeHttp.Reply;
import org.opshub.telegram.ProxyPool;
import org.opshub.telegram.SendAnswers;
import org.opshub.telegram.outbox.BotCall;
import org.opshub.telegram.outbox.OutboxMessage;

/**
 * The {@code bot-api-call}, {@code bot-api} and {@code bot-api-via} routes of {@code routes/alert-delivery.yaml} on
 * their own, with Camel's test kit: the request they make (URL with the token, method, content type) and, for each
 * Bot API answer class, which outbox action the route takes with which arguments; and the
 * pool of ways ({@code telegram.proxies}): a transport failure moves the call to the next way.
 */
class BotApiRouteTest extends RouteFileTestSupport {
    private static final String TOKEN = "123456:TEST-token";
    private final Recorder delivery = new Recorder();

    /** Stands in for {@code telegramDelivery} and {@code sendAnswers}: the request is built for real, the actions are recorded. */
    public static final class Recorder {
        final List<String> actions = new CopyOnWriteArrayList<>();

        public boolean awaitSendSlot(OutboxMessage m) {
            return true; // the rates and claims are the state bean's; this route test is about the call and its answer
        }

        public BotCall.Request call(OutboxMessage message, byte[] png) throws JsonProcessingException {
            return BotCall.of(message, png);
        }

        public SendAnswers.Answer answer(String body) {
            return SendAnswers.answer(body);
        }

        public void delivered(OutboxMessage m) {
            actions.add("delivered " + m.id());
        }

        public void throttled(OutboxMessage m, Long retryAfterSeconds, String description) {
            actions.add("throttled " + m.id() + " after " + retryAfterSeconds + " s: " + description);
        }

        public void migrated(OutboxMessage m, long toChatId, String description) {
            actions.add("migrated " + m.id() + " to " + toChatId);
        }

        public void threadGone(OutboxMessage m, String description) {
            actions.add("thread gone " + m.id() + " topic " + m.threadId() + ": " + description);
        }

        public void resendAsPlainText(OutboxMessage m, String description) {
            actions.add("plain text " + m.id() + ": " + description);
        }

        public void blocked(OutboxMessage m, String description) {
            actions.add("blocked " + m.id() + ": " + description);
        }

        public void rejected(OutboxMessage m, int status, String description) {
            actions.add("rejected " + m.id() + " " + status + ": " + description);
        }

        public void retryLater(OutboxMessage m, int status, String description) {
            actions.add("retry later " + m.id() + " " + status + ": " + description);
        }

        public OutboxMessage pictureFailed(OutboxMessage m, Object error) {
            actions.add("picture failed " + m.id() + ": " + error);
            return new OutboxMessage(m.id(), m.chatId(), m.kind(), m.ref(), m.text(), "HTML", 0, 0, null);
        }

        public void pictureLater(OutboxMessage m, Object error) {
            actions.add("picture later " + m.id() + ": " + error);
        }

        /** {@code checkChats.sent}: the message id of a check notification. */
        public void sent(OutboxMessage m, Long messageId) {
            actions.add("check message " + m.id() + " is " + messageId);
        }
    }

    @Override
    String routeFile() {
        return "alert-delivery.yaml";
    }

    @Override
    String routeIds() {
        return "bot-api-call,bot-api,bot-api-via";
    }

    /** Two ways to the Bot API: a proxy first, then direct. */
    private final ProxyPool proxies = new ProxyPool(
            java.util.Arrays.asList(URI.create("socks5://127.0.0.1:1080"), null),
            Duration.ofMinutes(1),
            new SimpleMeterRegistry(),
            Clock.systemUTC());

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("telegramDelivery", delivery);
        registry.bind("sendAnswers", delivery);
        registry.bind("checkChats", delivery);
        registry.bind("telegramProxies", proxies);
    }

    private String send(OutboxMessage m, Reply reply) throws Exception {
        if (!context.isStarted()) {
            start(Map.of("telegram.api-url", "fake://telegram", "telegram.token", TOKEN));
        }
        http.reply = r -> reply;
        delivery.actions.clear();
        send("direct:bot-api-call", null, Map.of(OutboxMessage.PROPERTY, m));
        assertEquals(1, delivery.actions.size(), delivery.actions.toString());
        return delivery.actions.get(0);
    }

    private static OutboxMessage message(String parseMode) {
        return new OutboxMessage(7, -1001, "alert", "a:1", "<b>PacsDown</b>", parseMode, 0, 0, null);
    }

    private static Reply json(int status, String body) {
        return Reply.of(status, "application/json", body);
    }

    @Test
    void aTransportFailureMovesTheSameCallAtOnceToTheNextWayWhichStaysInUse() throws Exception {
        start(Map.of("telegram.api-url", "fake://telegram", "telegram.token", TOKEN));
        http.reply = r -> r.options().contains("httpClientConfigurer=#telegramHttpClient-0")
                ? Reply.failing(new ConnectException("Connect to 127.0.0.1:1080 failed: Connection refused"))
                : json(200, "{\"ok\":true,\"result\":{}}");
        delivery.actions.clear();
        send("direct:bot-api-call", null, Map.of(OutboxMessage.PROPERTY, message("HTML")));
        assertEquals(List.of("delivered 7"), delivery.actions);
        assertEquals(
                List.of("httpClientConfigurer=#telegramHttpClient-0", "httpClientConfigurer=#telegramHttpClient-1"),
                http.requests.stream()
                        .map(r -> r.options().replaceAll(".*(httpClientConfigurer=[^&]*).*", "$1"))
                        .toList(),
                "the same call through the proxy, then directly");
        assertEquals(http.requests.get(0).body(), http.requests.get(1).body());
        assertEquals("direct", proxies.inUse().name());

        http.requests.clear();
        send("direct:bot-api-call", null, Map.of(OutboxMessage.PROPERTY, message("HTML")));
        assertEquals(1, http.requests.size(), "the proxy is down for telegram.proxy-backoff: not tried");
        assertTrue(
                proxies.describe().get(0).startsWith("socks5://127.0.0.1:1080: down since "),
                proxies.describe().toString());
    }

    @Test
    void whenEveryWayFailsTheLastFailureReachesTheCaller() throws Exception {
        start(Map.of("telegram.api-url", "fake://telegram", "telegram.token", TOKEN));
        http.reply = r -> Reply.failing(new SocketTimeoutException("Connect timed out"));
        delivery.actions.clear();
        Exchange e = send("direct:bot-api-call", null, Map.of(OutboxMessage.PROPERTY, message("HTML")));
        assertTrue(e.getException() instanceof SocketTimeoutException, String.valueOf(e.getException()));
        assertEquals(2, http.requests.size(), "each way once");
        assertEquals(List.of(), delivery.actions);
    }

    private static OutboxMessage photo(boolean alert) {
        return new OutboxMessage(
                8,
                -1001,
                "alert",
                "a:2",
                "<b>PacsDown</b>",
                "HTML",
                0,
                0,
                "{\"method\":\"sendPhoto\",\"panel\":{\"uid\":\"u\",\"id\":3}" + (alert ? ",\"fallback\":\"text\"" : "")
                        + "}");
    }

    @Test
    void aPictureAnswered5xxSendsTheAlertAsTextAtOnceOrTriesAPictureOfItsOwnLater() throws Exception {
        start(Map.of("telegram.api-url", "fake://telegram", "telegram.token", TOKEN));
        byte[] png = {(byte) 0x89, 'P', 'N', 'G'};
        http.reply = r -> "/bot123456:TEST-token/sendPhoto".equals(r.header("CamelHttpPath"))
                ? json(502, "{\"ok\":false,\"error_code\":502,\"description\":\"Bad Gateway\"}")
                : json(200, "{\"ok\":true,\"result\":{}}");
        delivery.actions.clear();
        send("direct:bot-api-call", null, Map.of(OutboxMessage.PROPERTY, photo(true), OutboxMessage.PANEL_PNG, png));
        assertEquals(List.of("picture failed 8: Bad Gateway", "delivered 8"), delivery.actions);
        assertEquals("/bot" + TOKEN + "/sendMessage", http.requests.get(1).header("CamelHttpPath"), "the text at once");

        delivery.actions.clear();
        send("direct:bot-api-call", null, Map.of(OutboxMessage.PROPERTY, photo(false), OutboxMessage.PANEL_PNG, png));
        assertEquals(List.of("picture later 8: Bad Gateway"), delivery.actions);
    }

    @Test
    void theCallIsAPostToTheMethodUrlWithTheTokenInThePathOnly() throws Exception {
        assertEquals("delivered 7", send(message("HTML"), json(200, "{\"ok\":true,\"result\":{}}")));
        FakeHttp.Request r = http.requests.get(0);
        assertEquals("POST", r.header("CamelHttpMethod"));
        assertEquals("/bot" + TOKEN + "/sendMessage", r.header("CamelHttpPath"));
        assertTrue(r.header("Content-Type").startsWith("application/json"), r.header("Content-Type"));
        assertTrue(r.body().toString().contains("\"chat_id\":-1001"), r.body().toString());
        assertTrue(r.uri().startsWith("fake://telegram"), r.uri());
        assertTrue(!r.uri().contains(TOKEN), "the token is never part of an endpoint URI: " + r.uri());
    }

    @Test
    void aCheckNotificationKeepsItsMessageIdAndAnEditThatChangesNothingIsDone() throws Exception {
        start(Map.of("telegram.api-url", "fake://telegram", "telegram.token", TOKEN));
        OutboxMessage check = new OutboxMessage(9, -1001, "check", "check:gw:DOWN:1", "DOWN gw", "HTML", 0, 0, null);
        http.reply = r -> json(200, "{\"ok\":true,\"result\":{\"message_id\":4711,\"chat\":{\"id\":-1001}}}");
        delivery.actions.clear();
        send("direct:bot-api-call", null, Map.of(OutboxMessage.PROPERTY, check));
        assertEquals(List.of("delivered 9", "check message 9 is 4711"), delivery.actions);
        assertEquals(
                "delivered 7",
                send(message("HTML"), json(200, "{\"ok\":true,\"result\":{\"message_id\":12}}")),
                "an alert's message id is not kept");
        OutboxMessage edit = new OutboxMessage(
                10,
                -1001,
                "check",
                "check:gw:DOWN:1:edit",
                "DOWN gw",
                "HTML",
                0,
                0,
                "{\"method\":\"editMessageText\",\"message_id\":4711}");
        assertEquals(
                "delivered 10",
                send(
                        edit,
                        json(
                                400,
                                "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: message is not"
                                        + " modified: specified new message content and reply markup are exactly the same\"}")));
        assertEquals(
                "/bot" + TOKEN + "/editMessageText",
                http.requests.get(http.requests.size() - 1).header("CamelHttpPath"));
        assertEquals(
                "rejected 7 400: Bad Request: message is not modified",
                send(
                        message("HTML"),
                        json(400, "{\"ok\":false,\"description\":\"Bad Request: message is not modified\"}")),
                "only an edit is done by that answer");
    }

    @Test
    void tooManyRequestsWaitsForRetryAfter() throws Exception {
        assertEquals(
                "throttled 7 after 17 s: Too Many Requests: retry after 17",
                send(
                        message("HTML"),
                        json(
                                429,
                                "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: retry after 17\","
                                        + "\"parameters\":{\"retry_after\":17}}")));
    }

    @Test
    void aMigratedGroupMovesToItsSupergroup() throws Exception {
        assertEquals(
                "migrated 7 to -1009876",
                send(
                        message("HTML"),
                        json(
                                400,
                                "{\"ok\":false,\"description\":\"Bad Request: group chat was upgraded to a supergroup chat\","
                                        + "\"parameters\":{\"migrate_to_chat_id\":-1009876}}")));
    }

    @Test
    void htmlThatDoesNotParseIsSentAgainAsPlainTextAndOtherBadRequestsAreDropped() throws Exception {
        String parse = "{\"ok\":false,\"description\":\"Bad Request: can't parse entities: unexpected end tag\"}";
        assertEquals(
                "plain text 7: Bad Request: can't parse entities: unexpected end tag",
                send(message("HTML"), json(400, parse)));
        assertEquals(
                "rejected 7 400: Bad Request: can't parse entities: unexpected end tag",
                send(message(null), json(400, parse)),
                "already plain text: nothing left to try");
        assertEquals(
                "rejected 7 400: Bad Request: message is too long",
                send(
                        message("HTML"),
                        json(400, "{\"ok\":false,\"description\":\"Bad Request: message is too long\"}")));
    }

    @Test
    void aDeletedOrClosedTopicGoesToGeneralButOnlyForAMessageToATopic() throws Exception {
        OutboxMessage toTopic = new OutboxMessage(
                7, -1001, "alert", "a:1", "<b>PacsDown</b>", "HTML", 0, 0, "{\"message_thread_id\":11}");
        assertEquals(
                "thread gone 7 topic 11: Bad Request: message thread not found",
                send(
                        toTopic,
                        json(
                                400,
                                "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: message thread not found\"}")));
        assertTrue(http.requests.get(0).body().toString().contains("\"message_thread_id\":11"));
        assertEquals(
                "thread gone 7 topic 11: Bad Request: TOPIC_CLOSED",
                send(
                        toTopic,
                        json(400, "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: TOPIC_CLOSED\"}")));
        assertEquals(
                "rejected 7 400: Bad Request: message thread not found",
                send(
                        message("HTML"),
                        json(
                                400,
                                "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: message thread not found\"}")),
                "a message to no topic has no General to fall back to");
    }

    @Test
    void forbiddenDisablesTheChat() throws Exception {
        assertEquals(
                "blocked 7: Forbidden: bot was blocked by the user",
                send(
                        message("HTML"),
                        json(403, "{\"ok\":false,\"description\":\"Forbidden: bot was blocked by the user\"}")));
    }

    @Test
    void serverErrorsUnauthorizedNotFoundAndBadAnswersAreRetriedLater() throws Exception {
        assertEquals(
                "retry later 7 502: Bad Gateway",
                send(message("HTML"), json(502, "{\"ok\":false,\"description\":\"Bad Gateway\"}")));
        assertEquals(
                "retry later 7 401: Unauthorized",
                send(message("HTML"), json(401, "{\"ok\":false,\"description\":\"Unauthorized\"}")));
        assertEquals(
                "retry later 7 404: Not Found",
                send(message("HTML"), json(404, "{\"ok\":false,\"description\":\"Not Found\"}")));
        assertEquals(
                "retry later 7 200: {\"ok\":false}",
                send(message("HTML"), json(200, "{\"ok\":false}")),
                "a 200 that is not ok: the answer itself is the description");
        assertTrue(
                send(message("HTML"), Reply.of(502, "text/html", "<html>proxy error</html>"))
                        .startsWith("retry later 7 502: <html>proxy error"),
                "an HTML page from a proxy");
    }
}
