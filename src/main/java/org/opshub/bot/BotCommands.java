package org.opshub.bot;

import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import org.opshub.alerts.AlertInbox;
import org.opshub.alerts.Subscriptions;
import org.opshub.telegram.Delivery;
import org.opshub.telegram.Html;
import org.opshub.telegram.Outbox;
import org.opshub.telegram.TelegramSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bot's commands (a Bot API {@code Update} with a {@code message} whose text starts with
 * {@code /}); {@code /cmd@botname} works in groups. Only chats in {@code telegram.allowed-chats}
 * are served; any other chat gets one reply with its chat id and how to get access. Replies go
 * through the outbox (kind {@code reply}), so they share the rate limits and survive restarts.
 */
public final class BotCommands {
    private static final Logger LOG = LoggerFactory.getLogger(BotCommands.class);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z");
    private static final int MAX_ALERTS_LISTED = 50;
    private final TelegramSettings settings;
    private final Subscriptions subscriptions;
    private final AlertInbox inbox;
    private final Outbox outbox;
    private final Delivery delivery;

    public BotCommands(TelegramSettings settings, Subscriptions subscriptions, AlertInbox inbox, Outbox outbox,
            Delivery delivery) {
        this.settings = settings;
        this.subscriptions = subscriptions;
        this.inbox = inbox;
        this.outbox = outbox;
        this.delivery = delivery;
    }

    /**
     * Handles one update: queues the reply, if any.
     *
     * @return the reply text (HTML), or null when the update needs none
     */
    public String handle(JsonNode update) {
        JsonNode message = update.path("message");
        JsonNode chat = message.path("chat");
        String text = message.path("text").asText("");
        if (!chat.path("id").canConvertToLong() || !text.startsWith("/")) {
            return null;
        }
        long chatId = chat.path("id").asLong();
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
        if (!settings.allowedChats().contains(chatId)) {
            if (!subscriptions.markDeniedNotice(chatId)) {
                return null;
            }
            LOG.info("Chat {} is not in telegram.allowed-chats; told it how to get access", chatId);
            reply = "This chat is not allowed to use this bot. Its chat id is <code>" + chatId
                    + "</code>: ask the hub's operators to add it to <code>telegram.allowed-chats</code>.";
        } else {
            reply = answer(command.toLowerCase(Locale.ROOT), args, chatId);
        }
        outbox.enqueue(chatId, "reply", "update:" + update.path("update_id").asLong(), reply, "HTML");
        return reply;
    }

    private String answer(String command, String args, long chatId) {
        return switch (command) {
            case "start", "help" -> help();
            case "subscribe", "regexp" -> subscribe(chatId, args);
            case "unsubscribe" -> unsubscribe(chatId, args);
            case "list" -> list(chatId);
            case "alerts" -> alerts();
            case "status" -> status();
            default -> "Unknown command /" + Html.escape(command) + ". /help lists the commands.";
        };
    }

    static String help() {
        return """
                <b>opshub alert bot</b>
                /subscribe &lt;pattern&gt; - get alerts whose alertname matches (alias /regexp)
                   <code>*</code> or <code>all</code>: every alert; <code>label=regex</code>: match one label, e.g. <code>severity=critical</code>
                   patterns are RE2 regular expressions, case-insensitive
                /unsubscribe &lt;pattern|all&gt; - stop one pattern, or all
                /list - this chat's patterns
                /alerts - alerts firing now
                /status - delivery queue and last delivery error""";
    }

    private String subscribe(long chatId, String pattern) {
        if (pattern.isEmpty()) {
            return "Usage: /subscribe &lt;pattern&gt;, e.g. <code>/subscribe Pacs.*</code> or <code>/subscribe severity=critical</code>";
        }
        try {
            boolean added = subscriptions.subscribe(chatId, pattern);
            return (added ? "Subscribed to " : "Already subscribed to ") + "<code>" + Html.escape(pattern.strip()) + "</code>.";
        } catch (IllegalArgumentException e) {
            return "Invalid pattern <code>" + Html.escape(pattern) + "</code>: " + Html.escape(e.getMessage());
        }
    }

    private String unsubscribe(long chatId, String pattern) {
        if (pattern.isEmpty()) {
            return "Usage: /unsubscribe &lt;pattern|all&gt;";
        }
        int n = subscriptions.unsubscribe(chatId, pattern);
        if (pattern.equalsIgnoreCase("all")) {
            return "Removed " + n + (n == 1 ? " pattern." : " patterns.");
        }
        return n == 0 ? "Not subscribed to <code>" + Html.escape(pattern) + "</code>. /list shows the patterns."
                : "Unsubscribed from <code>" + Html.escape(pattern) + "</code>.";
    }

    private String list(long chatId) {
        List<String> patterns = subscriptions.list(chatId);
        if (patterns.isEmpty()) {
            return "No subscriptions. /subscribe &lt;pattern&gt; adds one.";
        }
        StringBuilder b = new StringBuilder("Subscriptions:");
        for (String p : patterns) {
            b.append("\n<code>").append(Html.escape(p)).append("</code>");
        }
        return b.toString();
    }

    private String alerts() {
        List<AlertInbox.Firing> firing = inbox.firing();
        if (firing.isEmpty()) {
            return "No alerts firing.";
        }
        StringBuilder b = new StringBuilder("Firing (" + firing.size() + "):");
        for (AlertInbox.Firing f : firing.subList(0, Math.min(firing.size(), MAX_ALERTS_LISTED))) {
            b.append("\n\uD83D\uDD25 <b>").append(Html.escape(f.alertname())).append("</b>");
            if (f.severity() != null) {
                b.append(" [").append(Html.escape(f.severity())).append(']');
            }
            if (f.summary() != null && !f.summary().isBlank()) {
                b.append(" ").append(Html.escape(f.summary()));
            }
            b.append(" · since ").append(TIME.format(f.startsAt().atZone(settings.zone())));
        }
        if (firing.size() > MAX_ALERTS_LISTED) {
            b.append("\n… and ").append(firing.size() - MAX_ALERTS_LISTED).append(" more");
        }
        return b.toString();
    }

    private String status() {
        long age = Math.round(outbox.oldestAgeSeconds(System.currentTimeMillis()));
        String error = delivery.lastError();
        return "Outbox: " + outbox.pending() + " pending"
                + (outbox.pending() > 0 ? ", oldest " + Duration.ofSeconds(age).toString().substring(2).toLowerCase() : "")
                + "\nLast delivery error: " + (error == null ? "none" : Html.escape(error));
    }
}
