package org.opshub.telegram.bot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.opshub.alerts.Acks;
import org.opshub.alerts.AlertInbox;
import org.opshub.alerts.SilenceStep;
import org.opshub.alerts.SubscriptionStore;
import org.opshub.checks.ServiceChecks;
import org.opshub.grafana.GrafanaBot;
import org.opshub.grafana.GrafanaSettings;
import org.opshub.grafana.GrafanaStep;
import org.opshub.mail.MailFallback;
import org.opshub.pacs.PacsMonitor;
import org.opshub.telegram.Delivery;
import org.opshub.telegram.outbox.CallbackStore;
import org.opshub.telegram.outbox.Html;
import org.opshub.telegram.outbox.OutboxStore;
import org.opshub.telegram.outbox.TelegramSettings;
import org.opshub.telegram.outbox.Texts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bot's commands (a Bot API {@code Update} with a {@code message} whose text starts with
 * {@code /}); {@code /cmd@botname} works in groups. Only chats in {@code telegram.allowed-chats}
 * are served; any other chat gets one reply with its chat id and how to get access. Replies go
 * through the outbox (kind {@code reply}), so they share the rate limits and survive restarts, to
 * the forum topic the command was sent in ({@code message_thread_id} of a topic message), where a
 * subscription made there also belongs.
 */
public final class BotCommands {
    private static final Logger LOG = LoggerFactory.getLogger(BotCommands.class);
    private static final int MAX_ALERTS_LISTED = 50;
    private static final ObjectMapper JSON = new ObjectMapper();
    private final TelegramSettings settings;
    private final SubscriptionStore subscriptions;
    private final AlertInbox inbox;
    private final OutboxStore outbox;
    private final Delivery delivery;
    private final CallbackStore callbacks;
    private final GrafanaBot grafana;
    private final PacsMonitor pacs;
    private final ServiceChecks checks;
    private final Acks acks;
    private final Texts texts;
    private final String language;
    private final ResendButtons resendButtons;
    private volatile MailFallback fallback;

    /**
     * @param texts    the bot's texts (templates/messages_*.properties)
     * @param language {@code telegram.language}: the language of a chat that chose none with /language
     */
    public BotCommands(
            TelegramSettings settings,
            SubscriptionStore subscriptions,
            AlertInbox inbox,
            OutboxStore outbox,
            Delivery delivery,
            CallbackStore callbacks,
            GrafanaBot grafana,
            PacsMonitor pacs,
            ServiceChecks checks,
            Acks acks,
            Texts texts,
            String language) {
        this.acks = acks;
        this.texts = texts;
        this.language = Texts.known(language);
        this.settings = settings;
        this.subscriptions = subscriptions;
        this.inbox = inbox;
        this.outbox = outbox;
        this.delivery = delivery;
        this.callbacks = callbacks;
        this.grafana = grafana;
        this.pacs = pacs;
        this.checks = checks;
        this.resendButtons = new ResendButtons(settings, outbox, callbacks, pacs, texts, this::lang);
    }

    /**
     * Handles one update (a message, or a {@code callback_query} of an inline keyboard): queues
     * the reply, if any.
     *
     * @return a {@link GrafanaStep} or a {@link SilenceStep} when the answer needs Grafana's or
     *         Alertmanager's API (the route continues with its {@code flow()}); else null (any
     *         reply is queued)
     */
    public Object handle(JsonNode update) {
        if (update.has("callback_query")) {
            return callback(update, update.path("callback_query"));
        }
        JsonNode message = update.path("message");
        JsonNode chat = message.path("chat");
        String text = message.path("text").asText("");
        if (!chat.path("id").canConvertToLong() || !text.startsWith("/")) {
            return null;
        }
        long chatId = chat.path("id").asLong();
        long thread = topic(message);
        String lang = lang(chatId);
        String[] words = text.strip().split("\\s+", 2);
        String command = words[0].substring(1);
        String args = words.length > 1 ? words[1].strip() : "";
        int at = command.indexOf('@');
        if (at >= 0) {
            String addressee = command.substring(at + 1);
            command = command.substring(0, at);
            if (!settings.botUsername().isEmpty() && !settings.botUsername().equalsIgnoreCase(addressee)) {
                return null;
            }
        }
        String reply;
        String ref = "update:" + update.path("update_id").asLong();
        if (settings.allowedChats().contains(chatId) && grafana.enabled()) {
            String c = command.toLowerCase(Locale.ROOT);
            if (c.equals("dashboards")) {
                return new GrafanaStep(GrafanaStep.Kind.SEARCH, chatId, ref, args, null, null, null, thread);
            }
            if (c.equals("graph")) {
                Object step = graph(chatId, thread, ref, args, lang);
                if (step instanceof GrafanaStep) {
                    return step;
                }
                outbox.reply(chatId, thread, ref, (String) step);
                return null;
            }
        }
        if (!settings.allowedChats().contains(chatId)) {
            if (!subscriptions.markDeniedNotice(chatId)) {
                return null;
            }
            LOG.info("Chat {} is not in telegram.allowed-chats; told it how to get access", chatId);
            reply = texts.t(lang, "denied", chatId);
        } else if (command.equalsIgnoreCase("maintenance") && checks.maintenance() != null) {
            reply = checks.maintenance().commands().command(args, message.path("from"), lang);
        } else if (command.equalsIgnoreCase("missing") && settings.resendChats().contains(chatId)) {
            resendButtons.missing(chatId, thread, ref, lang);
            return null;
        } else {
            reply = answer(command.toLowerCase(Locale.ROOT), args, chatId, thread, lang);
        }
        outbox.reply(chatId, thread, ref, reply);
        return null;
    }

    /**
     * The forum topic a Bot API message belongs to: its {@code message_thread_id} when
     * {@code is_topic_message} is true, else 0 (a chat without topics, or a forum's General topic).
     */
    public static long topic(JsonNode message) {
        return message.path("is_topic_message").asBoolean(false)
                ? message.path("message_thread_id").asLong(0)
                : 0;
    }

    /** The language of a chat: chosen with /language, else {@code telegram.language}. */
    String lang(long chatId) {
        String chosen = subscriptions.language(chatId);
        return chosen == null ? language : Texts.known(chosen);
    }

    /** The Resend buttons of {@code /missing} and their outcomes (bean {@code resendButtons}). */
    public ResendButtons resendButtons() {
        return resendButtons;
    }

    /** /graph &lt;dashboard&gt; &lt;panel&gt; [range]: names may be quoted ("PACS overview"). */
    private Object graph(long chatId, long thread, String ref, String args, String lang) {
        List<String> words = new ArrayList<>();
        Matcher m = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(args);
        while (m.find()) {
            words.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        String range = grafana.settings().defaultRange();
        if (words.size() >= 3 && GrafanaSettings.validRange(words.get(words.size() - 1))) {
            range = words.remove(words.size() - 1);
        }
        if (words.size() != 2) {
            return texts.t(lang, "graph.usage");
        }
        return new GrafanaStep(
                GrafanaStep.Kind.GRAPH_SEARCH, chatId, ref, words.get(0), null, words.get(1), range, thread);
    }

    /** A button of an inline keyboard was pressed. */
    private Object callback(JsonNode update, JsonNode query) {
        JsonNode msg = query.path("message");
        long chatId = msg.path("chat").path("id").asLong();
        long thread = topic(msg);
        String ref = "update:" + update.path("update_id").asLong();
        String id = query.path("id").asText();
        String lang = lang(chatId);
        if (!settings.allowedChats().contains(chatId)) {
            answerCallback(chatId, ref, id, texts.t(lang, "denied.short"));
            return null;
        }
        String actionJson = callbacks.get(chatId, query.path("data").asText(""));
        if (actionJson == null) {
            answerCallback(chatId, ref, id, texts.t(lang, "button.expired"));
            return null;
        }
        JsonNode action;
        try {
            action = JSON.readTree(actionJson);
        } catch (IOException e) {
            answerCallback(chatId, ref, id, texts.t(lang, "button.broken"));
            return null;
        }
        answerCallback(chatId, ref, id, "");
        switch (action.path("t").asText()) {
            case "dash" -> {
                return grafana.enabled()
                        ? grafana.chosen(chatId, thread, ref + ":answer", action)
                        : off(chatId, thread, ref, lang);
            }
            case "panel" -> {
                if (!grafana.enabled()) {
                    return off(chatId, thread, ref, lang);
                }
                grafana.photo(
                        chatId,
                        thread,
                        ref + ":answer",
                        action.path("uid").asText(),
                        action.path("slug").asText(),
                        action.path("id").asInt(),
                        action.path("title").asText(),
                        action.path("range").asText());
                return null;
            }
            case "silence" -> {
                return SilenceStep.of(
                        chatId, thread, ref + ":answer", msg.path("message_id").asLong(), query.path("from"), action);
            }
            case "ack" -> {
                long user = query.path("from").path("id").asLong();
                if (!acks.mayAck(user)) {
                    LOG.info(
                            "Ack pressed in chat {} by user {}, who is not in telegram.ack-users; nothing silenced",
                            chatId,
                            user);
                    outbox.reply(chatId, thread, ref + ":answer", texts.t(lang, "ack.denied"));
                    return null;
                }
                Acks.Ack open = acks.find(action.path("fp").asText());
                if (open != null) {
                    outbox.reply(
                            chatId,
                            thread,
                            ref + ":answer",
                            texts.t(lang, "ack.already", Html.escape(open.ackedBy()), age(open.ackedAt(), lang)));
                    return null;
                }
                return SilenceStep.of(
                        chatId, thread, ref + ":answer", msg.path("message_id").asLong(), query.path("from"), action);
            }
            case "resend", "resend-check" -> {
                if (!settings.resendChats().contains(chatId)) {
                    LOG.info(
                            "A Resend button was pressed in chat {}, which is not in telegram.resend-chats; nothing moved",
                            chatId);
                    outbox.reply(chatId, thread, ref + ":answer", texts.t(lang, "resend.denied"));
                    return null;
                }
                return ResendStep.of(chatId, ref + ":answer", msg, query.path("from"), action);
            }
            default -> {
                return null;
            }
        }
    }

    private Object off(long chatId, long thread, String ref, String lang) {
        outbox.reply(chatId, thread, ref + ":answer", texts.t(lang, "grafana.off"));
        return null;
    }

    private void answerCallback(long chatId, String ref, String callbackId, String text) {
        outbox.enqueue(
                chatId,
                "reply",
                ref,
                text,
                null,
                JSON.createObjectNode()
                        .put("method", "answerCallbackQuery")
                        .put("callback_query_id", callbackId)
                        .toString());
    }

    private String answer(String command, String args, long chatId, long thread, String lang) {
        return switch (command) {
            case "start", "help" -> texts.t(lang, "help");
            case "subscribe", "regexp" -> subscribe(chatId, thread, args, lang);
            case "unsubscribe" -> unsubscribe(chatId, thread, args, lang);
            case "list" -> list(chatId, thread, lang);
            case "alerts" -> alerts(lang);
            case "acks" -> acks(lang);
            case "status" -> status(lang);
            case "language" -> language(chatId, args, lang);
            case "missing" -> new StatusText(texts, lang).missing(pacs, settings.missingDetails(), Instant.now(), null);
            case "dashboards", "graph" -> texts.t(lang, "grafana.off");
            case "fallback" -> fallback.command(chatId, thread, args, lang);
            default -> texts.t(lang, "unknown", Html.escape(command));
        };
    }

    /** E-mail as the fallback, for {@code /fallback} (set before the routes start). */
    public void fallback(MailFallback fallback) {
        this.fallback = fallback;
    }

    /** /language ru|en: the chat's language from now on (in its own language's words); else the usage. */
    private String language(long chatId, String args, String lang) {
        String wanted = args.strip().toLowerCase(Locale.ROOT);
        if (!Texts.LANGUAGES.contains(wanted)) {
            return texts.t(lang, "language.usage", texts.t(lang, "language.name." + lang));
        }
        subscriptions.language(chatId, wanted);
        LOG.info("Chat {} chose language {}", chatId, wanted);
        return texts.t(wanted, "language.set");
    }

    private String subscribe(long chatId, long thread, String pattern, String lang) {
        if (pattern.isEmpty()) {
            return texts.t(lang, "subscribe.usage");
        }
        try {
            boolean urgent = pattern.strip().matches("(?s).+\\s+urgent");
            String p = urgent ? pattern.strip().replaceFirst("\\s+urgent$", "") : pattern.strip();
            boolean added = subscriptions.subscribe(chatId, thread, p, urgent);
            return texts.t(
                    lang,
                    added ? "subscribe.added" : "subscribe.exists",
                    Html.escape(p),
                    urgent ? texts.t(lang, "subscribe.urgent") : "",
                    thread == 0 ? "" : texts.t(lang, "subscribe.topic"));
        } catch (IllegalArgumentException e) {
            return texts.t(lang, "subscribe.invalid", Html.escape(pattern), Html.escape(e.getMessage()));
        }
    }

    private String unsubscribe(long chatId, long thread, String pattern, String lang) {
        if (pattern.isEmpty()) {
            return texts.t(lang, "unsubscribe.usage");
        }
        int n = subscriptions.unsubscribe(chatId, thread, pattern);
        if (pattern.equalsIgnoreCase("all")) {
            return texts.t(lang, n == 1 ? "unsubscribe.all.one" : "unsubscribe.all.many", n);
        }
        return texts.t(lang, n == 0 ? "unsubscribe.none" : "unsubscribe.done", Html.escape(pattern));
    }

    /** The chat's subscriptions, by topic: this topic's first marked, a gone topic named with why. */
    private String list(long chatId, long thread, String lang) {
        return new ListTexts(texts, lang).subscriptions(subscriptions.subscriptions(chatId), thread);
    }

    private String alerts(String lang) {
        return new ListTexts(texts, lang).firing(inbox.firing(), settings.zone(), MAX_ALERTS_LISTED);
    }

    /** The open acknowledgements, oldest first, with who and how long ago. */
    private String acks(String lang) {
        return new ListTexts(texts, lang).acks(acks.all(), System.currentTimeMillis());
    }

    /** The time since {@code epochMillis} in the chat's words ("3h 5m", "3 ч 5 мин"). */
    private String age(long epochMillis, String lang) {
        return StatusText.age(texts, lang, Duration.ofMillis(Math.max(0, System.currentTimeMillis() - epochMillis)));
    }

    private String status(String lang) {
        long age = Math.round(outbox.oldestAgeSeconds(System.currentTimeMillis()));
        String error = delivery.lastError();
        StatusText status = new StatusText(texts, lang);
        return status.pacs(pacs) + "\n\n" + status.checks(checks) + "\n\n"
                + texts.t(lang, "status.outbox", outbox.pending())
                + (outbox.pending() > 0
                        ? texts.t(lang, "status.oldest", StatusText.age(texts, lang, Duration.ofSeconds(age)))
                        : "")
                + "\n"
                + texts.t(lang, "status.error", error == null ? texts.t(lang, "status.error.none") : Html.escape(error))
                + status.proxies(delivery.proxies());
    }
}
