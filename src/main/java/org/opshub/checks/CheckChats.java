package org.opshub.checks;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.opshub.alerts.AlertInbox;
import org.opshub.telegram.outbox.ChatTexts;
import org.opshub.telegram.outbox.ChatTopic;
import org.opshub.telegram.outbox.OutboxMessage;
import org.opshub.telegram.outbox.OutboxStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chats of service checks (bean {@code checkChats}): {@code checks.chats}, each in its topic
 * and language. Queues notifications and digests in the Telegram outbox, and keeps a parent
 * check's message current as the checks behind it fail or come back: a message still waiting is
 * rewritten, a sent one edited ({@code editMessageText} with the message id {@link MaintenanceStore}
 * kept when it was sent).
 */
public final class CheckChats {
    private static final Logger LOG = LoggerFactory.getLogger(CheckChats.class);
    private final List<ChatTopic> chats;
    private final OutboxStore outbox;
    private final MaintenanceStore messages;
    private volatile ChatTexts chatTexts = ChatTexts.embedded();
    /** The refs of edits: {@code <ref>:edit:<n>}, each queued once. */
    private static final String EDIT = ":edit:";

    private final AtomicLong edits = new AtomicLong(System.currentTimeMillis());

    /**
     * @param chats the chats (and forum topics) notifications go to; empty: notifications are logged
     *     only (the console chat of the outbox)
     */
    public CheckChats(List<ChatTopic> chats, OutboxStore outbox, MaintenanceStore messages) {
        this.chats = chats.isEmpty() ? List.of(new ChatTopic(AlertInbox.CONSOLE, 0)) : List.copyOf(chats);
        this.outbox = outbox;
        this.messages = messages;
    }

    /** The chats, as configured (the console chat when none is). */
    public List<ChatTopic> chats() {
        return chats;
    }

    /** The bot's texts in each chat's language (/language, else {@code telegram.language}). */
    public void languages(ChatTexts chatTexts) {
        this.chatTexts = chatTexts;
    }

    ChatTexts chatTexts() {
        return chatTexts;
    }

    /** The outbox ref of a notification: {@code check:<name>:<kind>:<epoch ms>} (an edit has its message's). */
    static String ref(CheckNotification n) {
        return "check:" + n.checkName() + ":" + n.kind() + ":" + n.instant().toEpochMilli();
    }

    /**
     * Queues the rendered notification for every chat, in its topic and its language: {@code text}
     * ({@code checks.template}) or {@code textRu} ({@code checks.template-ru}); an edit rewrites the
     * waiting message or edits the sent one.
     */
    public void queue(CheckNotification n, String text, String textRu) {
        String ref = ref(n);
        for (ChatTopic chat : chats) {
            String body = inLanguageOf(chat, text, textRu).strip();
            if (!n.isEdit()) {
                outbox.enqueue(chat.chatId(), chat.threadId(), "check", ref, body, "HTML", null);
            } else if (!outbox.rewriteWaiting(chat.chatId(), ref, body)
                    && !outbox.rewriteWaitingStartingWith(chat.chatId(), ref + EDIT, body)) {
                // sent: a new edit (one being sent now stays as it is; this one follows it)
                Long messageId = messages.message(ref, chat.chatId());
                if (messageId != null) {
                    outbox.enqueue(
                            chat.chatId(),
                            chat.threadId(),
                            "check",
                            ref + EDIT + edits.incrementAndGet(),
                            body,
                            "HTML",
                            "{\"method\":\"editMessageText\",\"message_id\":" + messageId + "}");
                }
            }
        }
        LOG.info(
                "Check {} {}: {} for {} chat(s)",
                n.checkName(),
                n.getReason(),
                n.isEdit() ? "message updated" : "notification queued",
                chats.size());
    }

    /**
     * Whether the message of {@code ref} can be edited in every chat now: still waiting, or sent
     * with its message id known (not while it is being sent).
     */
    boolean editable(String ref) {
        for (ChatTopic chat : chats) {
            if (chat.chatId() != AlertInbox.CONSOLE
                    && !outbox.waiting(chat.chatId(), ref)
                    && messages.message(ref, chat.chatId()) == null) {
                return false;
            }
        }
        return true;
    }

    /**
     * A check message was sent ({@code 200 ok} of sendMessage): keeps its message id for edits.
     *
     * @param messageId {@code result.message_id} of the answer, or null
     */
    public void sent(OutboxMessage m, Long messageId) {
        if (messageId != null && m.ref().startsWith("check:") && !m.ref().contains(EDIT)) {
            messages.messageSent(m.ref(), m.chatId(), messageId, System.currentTimeMillis());
        }
    }

    /** Queues a rendered digest (the body) for its chat, blank lines of empty sections dropped. */
    public void queueDigest(Digest digest, String text, String textRu, QuietLog quiet) {
        String tidy = inLanguageOf(digest.chat(), text, textRu)
                .replaceAll("(?m)^[ \t]+$", "")
                .replaceAll("\n{3,}", "\n\n")
                .strip();
        outbox.enqueue(
                digest.chat().chatId(),
                digest.chat().threadId(),
                "check",
                "digest:" + digest.at().toEpochMilli(),
                tidy,
                "HTML",
                null);
        if (quiet != null) {
            quiet.queued();
        }
        LOG.info(
                "Morning digest queued for chat {}: {} check(s) down and back",
                digest.chat(),
                digest.episodes().size());
    }

    /** The Russian text for a chat that reads Russian (when there is one), else the English one. */
    private String inLanguageOf(ChatTopic chat, String text, String textRu) {
        return textRu != null && "ru".equals(chatTexts.lang(chat.chatId())) ? textRu : text;
    }
}
