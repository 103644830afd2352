package org.opshub.telegram;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.opshub.alerts.SubscriptionStore;
import org.opshub.state.StateStore;
import org.opshub.state.StateUnavailableException;
import org.opshub.telegram.outbox.BotCall;
import org.opshub.telegram.outbox.OutboxMessage;
import org.opshub.telegram.outbox.OutboxStore;
import org.opshub.telegram.outbox.TelegramSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the outbox through the Bot API (core.telegram.org/bots/api#sendmessage): claims the head of
 * each chat's queue when it is due and within Telegram's limits ({@link SendThrottle}), holds one
 * message per chat in flight (which keeps the per-chat order), waits for the send slot right before the
 * call and logs the send, and releases the message whatever the answer; {@link SendAnswers} acts on
 * the answer. A message older than {@code telegram.max-delivery-age} is dropped with an ERROR log and
 * counted in {@code telegram_messages_dropped_total{reason="expired"}}. In console mode the messages
 * are logged instead.
 */
public final class Delivery {
    private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);

    private final TelegramSettings settings;
    private final OutboxStore outbox;
    private volatile SendThrottle throttle = new SendThrottle();
    /**
     * The same limits over the times the calls are made ({@link #awaitSendSlot}), each window a little
     * longer: room for the spread between a call leaving and arriving at Telegram. The overall
     * second gets {@value #SEND_MARGIN_MS} ms (200 ms cost a sixth of the 30 messages a second;
     * scripts/bench-alerts.sh still sees no second above 30), each chat's window keeps
     * {@value #CHAT_MARGIN_MS} ms (one message a second to a private chat: the arrivals of two hubs
     * under load spread by more than 25 ms, and a chat's rate does not limit throughput).
     */
    private volatile SendThrottle sends = new SendThrottle(SEND_MARGIN_MS, CHAT_MARGIN_MS);

    static final long SEND_MARGIN_MS = 25;
    static final long CHAT_MARGIN_MS = 200;
    /** The limits of the last claim (the route passes them). */
    private volatile SendThrottle.Limits limits = SendThrottle.Limits.TELEGRAM;

    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    private final TelegramMetrics metrics;
    private final SendAnswers answers;
    private volatile boolean storeDown;
    /** Whether the throttle's windows were rebuilt from the send log (at the first claim, and after {@link #leading}). */
    private boolean throttleSeeded;

    private volatile boolean reseed;
    /** This hub's name in the outbox row claims ({@code cluster.hub-id}). */
    private volatile String hubId = "local";
    /** How long a claimed message stays this hub's: twice {@code telegram.http-timeout}. */
    private final long claimMillis;

    public Delivery(
            TelegramSettings settings,
            StateStore store,
            OutboxStore outbox,
            SubscriptionStore subscriptions,
            MeterRegistry registry) {
        this.settings = settings;
        this.outbox = outbox;
        this.metrics = new TelegramMetrics(registry);
        this.answers = new SendAnswers(store, outbox, subscriptions, metrics);
        this.claimMillis = 2 * settings.httpTimeout().toMillis();
    }

    /**
     * Right before the Bot API call of a claimed message: waits until the send is within the
     * limits as Telegram counts them (by the time calls are made, not claimed: the calls of one
     * claim tick go out over the senders' threads at slightly different times), then renews the
     * claim and logs the send in the store ({@link Outbox#confirmSend}).
     *
     * @return true to make the call; false when the claim is lost or the store does not answer
     *         (the message stays for whichever hub leads once the claim runs out)
     */
    public boolean awaitSendSlot(OutboxMessage m) throws InterruptedException {
        SendThrottle.Limits l = limits;
        while (true) {
            long now = System.currentTimeMillis();
            long wait;
            SendThrottle window = sends;
            synchronized (window) {
                wait = window.wait(m.chatId(), now, l);
                if (wait == 0) {
                    window.sent(m.chatId(), now);
                }
            }
            if (wait == 0) {
                try {
                    if (outbox.confirmSend(m, hubId, now + claimMillis, now)) {
                        return true;
                    }
                    LOG.warn("Message {} for chat {} was taken by another hub: not sent from here", m.id(), m.chatId());
                } catch (StateUnavailableException e) {
                    LOG.warn(
                            "Message {} for chat {} not sent: the state store does not answer ({})",
                            m.id(),
                            m.chatId(),
                            e.getMessage());
                }
                return false;
            }
            Thread.sleep(Math.min(wait, 1000));
        }
    }

    /**
     * This hub has just become the sender: the claims of the hub that led before are released at
     * once (its messages do not wait for their claims to run out), and the rate windows are rebuilt
     * from the send log at the next claim, so they hold the sends of the hub that led before (no
     * burst after a takeover).
     */
    public void leading() {
        reseed = true;
        try {
            int released = outbox.releaseClaimsOfOthers(hubId);
            if (released > 0) {
                LOG.info("Took over {} message(s) claimed by the hub that led before", released);
            }
        } catch (RuntimeException e) {
            LOG.warn("Claims of the hub that led before not released (they run out by themselves): {}", e.getMessage());
        }
    }

    /** Forgets sends older than the longest rate window (a minute); the prune timer calls it. */
    public int pruneSendLog() {
        return outbox.pruneSendLog(System.currentTimeMillis() - 60_000);
    }

    /** Names this hub in the row claims it writes ({@code cluster.hub-id}). */
    public void claimsAs(String hubId) {
        this.hubId = hubId;
    }

    /** {@link #claim(int, int, int)} with Telegram's documented limits. */
    public List<OutboxMessage> claim() {
        return claim(SendThrottle.Limits.TELEGRAM);
    }

    /**
     * The messages to send now: the head of each chat's queue that is due, not in flight and
     * within the rate limits. Each one returned is in flight until {@link #release(OutboxMessage)}.
     *
     * @param perSecond         messages per second, all chats together ({@code telegram.rate.messages-per-second})
     * @param perChatPerSecond  messages per second to one private chat ({@code telegram.rate.per-chat-per-second})
     * @param perGroupPerMinute messages per minute to one group ({@code telegram.rate.per-group-per-minute})
     */
    public List<OutboxMessage> claim(int perSecond, int perChatPerSecond, int perGroupPerMinute) {
        return claim(new SendThrottle.Limits(perSecond, perChatPerSecond, perGroupPerMinute));
    }

    private List<OutboxMessage> claim(SendThrottle.Limits limits) {
        this.limits = limits;
        List<OutboxMessage> heads;
        try {
            heads = outbox.heads(200, hubId);
            if (storeDown) {
                storeDown = false;
                LOG.info("Outbox readable again");
            }
        } catch (StateUnavailableException e) {
            if (!storeDown) {
                storeDown = true;
                LOG.warn("Outbox unreadable, delivery paused: {}", e.getMessage());
            }
            return List.of();
        }
        long now = System.currentTimeMillis();
        if (reseed) {
            reseed = false;
            throttle = new SendThrottle();
            sends = new SendThrottle(SEND_MARGIN_MS, CHAT_MARGIN_MS);
            throttleSeeded = false;
        }
        if (!throttleSeeded) {
            // the last minute of sends, from before a restart: the windows start where they were
            try {
                outbox.sendsSince(now - 60_000).forEach(s -> {
                    throttle.sent(s[0], s[1]);
                    sends.sent(s[0], s[1]);
                });
                throttleSeeded = true;
            } catch (StateUnavailableException e) {
                return List.of();
            }
        }
        List<OutboxMessage> out = new ArrayList<>();
        for (OutboxMessage m : heads) {
            if (inFlight.contains(m.chatId())) {
                continue;
            }
            if (now - m.createdAt() > settings.maxDeliveryAge().toMillis()) {
                expire(m);
                continue;
            }
            if (throttle.tryAcquire(m.chatId(), now, limits) && inFlight.add(m.chatId())) {
                try {
                    if (outbox.claim(m.id(), hubId, now + claimMillis, now)) {
                        out.add(m);
                        continue;
                    }
                } catch (StateUnavailableException e) {
                    LOG.debug("Claim of message {} failed: {}", m.id(), e.getMessage());
                }
                inFlight.remove(m.chatId()); // another hub has it, or the store failed: not ours
            }
        }
        return out;
    }

    /** Drops a message older than telegram.max-delivery-age; a store failure leaves it for the next tick. */
    private void expire(OutboxMessage m) {
        try {
            outbox.delete(m.id());
        } catch (RuntimeException e) {
            LOG.warn("Could not drop an expired message for chat {} (retried next tick): {}", m.chatId(), e.toString());
            return;
        }
        LOG.error(
                "Gave up on a {} message for chat {} queued at {} (telegram.max-delivery-age={}), last error: {}",
                m.kind(),
                m.chatId(),
                Instant.ofEpochMilli(m.createdAt()),
                settings.maxDeliveryAge(),
                metrics.lastError());
        metrics.dropped("expired");
    }

    /**
     * Releases a claimed message that could not be handed on (e.g. the send queue refused
     * it), so its chat is claimed again at a later tick instead of never.
     */
    public void unclaim(OutboxMessage claimed) {
        if (claimed != null) {
            inFlight.remove(claimed.chatId());
            unclaimRow(claimed.id());
        }
    }

    private void unclaimRow(long id) {
        try {
            outbox.unclaim(id, hubId);
        } catch (RuntimeException e) {
            LOG.debug("Claim of message {} left to run out: {}", id, e.getMessage());
        }
    }

    /**
     * Whether this message is logged instead of sent: in console mode (no token), and for the
     * console chat (0: alerts in console mode, check notifications without {@code checks.chats}).
     */
    public boolean consoleMode(OutboxMessage m) {
        return settings.consoleMode() || m.chatId() == 0;
    }

    /** Logs the message at INFO and takes it off the outbox. */
    public void console(OutboxMessage m) {
        String what = "check".equals(m.kind()) ? "Check" : "alert".equals(m.kind()) ? "Alert" : "Telegram";
        if (m.chatId() == 0) {
            LOG.info(
                    "{} (console mode, no {}):\n{}",
                    what,
                    settings.consoleMode() ? "telegram.token" : "checks.chats",
                    m.text());
        } else {
            LOG.info("Telegram (console mode, no telegram.token) to chat {}:\n{}", m.chatId(), m.text());
        }
        outbox.delete(m.id());
        metrics.sent(m.kind(), 1);
    }

    /**
     * The Bot API call of a message ({@link BotCall}: sendMessage, sendPhoto with the rendered
     * panel, editMessageText, answerCallbackQuery), for the {@code bot-api} route.
     *
     * @param png the rendered panel ({@code panelPng}), or null
     */
    public BotCall.Request call(OutboxMessage message, byte[] png) throws JsonProcessingException {
        return BotCall.of(message, png);
    }

    private volatile ProxyPool proxies;

    /** The ways to the Bot API, for {@code /status}. */
    public void proxies(ProxyPool proxies) {
        this.proxies = proxies;
    }

    /** The ways to the Bot API; null before the configuration binds them. */
    public ProxyPool proxies() {
        return proxies;
    }

    /** The last delivery error (time, chat, status, description), or null. */
    public String lastError() {
        return metrics.lastError();
    }

    /** What each answer to a send does ({@code sendAnswers}). */
    public SendAnswers answers() {
        return answers;
    }

    /**
     * The picture of this message timed out on its way (pictures throttled): its send is taken out of
     * the chat's rate window, so that the alert's text goes at once.
     */
    public void unsent(OutboxMessage m) {
        SendThrottle window = sends;
        window.unsent(m.chatId());
    }

    /** Ends the message's flight, whatever happened ({@code m} null: nothing was in flight). */
    public void release(OutboxMessage m) {
        if (m != null) {
            unclaimRow(m.id());
            inFlight.remove(m.chatId());
        }
    }
}
