package org.opshub.telegram;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * A Bot API for the tests, on loopback: {@code sendMessage} and {@code getUpdates} as Telegram
 * documents them, every request recorded, and scripted failures per chat: 429 with retry_after,
 * 5xx, 400 with migrate_to_chat_id, 400 "can't parse entities", 403, slow answers; setWebhook and
 * deleteWebhook, with getUpdates answering 409 while a webhook is set, as Telegram does.
 */
public final class FakeBotApi implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String TOKEN = "123456:TEST-TOKEN";

    /** One recorded sendMessage call; {@code threadId}: its message_thread_id, 0 when it had none. */
    public record Sent(long chatId, String text, String parseMode, long atMillis, int status, long threadId) {
        public Sent(long chatId, String text, String parseMode, long atMillis, int status) {
            this(chatId, text, parseMode, atMillis, status, 0);
        }
    }

    /** A scripted answer: HTTP status and body; delayMs before answering. */
    public record Answer(int status, String body, long delayMs) {
        public static Answer tooManyRequests(int retryAfter) {
            return new Answer(
                    429,
                    "{\"ok\":false,\"error_code\":429,\"description\":\"Too Many Requests: retry after " + retryAfter
                            + "\",\"parameters\":{\"retry_after\":" + retryAfter + "}}",
                    0);
        }

        public static Answer serverError() {
            return new Answer(502, "<html><body>Bad Gateway</body></html>", 0);
        }

        public static Answer migrate(long to) {
            return new Answer(
                    400,
                    "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: group chat was upgraded"
                            + " to a supergroup chat\",\"parameters\":{\"migrate_to_chat_id\":" + to + "}}",
                    0);
        }

        public static Answer cantParse() {
            return new Answer(
                    400,
                    "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: can't parse entities:"
                            + " Unsupported start tag \\\"foo\\\" at byte offset 3\"}",
                    0);
        }

        public static Answer blocked() {
            return new Answer(
                    403,
                    "{\"ok\":false,\"error_code\":403,\"description\":\"Forbidden: bot was blocked by the user\"}",
                    0);
        }

        /** The same answer {@code n} times, for {@link FakeBotApi#script}. */
        public static Answer[] times(int n, Answer a) {
            Answer[] out = new Answer[n];
            Arrays.fill(out, a);
            return out;
        }

        public static Answer slow(long delayMs) {
            return new Answer(200, null, delayMs);
        }
    }

    private volatile long photoStallMillis;
    private final AtomicLong stalledPhotos = new AtomicLong();

    /** Makes every sendPhoto hang this long (0: answer at once), as a throttled network does to pictures only. */
    public void stallPhotos(long millis) {
        photoStallMillis = millis;
    }

    /** How many sendPhoto calls were stalled. */
    public long stalledPhotos() {
        return stalledPhotos.get();
    }

    private final HttpServer server;
    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final Map<Long, Deque<Answer>> script = new ConcurrentHashMap<>();
    private final Deque<ObjectNode> updates = new ConcurrentLinkedDeque<>();
    private final AtomicLong updateIds = new AtomicLong(1000);
    private final AtomicLong messageIds = new AtomicLong(1);
    private final AtomicLong foreignTokenCalls = new AtomicLong();

    public FakeBotApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(16));
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * The hub properties that point the bot at this fake: {@code telegram.token},
     * {@code telegram.api-url} and {@code telegram.allowed-chats}; a mutable map for more.
     */
    public Map<String, String> hubProperties(long... allowedChats) {
        Map<String, String> p = new HashMap<>();
        p.put("telegram.token", TOKEN);
        p.put("telegram.api-url", url());
        p.put(
                "telegram.allowed-chats",
                Arrays.stream(allowedChats).mapToObj(Long::toString).collect(Collectors.joining(",")));
        return p;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Scripts the next answers to sendMessage for a chat (then normal success again). */
    public void script(long chatId, Answer... answers) {
        Deque<Answer> q = script.computeIfAbsent(chatId, k -> new ConcurrentLinkedDeque<>());
        for (Answer a : answers) {
            q.addLast(a);
        }
    }

    /** Forgets the scripted answers not yet used for a chat. */
    public void clearScript(long chatId) {
        script.remove(chatId);
    }

    /** Queues a text message from a user in a chat, as getUpdates will return it. */
    public long userSays(long chatId, String text) {
        long id = updateIds.incrementAndGet();
        ObjectNode u = JSON.createObjectNode();
        u.put("update_id", id);
        ObjectNode m = u.putObject("message");
        m.put("message_id", id);
        m.put("date", System.currentTimeMillis() / 1000);
        m.putObject("from").put("id", Math.abs(chatId)).put("is_bot", false).put("first_name", "Test");
        m.putObject("chat").put("id", chatId).put("type", chatId < 0 ? "group" : "private");
        m.put("text", text);
        updates.addLast(u);
        return id;
    }

    /**
     * Queues a text message from a user in a topic of a forum supergroup ({@code is_topic_message},
     * {@code message_thread_id}), as getUpdates will return it.
     */
    public long userSaysInTopic(long chatId, long threadId, String text) {
        long id = userSays(chatId, text);
        ObjectNode m = (ObjectNode) updates.peekLast().path("message");
        ((ObjectNode) m.path("chat")).put("type", "supergroup").put("is_forum", true);
        m.put("message_thread_id", threadId).put("is_topic_message", true);
        return id;
    }

    private final Map<Long, Set<Long>> deletedTopics = new ConcurrentHashMap<>();

    /** Deletes a forum topic: sendMessage to it answers 400 "message thread not found", as Telegram does. */
    public void deleteTopic(long chatId, long threadId) {
        deletedTopics
                .computeIfAbsent(chatId, k -> ConcurrentHashMap.newKeySet())
                .add(threadId);
    }

    /** Every sendMessage answered 200, in order. */
    public List<Sent> delivered() {
        return sent.stream().filter(s -> s.status() == 200).toList();
    }

    /** Every sendMessage to a chat answered 200, in order. */
    public List<Sent> delivered(long chatId) {
        return sent.stream()
                .filter(s -> s.status() == 200 && s.chatId() == chatId)
                .toList();
    }

    /** Every sendMessage attempt to a chat, whatever the answer. */
    public List<Sent> attempts(long chatId) {
        return sent.stream().filter(s -> s.chatId() == chatId).toList();
    }

    /** Calls with a token other than {@link #TOKEN}. */
    public long foreignTokenCalls() {
        return foreignTokenCalls.get();
    }

    private volatile boolean unavailable;

    /** While true, every call is answered 502 by a proxy in front (Telegram unreachable from here). */
    public void unavailable(boolean down) {
        unavailable = down;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            if (unavailable) {
                ex.getRequestBody().readAllBytes();
                reply(ex, 502, "<html><body>502 Bad Gateway</body></html>");
                return;
            }
            if (!path.startsWith("/bot" + TOKEN + "/")) {
                foreignTokenCalls.incrementAndGet();
                reply(ex, 401, "{\"ok\":false,\"error_code\":401,\"description\":\"Unauthorized\"}");
                return;
            }
            String method = path.substring(path.lastIndexOf('/') + 1);
            JsonNode body;
            byte[] raw;
            try (InputStream in = ex.getRequestBody()) {
                raw = in.readAllBytes();
            }
            String type = String.valueOf(ex.getRequestHeaders().getFirst("Content-Type"));
            Map<String, byte[]> parts = Map.of();
            if (type.startsWith("multipart/form-data")) {
                parts = multipart(raw, type.replaceFirst(".*boundary=\"?([^\";]+)\"?.*", "$1"));
                ObjectNode o = JSON.createObjectNode();
                parts.forEach((k, v) -> {
                    if (!k.equals("photo")) {
                        o.put(k, new String(v, StandardCharsets.UTF_8));
                    }
                });
                body = o;
            } else {
                body = raw.length == 0 ? JSON.createObjectNode() : JSON.readTree(raw);
            }
            calls.add(new Call(method, body));
            switch (method) {
                case "getUpdates" -> getUpdates(ex, body);
                case "sendMessage" -> sendMessage(ex, body);
                case "sendPhoto" -> {
                    if (photoStallMillis > 0) {
                        // pictures throttled: the call hangs past the client's timeout, nothing is recorded
                        stalledPhotos.incrementAndGet();
                        Thread.sleep(photoStallMillis);
                        reply(ex, 504, "<html><body>Gateway Time-out</body></html>");
                        return;
                    }
                    photos.add(new Photo(
                            body.path("chat_id").asLong(),
                            body.path("caption").asText(null),
                            body.path("parse_mode").asText(null),
                            parts.getOrDefault("photo", new byte[0]),
                            body.path("reply_markup").asText(null),
                            type));
                    ObjectNode r = JSON.createObjectNode().put("ok", true);
                    r.putObject("result").put("message_id", messageIds.incrementAndGet());
                    reply(ex, 200, r.toString());
                }
                case "editMessageText", "answerCallbackQuery" -> reply(ex, 200, "{\"ok\":true,\"result\":true}");
                case "setWebhook" -> {
                    webhook = !body.path("url").asText("").isEmpty();
                    reply(ex, 200, "{\"ok\":true,\"result\":true,\"description\":\"Webhook was set\"}");
                }
                case "deleteWebhook" -> {
                    webhook = false;
                    reply(ex, 200, "{\"ok\":true,\"result\":true,\"description\":\"Webhook was deleted\"}");
                }
                default -> reply(ex, 404, "{\"ok\":false,\"error_code\":404,\"description\":\"Not Found\"}");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private volatile boolean webhook;

    /** As if a webhook were set (by an earlier run): getUpdates answers 409 until deleteWebhook. */
    public void webhookLeftOver() {
        webhook = true;
    }

    /** Takes the queued updates (what Telegram would push to a webhook), oldest first. */
    public List<JsonNode> takeUpdates() {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode u; (u = updates.pollFirst()) != null; ) {
            out.add(u);
        }
        return out;
    }

    /**
     * Long polling as Telegram does it: a getUpdates without updates waits up to {@code ms} for one.
     * A getUpdates that arrives while another is waiting is answered 409 ("terminated by other
     * getUpdates request") and counted in {@link #pollOverlaps()}.
     */
    public void holdPolls(long ms) {
        holdPollsMs = ms;
    }

    /** getUpdates calls that overlapped another one (two hubs polling at once). */
    public long pollOverlaps() {
        return pollOverlaps.get();
    }

    private volatile long holdPollsMs;
    private final AtomicInteger polling = new AtomicInteger();
    private final AtomicLong pollOverlaps = new AtomicLong();

    private final Deque<Answer> getUpdatesScript = new ConcurrentLinkedDeque<>();
    private final List<Long> getUpdatesAt = new CopyOnWriteArrayList<>();
    private final List<Long> getUpdatesScriptedAt = new CopyOnWriteArrayList<>();

    /** When each scripted getUpdates answer was given (epoch ms), in order. */
    public List<Long> getUpdatesScriptedTimes() {
        return List.copyOf(getUpdatesScriptedAt);
    }

    /** Scripts the next answers to getUpdates (then the usual long poll again). */
    public void scriptGetUpdates(Answer... answers) {
        getUpdatesScript.addAll(Arrays.asList(answers));
    }

    /** When each getUpdates call arrived (epoch ms), in order. */
    public List<Long> getUpdatesTimes() {
        return List.copyOf(getUpdatesAt);
    }

    private void getUpdates(HttpExchange ex, JsonNode body) throws IOException {
        getUpdatesAt.add(System.currentTimeMillis());
        Answer scripted = getUpdatesScript.poll();
        if (scripted != null) {
            getUpdatesScriptedAt.add(System.currentTimeMillis());
            reply(ex, scripted.status(), scripted.body());
            return;
        }
        if (polling.incrementAndGet() > 1) {
            polling.decrementAndGet();
            pollOverlaps.incrementAndGet();
            reply(
                    ex,
                    409,
                    "{\"ok\":false,\"error_code\":409,\"description\":\"Conflict: terminated by other getUpdates"
                            + " request; make sure that only one bot instance is running\"}");
            return;
        }
        try {
            long offset = body.path("offset").asLong(0);
            long until = System.currentTimeMillis() + holdPollsMs;
            while (!webhook
                    && System.currentTimeMillis() < until
                    && updates.stream().noneMatch(u -> u.path("update_id").asLong() >= offset)) {
                Thread.sleep(20);
            }
            answerUpdates(ex, body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            polling.decrementAndGet();
        }
    }

    private void answerUpdates(HttpExchange ex, JsonNode body) throws IOException {
        if (webhook) {
            reply(
                    ex,
                    409,
                    "{\"ok\":false,\"error_code\":409,\"description\":\"Conflict: can't use getUpdates method "
                            + "while webhook is active; use deleteWebhook to delete the webhook first\"}");
            return;
        }
        long offset = body.path("offset").asLong(0);
        updates.removeIf(u -> u.path("update_id").asLong() < offset);
        ObjectNode r = JSON.createObjectNode().put("ok", true);
        updates.forEach(r.putArray("result")::add);
        reply(ex, 200, r.toString());
    }

    private void sendMessage(HttpExchange ex, JsonNode body) throws IOException, InterruptedException {
        long chat = body.path("chat_id").asLong();
        String text = body.path("text").asText();
        String mode = body.hasNonNull("parse_mode") ? body.get("parse_mode").asText() : null;
        long thread = body.path("message_thread_id").asLong(0);
        Deque<Answer> q = script.get(chat);
        Answer a = q == null ? null : q.pollFirst();
        if (thread != 0 && deletedTopics.getOrDefault(chat, Set.of()).contains(thread)) {
            a = new Answer(
                    400,
                    "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: message thread not found\"}",
                    0);
        }
        if (a != null && a.delayMs() > 0) {
            Thread.sleep(a.delayMs());
        }
        int status = a == null ? 200 : a.status();
        sent.add(new Sent(chat, text, mode, System.currentTimeMillis(), status, thread));
        if (status == 200) {
            ObjectNode r = JSON.createObjectNode().put("ok", true);
            ObjectNode m = r.putObject("result");
            m.put("message_id", messageIds.incrementAndGet());
            m.putObject("chat").put("id", chat);
            m.put("text", text);
            reply(ex, 200, r.toString());
        } else {
            reply(ex, status, a.body());
        }
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", body.startsWith("<") ? "text/html" : "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    /** A sendPhoto call: the multipart fields and the photo's bytes as received. */
    public record Photo(
            long chatId, String caption, String parseMode, byte[] png, String replyMarkup, String contentType) {}

    /** Any Bot API call: method and fields (JSON, or the text fields of a multipart body). */
    public record Call(String method, JsonNode body) {}

    private final List<Photo> photos = new CopyOnWriteArrayList<>();
    private final List<Call> calls = new CopyOnWriteArrayList<>();

    /** Every sendPhoto to a chat, in order. */
    public List<Photo> photos(long chatId) {
        return photos.stream().filter(p -> p.chatId() == chatId).toList();
    }

    /** Every call of a Bot API method, in order. */
    public List<Call> calls(String method) {
        return calls.stream().filter(c -> c.method().equals(method)).toList();
    }

    /** The sendMessage calls to a chat that carried an inline keyboard, as their JSON bodies. */
    public List<JsonNode> keyboards(long chatId) {
        return calls("sendMessage").stream()
                .map(Call::body)
                .filter(b -> b.path("chat_id").asLong() == chatId && b.has("reply_markup"))
                .toList();
    }

    /** Queues a press of an inline-keyboard button in a chat, as getUpdates will return it. */
    public long userPresses(long chatId, long messageId, String callbackData) {
        return userPresses(chatId, messageId, callbackData, 777, "Anna");
    }

    /** As {@link #userPresses(long, long, String)}, pressed by another user (last name Petrova, username {@code <first>_oncall}). */
    public long userPresses(long chatId, long messageId, String callbackData, long userId, String firstName) {
        long id = updateIds.incrementAndGet();
        ObjectNode u = JSON.createObjectNode();
        u.put("update_id", id);
        ObjectNode q = u.putObject("callback_query");
        q.put("id", "cq" + id);
        q.putObject("from")
                .put("id", userId)
                .put("is_bot", false)
                .put("first_name", firstName)
                .put("last_name", "Petrova")
                .put("username", firstName.toLowerCase(Locale.ROOT) + "_oncall");
        ObjectNode m = q.putObject("message");
        m.put("message_id", messageId);
        m.putObject("chat").put("id", chatId).put("type", chatId < 0 ? "group" : "private");
        q.put("chat_instance", "ci" + chatId);
        q.put("data", callbackData);
        updates.addLast(u);
        return id;
    }

    /** The parts of a multipart/form-data body by name (RFC 7578). */
    static Map<String, byte[]> multipart(byte[] body, String boundary) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int pos = indexOf(body, delimiter, 0);
        while (pos >= 0) {
            int start = pos + delimiter.length;
            if (start + 1 < body.length && body[start] == '-' && body[start + 1] == '-') {
                break;
            }
            start += 2; // CRLF
            int next = indexOf(body, delimiter, start);
            if (next < 0) {
                break;
            }
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), start);
            String headers = new String(body, start, headersEnd - start, StandardCharsets.UTF_8);
            String name = headers.replaceFirst("(?s).*?[;\\s]name=\"([^\"]*)\".*", "$1");
            out.put(name, Arrays.copyOfRange(body, headersEnd + 4, next - 2));
            pos = next;
        }
        return out;
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = from; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Texts delivered to a chat, in order. */
    public List<String> texts(long chatId) {
        List<String> out = new ArrayList<>();
        delivered(chatId).forEach(s -> out.add(s.text()));
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
