package org.opshub.telegram;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * The Bot API's broadcast limits (core.telegram.org/bots/faq, "My bot is hitting limits"): at most
 * one message per second to a private chat, 20 per minute to a group (negative chat id), and 30
 * per second overall. Sliding windows over the times of recent sends; in memory, per process.
 */
public final class SendThrottle {
    /** Messages per second, all chats together. */
    public static final int GLOBAL_PER_SECOND = 30;
    /** Messages per minute to one group chat. */
    public static final int GROUP_PER_MINUTE = 20;
    /** Minimum gap between two messages to one private chat, ms. */
    public static final long PRIVATE_GAP_MS = 1000;

    private final Deque<Long> global = new ArrayDeque<>();
    private final Map<Long, Deque<Long>> perChat = new HashMap<>();

    /**
     * Takes a send slot for {@code chatId} at {@code now} (epoch ms) if the limits allow one.
     *
     * @return whether the message may be sent now
     */
    public synchronized boolean tryAcquire(long chatId, long now) {
        trim(global, now - 1000);
        if (global.size() >= GLOBAL_PER_SECOND) {
            return false;
        }
        Deque<Long> chat = perChat.computeIfAbsent(chatId, k -> new ArrayDeque<>());
        if (chatId < 0) {
            trim(chat, now - 60_000);
            if (chat.size() >= GROUP_PER_MINUTE) {
                return false;
            }
        } else {
            trim(chat, now - PRIVATE_GAP_MS);
            if (!chat.isEmpty()) {
                return false;
            }
        }
        chat.addLast(now);
        global.addLast(now);
        if (perChat.size() > 10_000) {
            perChat.values().removeIf(d -> d.isEmpty() || d.peekLast() < now - 60_000);
        }
        return true;
    }

    private static void trim(Deque<Long> times, long before) {
        while (!times.isEmpty() && times.peekFirst() <= before) {
            times.removeFirst();
        }
    }
}
