package org.opshub.telegram.bot;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import org.opshub.pacs.PacsMonitor;
import org.opshub.telegram.outbox.CallbackStore;
import org.opshub.telegram.outbox.Html;
import org.opshub.telegram.outbox.OutboxStore;
import org.opshub.telegram.outbox.TelegramSettings;
import org.opshub.telegram.outbox.Texts;

/**
 * The Resend buttons (bean {@code resendButtons}): {@code /missing} in a chat of
 * {@code telegram.resend-chats} with one button per listed study, and the edit of that message once
 * the {@code pacs-resend-button} route has made the C-MOVE.
 */
public final class ResendButtons {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final TelegramSettings settings;
    private final OutboxStore outbox;
    private final CallbackStore callbacks;
    private final PacsMonitor pacs;
    private final Texts texts;
    private final LongFunction<String> lang;

    ResendButtons(
            TelegramSettings settings,
            OutboxStore outbox,
            CallbackStore callbacks,
            PacsMonitor pacs,
            Texts texts,
            LongFunction<String> lang) {
        this.settings = settings;
        this.outbox = outbox;
        this.callbacks = callbacks;
        this.pacs = pacs;
        this.texts = texts;
        this.lang = lang;
    }

    /**
     * {@code /missing} in a chat of {@code telegram.resend-chats}: the studies numbered, and a Resend
     * button per study (four to a row) whose action names the pair and the StudyInstanceUID.
     */
    void missing(long chatId, long thread, String ref, String lang) {
        List<String[]> studies = new ArrayList<>();
        String text = new StatusText(texts, lang).missing(pacs, settings.missingDetails(), Instant.now(), studies);
        if (studies.isEmpty()) {
            outbox.reply(chatId, thread, ref, text);
            return;
        }
        ObjectNode markup = JSON.createObjectNode();
        ArrayNode rows = markup.putArray("inline_keyboard");
        ArrayNode row = null;
        for (String[] s : studies) {
            if (row == null || row.size() == 4) {
                row = rows.addArray();
            }
            String label = texts.t(lang, "resend.button", s[2]);
            String action = JSON.createObjectNode()
                    .put("t", "resend")
                    .put("pair", s[0])
                    .put("uid", s[1])
                    .put("label", "#" + s[2])
                    .put("text", text)
                    .toString();
            row.addObject().put("text", label).put("callback_data", callbacks.put(chatId, action));
        }
        ObjectNode extra = JSON.createObjectNode();
        extra.set("reply_markup", markup);
        outbox.enqueue(chatId, thread, "reply", ref, text, "HTML", extra.toString());
    }

    /**
     * A Resend button's outcome (the {@code pacs-resend-button} route, after
     * {@link org.opshub.pacs.PacsResends#resendStudy} or {@code resendCheck}): the message is edited, its
     * text followed by one line naming who re-sent and what happened, its keyboard kept.
     */
    public void resendDone(ResendStep step, Map<String, Object> outcome) {
        String lang = this.lang.apply(step.chatId());
        String line = "\n\n"
                + texts.t(
                        lang,
                        "resend.outcome",
                        Html.escape(step.label()),
                        Html.escape(step.trigger().replaceFirst("^telegram:", "")),
                        Html.escape(new ResendText(texts, lang).summary(outcome)));
        String text = step.text().length() + line.length() <= 4096 ? step.text() + line : line.strip();
        ObjectNode extra =
                JSON.createObjectNode().put("method", "editMessageText").put("message_id", step.messageId());
        if (step.replyMarkup() != null) {
            try {
                extra.set("reply_markup", JSON.readTree(step.replyMarkup()));
            } catch (IOException e) {
                // the keyboard is dropped; the outcome is still shown
            }
        }
        outbox.enqueue(step.chatId(), "reply", step.ref(), text, "HTML", extra.toString());
    }
}
