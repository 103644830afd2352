package org.opshub.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Objects;
import org.opshub.config.Secrets;
import org.opshub.telegram.outbox.ChatTexts;
import org.opshub.telegram.outbox.Html;
import org.opshub.telegram.outbox.OutboxStore;
import org.opshub.telegram.outbox.Texts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Silences from the chat through Alertmanager's API v2 ({@code POST /api/v2/silences}, body
 * {@code postableSilence}: equality matchers on every label of the alert, startsAt now, endsAt
 * now + the button's hours, createdBy the Telegram user, a comment). On success the alert
 * message is edited to say who silenced it until when; an error is reported in the chat.
 */
public final class Silences {
    private static final Logger LOG = LoggerFactory.getLogger(Silences.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String apiUrl;
    private final OutboxStore outbox;
    private final ZoneId zone;
    private final Clock clock;
    private final Acks acks;
    private volatile ChatTexts chatTexts = ChatTexts.embedded();

    /**
     * @param apiUrl Alertmanager's base URL ({@code http://alertmanager:9093}); empty: no buttons
     * @param acks   the acknowledgements an Ack button opens
     */
    public Silences(String apiUrl, OutboxStore outbox, ZoneId zone, Clock clock, Acks acks) {
        this.apiUrl = Objects.requireNonNullElse(apiUrl, "").strip().replaceAll("/+$", "");
        this.outbox = outbox;
        this.zone = zone;
        this.clock = clock;
        this.acks = acks;
    }

    /** The bot's texts in each chat's language, for the edited messages and errors. */
    public void languages(ChatTexts chatTexts) {
        this.chatTexts = chatTexts;
    }

    private String t(long chatId, String key, Object... args) {
        return chatTexts.t(chatId, key, args);
    }

    private String time(long chatId, Instant t) {
        String lang = chatTexts.lang(chatId);
        return DateTimeFormatter.ofPattern(chatTexts.texts().t(lang, "format.time"), Texts.locale(lang))
                .format(t.atZone(zone));
    }

    public boolean enabled() {
        return !apiUrl.isEmpty();
    }

    /** {@code alertmanager.api-url} without a trailing slash (the value the routes see as {@code {{alertmanager.api-url}}}). */
    public String apiUrl() {
        return apiUrl;
    }

    /**
     * The {@code postableSilence} JSON of a pressed button (Alertmanager API v2,
     * {@code POST /api/v2/silences}): one equality matcher per alert label, now until now + the
     * button's hours, {@code createdBy} naming the Telegram user, a comment naming the chat.
     */
    public String postableSilence(SilenceStep step) throws IOException {
        Instant now = clock.instant();
        ObjectNode body = JSON.createObjectNode();
        ArrayNode matchers = body.putArray("matchers");
        for (Map.Entry<String, String> e : step.labels().entrySet()) {
            matchers.addObject()
                    .put("name", e.getKey())
                    .put("value", e.getValue())
                    .put("isRegex", false)
                    .put("isEqual", true);
        }
        body.put("startsAt", now.toString());
        body.put(
                "endsAt",
                now.plus(step.ack() ? acks.silence() : Duration.ofHours(step.hours()))
                        .toString());
        body.put("createdBy", "Telegram: " + step.user() + " [id " + step.userId() + "]");
        body.put(
                "comment",
                step.ack()
                        ? Acks.comment(step.chatId())
                        : "Silenced for " + step.hours() + "h from Telegram chat " + step.chatId() + " (opshub)");
        return JSON.writeValueAsString(body);
    }

    /** 200 with a {@code silenceID}: the alert message is edited to name the silence; anything else is {@link #refused}. */
    public void created(SilenceStep step, String answer) {
        String id = null;
        try {
            JsonNode n = JSON.readTree(answer == null ? "" : answer);
            id = n == null ? null : n.path("silenceID").asText(null);
        } catch (IOException e) {
            id = null;
        }
        if (id == null) {
            refused(step, 200, answer);
            return;
        }
        Instant now = clock.instant();
        String note;
        if (step.ack()) {
            acks.opened(step, id, now.plus(acks.silence()));
            note = "\n\n"
                    + t(step.chatId(), "ack.done", Html.escape(step.user()), time(step.chatId(), now), Html.escape(id));
        } else {
            Instant until = now.plus(Duration.ofHours(step.hours()));
            note = "\n\n"
                    + t(
                            step.chatId(),
                            "silence.done",
                            Html.escape(step.user()),
                            time(step.chatId(), until),
                            Html.escape(id));
        }
        String text = step.text().length() + note.length() <= 4096 ? step.text() + note : note.strip();
        LOG.info(
                "Silence {} created for {}h from chat {} ({} matchers)",
                id,
                step.hours(),
                step.chatId(),
                step.labels().size());
        outbox.enqueue(
                step.chatId(),
                "reply",
                step.ref(),
                text,
                "HTML",
                JSON.createObjectNode()
                        .put("method", "editMessageText")
                        .put("message_id", step.messageId())
                        .toString());
    }

    /** Alertmanager refused the silence: the status and the start of its answer are reported in the chat. */
    public void refused(SilenceStep step, int status, String answer) {
        String why = answer == null ? "" : answer.strip();
        why = Secrets.mask(why.length() > 200 ? why.substring(0, 200) + "…" : why);
        LOG.warn("Alertmanager refused a silence from chat {}: {} {}", step.chatId(), status, why);
        String detail = why.isEmpty() ? "" : ": " + Html.escape(why);
        outbox.reply(step.chatId(), step.threadId(), step.ref(), t(step.chatId(), "silence.refused", status, detail));
    }

    /** Alertmanager did not answer (refused connection, timeout, answer over the cap): reported in the chat. */
    public void unreachable(SilenceStep step, String error) {
        LOG.warn("Alertmanager API unreachable for a silence: {}", error);
        String e = Html.escape(error == null ? "error" : error);
        outbox.reply(step.chatId(), step.threadId(), step.ref(), t(step.chatId(), "silence.unreachable", e));
    }
}
