package org.opshub.telegram;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * The Bot API's broadcast limits (core.telegram.org/bots/faq, "My bot is hitting limits"): at most
 * one message per second to a private chat, 20 per minute to a group (negative chat id), and 30
 * per second overall, by default; the route passes the limits ({@code telegram.rate.*}). Sliding
 * windows over the times of recent sends, kept in memory and rebuilt with {@link #sent} from the
 * state store's send log when a hub starts sending, so a restart does not burst.
 */
public final class SendThrottle {
    /**
     * Send limits.
     *
     * @param perSecond         messages per second, all chats together
     * @param perChatPerSecond  messages per second to one private chat
     * @param perGroupPerMinute messages per minute to one group chat (negative chat id)
     */
    public record Limits(int perSecond, int perChatPerSecond, int perGroupPerMinute) {
        /** The Bot API's documented limits: 30/s overall, 1/s per private chat, 20/min per group. */
        public static final Limits TELEGRAM = new Limits(30, 1, 20);
    }

    /** The window of the per-private-chat limit, ms. */
    private static final long PRIVATE_WINDOW_MS = 1000;

    private final Deque<Long> global = new ArrayDeque<>();
    /** Added to the overall window by {@link #wait}: room for the time between a send and its arrival. */
    private final long marginMs;
    /** Added to each chat's window by {@link #wait}. */
    private final long chatMarginMs;

    /** Windows exactly as Telegram states them. */
    public SendThrottle() {
        this(0);
    }

    /** @param marginMs added to each window of {@link #wait} (the spread between sending and arriving) */
    public SendThrottle(long marginMs) {
        this(marginMs, marginMs);
    }

    /**
     * @param marginMs     added to the overall one-second window of {@link #wait}
     * @param chatMarginMs added to each chat's window (a second, or a minute for a group)
     */
    public SendThrottle(long marginMs, long chatMarginMs) {
        this.marginMs = marginMs;
        this.chatMarginMs = chatMarginMs;
    }

    private final Map<Long, Deque<Long>> perChat = new HashMap<>();

    /**
     * Takes a send slot for {@code chatId} at {@code now} (epoch ms) if the limits allow one.
     *
     * @return whether the message may be sent now
     */
    public boolean tryAcquire(long chatId, long now) {
        return tryAcquire(chatId, now, Limits.TELEGRAM);
    }

    /** As {@link #tryAcquire(long, long)} with these limits. */
    public synchronized boolean tryAcquire(long chatId, long now, Limits limits) {
        trim(global, now - 1000);
        if (global.size() >= limits.perSecond()) {
            return false;
        }
        Deque<Long> chat = perChat.computeIfAbsent(chatId, k -> new ArrayDeque<>());
        if (chatId < 0) {
            trim(chat, now - 60_000);
            if (chat.size() >= limits.perGroupPerMinute()) {
                return false;
            }
        } else {
            trim(chat, now - PRIVATE_WINDOW_MS);
            if (chat.size() >= limits.perChatPerSecond()) {
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

    /**
     * How long until a message to {@code chatId} is within the limits at {@code now} (epoch ms).
     *
     * @return 0 when it may go now, else the milliseconds to wait
     */
    public synchronized long wait(long chatId, long now, Limits limits) {
        long second = 1000 + marginMs;
        trim(global, now - second);
        long wait = global.size() < limits.perSecond() ? 0 : global.peekFirst() + second - now + 1;
        Deque<Long> chat = perChat.get(chatId);
        if (chat != null) {
            boolean group = chatId < 0;
            long window = (group ? 60_000 : PRIVATE_WINDOW_MS) + chatMarginMs;
            trim(chat, now - window);
            int max = group ? limits.perGroupPerMinute() : limits.perChatPerSecond();
            if (chat.size() >= max) {
                wait = Math.max(wait, chat.peekFirst() + window - now + 1);
            }
        }
        return Math.max(0, wait);
    }

    /**
     * Forgets the last send to a chat: a picture whose upload timed out did not reach the chat, and the
     * alert's text must not wait for the slot it took.
     */
    public synchronized void unsent(long chatId) {
        Deque<Long> chat = perChat.get(chatId);
        if (chat != null && !chat.isEmpty()) {
            global.removeLastOccurrence(chat.removeLast());
        }
    }

    /** Counts a send made earlier (from the send log), in time order, without checking the limits. */
    public synchronized void sent(long chatId, long at) {
        perChat.computeIfAbsent(chatId, k -> new ArrayDeque<>()).addLast(at);
        global.addLast(at);
    }

    private static void trim(Deque<Long> times, long before) {
        while (!times.isEmpty() && times.peekFirst() <= before) {
            times.removeFirst();
        }
    }
}
