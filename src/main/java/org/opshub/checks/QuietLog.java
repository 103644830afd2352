package org.opshub.checks;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.opshub.alerts.QuietHours;
import org.opshub.state.StateStore;
import org.opshub.telegram.outbox.ChatTopic;
import org.opshub.telegram.outbox.Texts;

/**
 * What happened while {@code checks.notify-window} was closed (table {@code quiet_event}), for the
 * one digest per chat sent when it opens ({@link Digest}): checks that went down, checks that came
 * back (with when they went down), and, with {@code telegram.quiet-hours}, the alerts held for each
 * chat. A check event goes to every chat of {@code checks.chats}; a held alert to its own chat.
 */
public final class QuietLog implements QuietHours {
    private final QuietEventStore store;
    private final NotifyWindow window;
    private final boolean holdAlerts;
    private final Clock clock;
    /** Set when an event is written (and at start): the digest path reads the table only then. */
    private volatile boolean pending = true;
    /** Digests taken but not queued yet, and since when: notifications wait for them (30 s at most). */
    private final AtomicInteger inFlight = new AtomicInteger();

    private volatile long inFlightSince;

    /**
     * @param window     the notify window; outside it check notifications wait
     * @param holdAlerts {@code telegram.quiet-hours}: alert messages are held outside the window too
     */
    public QuietLog(StateStore store, NotifyWindow window, boolean holdAlerts, Clock clock) {
        this.store = new QuietEventStore(store);
        this.window = window;
        this.holdAlerts = holdAlerts;
        this.clock = clock;
    }

    @Override
    public boolean holds() {
        return holdAlerts && !window.isOpen(clock.instant());
    }

    @Override
    public void held(Connection c, long chatId, long threadId, String alertname, long at) throws SQLException {
        QuietEventStore.heldAlert(c, chatId, threadId, alertname, at);
        pending = true;
    }

    /** A check went DOWN while the window was closed. */
    void down(String check, Instant at) {
        store.down(check, at.toEpochMilli());
        pending = true;
    }

    /** A check came back while the window was closed; {@code since}: when it went down. */
    void recovered(String check, Instant since, Instant at) {
        store.recovered(check, since == null ? null : since.toEpochMilli(), at.toEpochMilli());
        pending = true;
    }

    /**
     * The digests due at {@code now}: when the window is open and events wait, one per chat (the chats
     * of {@code checks.chats} when a check event waits, and every chat an alert was held for), and the
     * events are deleted in the same transaction, so each goes into one digest only.
     *
     * @param chats     {@code checks.chats}
     * @param downSince for a check name, when it went down if it is DOWN now, else null
     */
    List<Digest> take(Instant now, List<ChatTopic> chats, Texts texts, Function<String, Instant> downSince) {
        if (!pending || !window.isOpen(now)) {
            return List.of();
        }
        return store.take(events -> {
            List<Digest.Episode> recovered = new ArrayList<>();
            Map<String, Instant> stillDown = new TreeMap<>();
            Map<ChatTopic, Map<String, Integer>> alerts = new LinkedHashMap<>();
            for (QuietEventStore.Event e : events) {
                Instant at = Instant.ofEpochMilli(e.at());
                switch (e.kind()) {
                    case "recovered" ->
                        recovered.add(new Digest.Episode(
                                e.name(), e.since() == null ? null : Instant.ofEpochMilli(e.since()), at));
                    case "down" -> {
                        Instant d = downSince.apply(e.name());
                        if (d != null) {
                            stillDown.put(e.name(), d);
                        }
                    }
                    default ->
                        alerts.computeIfAbsent(new ChatTopic(e.chatId(), e.threadId()), k -> new TreeMap<>())
                                .merge(e.name(), 1, Integer::sum);
                }
            }
            recovered.sort(Comparator.comparing(Digest.Episode::up).thenComparing(Digest.Episode::check));
            pending = false;
            List<Digest> out = new ArrayList<>();
            boolean checkNews = !recovered.isEmpty() || !stillDown.isEmpty();
            if (checkNews) {
                for (ChatTopic chat : chats) {
                    out.add(new Digest(
                            chat, window, now, recovered, stillDown, alerts.getOrDefault(chat, Map.of()), texts, "en"));
                }
            }
            for (Map.Entry<ChatTopic, Map<String, Integer>> e : alerts.entrySet()) {
                if (!checkNews || !chats.contains(e.getKey())) {
                    out.add(new Digest(e.getKey(), window, now, List.of(), Map.of(), e.getValue(), texts, "en"));
                }
            }
            inFlightSince = now.toEpochMilli();
            inFlight.set(out.size());
            return out;
        });
    }

    /** One digest of the last {@link #take} was queued. */
    void queued() {
        inFlight.decrementAndGet();
    }

    /**
     * Whether digests taken are still being rendered and queued (at most 30 s): a notification due now
     * waits for the next probe, so that every chat gets the digest first.
     */
    boolean digestInFlight(Instant now) {
        return inFlight.get() > 0 && now.toEpochMilli() - inFlightSince < 30_000;
    }
}
