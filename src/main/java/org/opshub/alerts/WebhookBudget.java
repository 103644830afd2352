package org.opshub.alerts;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Telegram messages one webhook request may queue for one chat (and topic)
 * ({@code alertmanager.max-messages-per-webhook}): a notification that groups 1,000 alerts must not
 * hold a chat's queue for a quarter of an hour (Telegram takes one message a second per chat), so
 * the alerts past the budget are stored (de-duplication, the firing list of {@code /alerts}) but
 * not sent one by one, and the chat gets one line saying how many were held back. Used by one
 * request at a time (the inbox is serialised).
 */
public final class WebhookBudget {
    /** A chat and a topic (0: the chat itself or General). */
    public record Place(long chatId, long threadId) {}

    private final int perChat;
    private final Map<Place, Integer> used = new LinkedHashMap<>();
    private final Map<Place, Integer> heldBack = new LinkedHashMap<>();

    /** @param perChat messages one request may queue for one chat and topic, at least 1 */
    public WebhookBudget(int perChat) {
        this.perChat = Math.max(1, perChat);
    }

    /**
     * Takes {@code messages} from the place's budget.
     *
     * @return false (nothing taken, the alert counted as held back) when they do not fit
     */
    public boolean take(Place place, int messages) {
        int u = used.getOrDefault(place, 0);
        if (u + messages > perChat && u > 0) {
            heldBack.merge(place, 1, Integer::sum);
            return false;
        }
        used.put(place, u + messages);
        return true;
    }

    /** Alerts held back, by place, in the order the places were first seen. */
    public Map<Place, Integer> heldBack() {
        return Map.copyOf(heldBack);
    }

    public int perChat() {
        return perChat;
    }
}
