package org.opshub.mail;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.opshub.telegram.outbox.BotCall;
import org.opshub.telegram.outbox.ChatTexts;
import org.opshub.telegram.outbox.Html;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * E-mail as Telegram's fallback (bean {@code mailFallback}): an alert message for a chat (or a forum
 * topic) with fallback addresses ({@code telegram.fallback.<chat>}, or {@code /fallback add} in the chat
 * or the topic) that is still
 * undelivered {@code telegram.fallback-after} after it was queued, because Telegram or every way to it
 * failed, refused with 5xx or throttled (its send failed at least once), goes out once by e-mail to each
 * address: subject the alert's first line (status, alert name, severity), body its text (plain and
 * HTML), the panel's picture attached when it has one. Telegram delivery goes on; the message's text
 * then ends with when it went out by e-mail. The {@code mail-fallback} route asks {@link #due} and calls
 * {@link #fallBack} for each.
 */
public final class MailFallback {
    private static final Logger LOG = LoggerFactory.getLogger(MailFallback.class);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z", Locale.ROOT);
    private final MailStore store;
    private final Map<Long, List<String>> configured;
    private final Duration after;
    private final ZoneId zone;
    private final Clock clock;
    private final boolean enabled;
    private volatile ChatTexts texts = ChatTexts.embedded();

    /**
     * @param configured the addresses of {@code telegram.fallback.<chat>}, by chat
     * @param after      {@code telegram.fallback-after}
     * @param enabled    whether e-mail is on ({@code mail.host})
     */
    public MailFallback(
            MailStore store,
            Map<Long, List<String>> configured,
            Duration after,
            ZoneId zone,
            Clock clock,
            boolean enabled) {
        this.store = store;
        this.configured = Map.copyOf(configured);
        this.after = after;
        this.zone = zone;
        this.clock = clock;
        this.enabled = enabled;
    }

    /** The bot's texts in each chat's language, for the note and the /fallback replies. */
    public void languages(ChatTexts texts) {
        this.texts = texts;
    }

    /** Whether {@code text} is one e-mail address (the forms SMTP servers take: local@domain.tld). */
    public static boolean isAddress(String text) {
        return text != null && text.length() <= 254 && text.matches("[^@\\s,;<>\"]+@[^@\\s,;<>\"]+\\.[^@\\s,;<>\"]+");
    }

    /**
     * The fallback addresses of {@code telegram.fallback.<chat>} properties.
     *
     * @throws IllegalArgumentException naming the property of a chat id or an address that is not one
     */
    public static Map<Long, List<String>> configured(Map<String, String> properties) {
        Map<Long, List<String>> out = new TreeMap<>();
        properties.forEach((key, value) -> {
            String chat = key.substring("telegram.fallback.".length());
            if (!chat.matches("-?\\d{1,19}")) {
                throw new IllegalArgumentException(key + ": the name after telegram.fallback. must be a chat id");
            }
            List<String> addresses = new ArrayList<>();
            for (String a : value.split("[,\\s]+")) {
                if (a.isBlank()) {
                    continue;
                }
                if (!isAddress(a)) {
                    throw new IllegalArgumentException(key + ": not an e-mail address: " + a);
                }
                addresses.add(a);
            }
            if (!addresses.isEmpty()) {
                out.put(Long.parseLong(chat), List.copyOf(addresses));
            }
        });
        return out;
    }

    /** The messages that wait longer than {@code telegram.fallback-after} in chats with addresses. */
    public List<MailStore.Waiting> due() {
        if (!enabled) {
            return List.of();
        }
        Set<Long> chats = new LinkedHashSet<>(configured.keySet());
        chats.addAll(store.chats());
        return chats.isEmpty() ? List.of() : store.waiting(List.copyOf(chats), clock.millis() - after.toMillis(), 100);
    }

    /**
     * The addresses of a chat's topic ({@code threadId}, 0 for none): the chat's property's, those set in
     * the chat for every topic, then those set in that topic.
     */
    public List<String> addresses(long chatId, long threadId) {
        Set<String> all = new LinkedHashSet<>(configured.getOrDefault(chatId, List.of()));
        all.addAll(store.addresses(chatId, 0));
        if (threadId != 0) {
            all.addAll(store.addresses(chatId, threadId));
        }
        return List.copyOf(all);
    }

    /** One waiting message out by e-mail to each address of its chat, once; its Telegram text says so. */
    public void fallBack(MailStore.Waiting w) {
        List<String> addresses = addresses(w.chatId(), w.threadId());
        if (addresses.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        String subject = subject(w.text());
        String note = texts.t(w.chatId(), "fallback.note", TIME.format(now.atZone(zone)));
        // a photo whose caption would grow past Telegram's limit with the note keeps its text as it was
        if (w.photo() && !BotCall.fitsCaption(w.text() + note)) {
            note = "";
        }
        if (store.fallBack(w, addresses, subject, note, now.toEpochMilli())) {
            LOG.info(
                    "Alert for chat {} undelivered for {}: sent by e-mail to {} address(es): {}",
                    w.chatId(),
                    Duration.ofMillis(now.toEpochMilli() - w.createdAt()),
                    addresses.size(),
                    subject);
        }
    }

    /** The first line of an alert's text, as plain text (the template's "🔥 FIRING PacsDown [critical]"). */
    static String subject(String html) {
        String plain = Html.toPlain(html).strip();
        String first = plain.lines().findFirst().orElse("opshub alert").strip();
        return first.length() > 200 ? first.substring(0, 199) + "…" : first;
    }

    /**
     * {@code /fallback add <address>}, {@code /fallback remove <address>}, {@code /fallback list}: the
     * fallback addresses of the chat, or, said in a forum topic ({@code threadId} not 0), of that topic
     * (the chat's own apply to every topic).
     *
     * @return the reply
     */
    public String command(long chatId, long threadId, String args, String lang) {
        if (!enabled) {
            return texts.t(chatId, "fallback.off");
        }
        String[] a = args.strip().split("\\s+", 2);
        String verb = a[0].toLowerCase(Locale.ROOT);
        String address = a.length > 1 ? a[1].strip() : "";
        switch (verb) {
            case "add", "remove" -> {
                if (!isAddress(address)) {
                    return texts.t(chatId, "fallback.usage");
                }
                boolean changed = verb.equals("add")
                        ? store.add(chatId, threadId, address)
                        : store.remove(chatId, threadId, address);
                LOG.info("Chat {}: fallback address {} {}", chatId, address, verb.equals("add") ? "added" : "removed");
                String key = verb.equals("add") ? "fallback.added" : "fallback.removed";
                return texts.t(chatId, changed ? key : key + ".before", Html.escape(address));
            }
            case "list", "" -> {
                List<String> all = addresses(chatId, threadId);
                String wait = after.toSeconds() % 60 == 0
                        ? after.toMinutes() + " " + texts.t(chatId, "fallback.minutes")
                        : after.toSeconds() + " " + texts.t(chatId, "fallback.seconds");
                return all.isEmpty()
                        ? texts.t(chatId, "fallback.none", wait)
                        : texts.t(chatId, "fallback.list", wait, Html.escape(String.join(", ", all)));
            }
            default -> {
                return texts.t(chatId, "fallback.usage");
            }
        }
    }
}
