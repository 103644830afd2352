package org.opshub.telegram.outbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hc.client5.http.entity.mime.HttpMultipartMode;
import org.apache.hc.client5.http.entity.mime.MultipartEntityBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;

/**
 * The Bot API call of one outbox message (core.telegram.org/bots/api): {@code sendMessage} by
 * default; with the message's {@code extra} JSON also {@code sendPhoto} (multipart/form-data, the
 * PNG as {@code photo}, the text as caption), {@code editMessageText} ({@code message_id}) and
 * {@code answerCallbackQuery} ({@code callback_query_id}, the text as the toast). {@code extra}
 * may carry {@code reply_markup} (an inline keyboard), {@code panel} (what to render for a
 * photo, see {@code GrafanaPanel}) and {@code message_thread_id} (the forum topic of a
 * sendMessage or sendPhoto).
 */
public final class BotCall {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Telegram's caption limit, counted on the visible text (after entity parsing). */
    public static final int CAPTION_LIMIT = 1024;

    private BotCall() {}

    /** The {@code extra} JSON of a message, or an empty object. */
    public static ObjectNode extra(OutboxMessage m) {
        if (m.extra() == null || m.extra().isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode n = JSON.readTree(m.extra());
            return n instanceof ObjectNode o ? o : JSON.createObjectNode();
        } catch (JsonProcessingException e) {
            return JSON.createObjectNode();
        }
    }

    /** The Bot API method of a message. */
    public static String method(OutboxMessage m) {
        return extra(m).path("method").asText("sendMessage");
    }

    /** The Content-Type of a JSON call. */
    public static final String JSON_TYPE = "application/json; charset=utf-8";

    /**
     * One Bot API call, as the {@code bot-api} route sends it: {@code POST <api-url>/bot<token>/<method>}.
     *
     * @param method      the Bot API method, {@code sendMessage}
     * @param body        a JSON String, or a multipart {@link HttpEntity} for {@code sendPhoto}
     * @param contentType the body's Content-Type
     */
    public record Request(String method, Object body, String contentType) {
        /** A JSON call. */
        public static Request json(String method, Map<String, Object> fields) throws JsonProcessingException {
            return new Request(method, JSON.writeValueAsString(fields), JSON_TYPE);
        }
    }

    /**
     * The call of an outbox message: JSON, or multipart/form-data for a photo with {@code png}
     * (a photo whose panel could not be rendered goes as {@code sendMessage}).
     */
    public static Request of(OutboxMessage m, byte[] png) throws JsonProcessingException {
        ObjectNode extra = extra(m);
        String method = png != null ? "sendPhoto" : extra.path("method").asText("sendMessage");
        if ("sendPhoto".equals(method) && png == null) {
            method = "sendMessage";
        }
        if (png != null) {
            MultipartEntityBuilder b = MultipartEntityBuilder.create()
                    .setMode(HttpMultipartMode.EXTENDED)
                    .setCharset(StandardCharsets.UTF_8)
                    .addTextBody("chat_id", Long.toString(m.chatId()), ContentType.TEXT_PLAIN)
                    .addBinaryBody("photo", png, ContentType.IMAGE_PNG, "panel.png");
            if (extra.has("message_thread_id")) {
                b.addTextBody(
                        "message_thread_id", extra.path("message_thread_id").asText(), ContentType.TEXT_PLAIN);
            }
            if (!m.text().isEmpty()) {
                b.addTextBody("caption", m.text(), ContentType.TEXT_PLAIN.withCharset("UTF-8"));
                if (m.parseMode() != null) {
                    b.addTextBody("parse_mode", m.parseMode(), ContentType.TEXT_PLAIN);
                }
            }
            if (extra.has("reply_markup")) {
                b.addTextBody(
                        "reply_markup",
                        JSON.writeValueAsString(extra.get("reply_markup")),
                        ContentType.APPLICATION_JSON);
            }
            HttpEntity entity = b.build();
            return new Request(method, entity, entity.getContentType());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        switch (method) {
            case "answerCallbackQuery" -> {
                body.put("callback_query_id", extra.path("callback_query_id").asText());
                if (!m.text().isEmpty()) {
                    body.put("text", m.text());
                }
            }
            case "editMessageText" -> {
                body.put("chat_id", m.chatId());
                body.put("message_id", extra.path("message_id").asLong());
                body.put("text", m.text());
            }
            default -> {
                body.put("chat_id", m.chatId());
                if (extra.has("message_thread_id")) {
                    body.put(
                            "message_thread_id", extra.path("message_thread_id").asLong());
                }
                body.put("text", m.text());
            }
        }
        if (!"answerCallbackQuery".equals(method)) {
            if (m.parseMode() != null) {
                body.put("parse_mode", m.parseMode());
            }
            body.put("link_preview_options", Map.of("is_disabled", true));
            if (extra.has("reply_markup")) {
                body.put("reply_markup", extra.get("reply_markup"));
            }
        }
        return Request.json(method, body);
    }

    /** Whether the visible text (HTML removed) fits a photo caption. */
    public static boolean fitsCaption(String html) {
        String plain = Html.toPlain(html);
        return plain.codePointCount(0, plain.length()) <= CAPTION_LIMIT;
    }
}
