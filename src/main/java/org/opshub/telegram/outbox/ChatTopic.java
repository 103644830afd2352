package org.opshub.telegram.outbox;

import java.util.ArrayList;
import java.util.List;

/**
 * A place messages go to: a Telegram chat, and a topic of it when it is a forum supergroup.
 *
 * @param chatId   the chat id (negative for groups)
 * @param threadId the topic's {@code message_thread_id} (Bot API "Message"), 0 for the chat itself or
 *                 a forum's General topic
 */
public record ChatTopic(long chatId, long threadId) {

    /**
     * A property's list of places: chat ids, each optionally followed by {@code :topic}
     * ({@code -1001234567890:7}), separated by commas or blanks.
     *
     * @throws IllegalArgumentException naming {@code key} and the entry that is neither
     */
    public static List<ChatTopic> parseList(String key, String text) {
        List<ChatTopic> out = new ArrayList<>();
        for (String entry : (text == null ? "" : text).split("[,\\s]+")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] parts = entry.strip().split(":", -1);
            try {
                if (parts.length > 2) {
                    throw new NumberFormatException();
                }
                long thread = parts.length == 2 ? Long.parseLong(parts[1]) : 0;
                if (thread < 0) {
                    throw new NumberFormatException();
                }
                ChatTopic t = new ChatTopic(Long.parseLong(parts[0]), thread);
                if (!out.contains(t)) {
                    out.add(t);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + ": not a chat id or chat id:topic id: " + entry.strip());
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return threadId == 0 ? Long.toString(chatId) : chatId + ":" + threadId;
    }
}
