package org.opshub.alerts;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.opshub.state.StateDataException;
import org.opshub.state.StateStore;
import org.opshub.telegram.outbox.Html;
import org.opshub.telegram.outbox.MessageSplitter;
import org.opshub.telegram.outbox.OutboxStore;
import org.opshub.telegram.outbox.TelegramSettings;
import org.opshub.telegram.outbox.Texts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts alerts from the webhook: de-duplicates them (table {@code alert_seen}), keeps the firing
 * list (table {@code firing_alert}) and queues one message per subscribed chat in the outbox, all
 * in one transaction per alert. In console mode (no {@code telegram.token}) every alert is queued
 * once for the console instead, and the outbox route logs it. Its counters are {@link AlertMetrics}.
 */
public final class AlertInbox {
    private static final Logger LOG = LoggerFactory.getLogger(AlertInbox.class);
    private static final Pattern BLANK_RUNS = Pattern.compile("\n{3,}");
    /** The outbox "chat" of console mode (no token): every alert goes there and is logged. */
    public static final long CONSOLE = 0;

    private final StateStore store;
    private final AlertStore alerts;
    private final SubscriptionStore subscriptions;
    private final TelegramSettings telegram;
    private final Duration dedupRetention;
    private final AlertMetrics metrics;
    private volatile AlertDecorations decorations = AlertDecorations.none();
    private volatile QuietHours quiet;

    public AlertInbox(
            StateStore store,
            SubscriptionStore subscriptions,
            TelegramSettings telegram,
            Duration dedupRetention,
            MeterRegistry registry) {
        this.store = store;
        this.alerts = new AlertStore(store);
        this.subscriptions = subscriptions;
        this.telegram = telegram;
        this.dedupRetention = dedupRetention;
        this.metrics = new AlertMetrics(registry);
    }

    /** Sets the silence buttons and Grafana pictures of new alert messages. */
    public void decorate(AlertDecorations decorations) {
        this.decorations = decorations;
    }

    private volatile Texts texts;
    private volatile String language = "en";

    /** The bot's texts and {@code telegram.language} (the language of chats that chose none). */
    public void languages(Texts texts, String language) {
        this.texts = texts;
        this.language = Texts.known(language);
    }

    /** The language a chat reads: chosen with /language, else {@code telegram.language}. */
    public String language(long chatId) {
        String chosen = chatId == CONSOLE ? null : subscriptions.language(chatId);
        return chosen == null ? language : Texts.known(chosen);
    }

    private volatile int maxMessagesPerWebhook = 10;

    /** Messages one webhook request may queue for one chat and topic ({@code alertmanager.max-messages-per-webhook}). */
    public void maxMessagesPerWebhook(int messages) {
        this.maxMessagesPerWebhook = messages;
    }

    /**
     * The views the alert template renders ({@code ${body.…}}), times in {@code telegram.timezone}:
     * the alerts of one webhook request, sharing its message budget.
     */
    public List<AlertView> views(List<Alert> alerts) {
        WebhookBudget budget = new WebhookBudget(maxMessagesPerWebhook);
        return alerts.stream().map(a -> view(a).withBudget(budget)).toList();
    }

    /**
     * After a webhook request's alerts are recorded: one line to each chat (and topic) whose budget
     * held alerts back, saying how many and where they are listed.
     *
     * @return the number of such lines queued
     */
    public int heldBack(List<AlertView> views) {
        WebhookBudget budget = views.isEmpty() ? null : views.get(0).budget();
        if (budget == null || budget.heldBack().isEmpty()) {
            return 0;
        }
        Texts t = texts == null ? Texts.embedded() : texts;
        long now = System.currentTimeMillis();
        String ref = "held:" + UUID.randomUUID();
        return store.inTransaction(c -> {
            int n = 0;
            for (Map.Entry<WebhookBudget.Place, Integer> e : budget.heldBack().entrySet()) {
                String lang = language(e.getKey().chatId());
                OutboxStore.enqueue(
                        c,
                        e.getKey().chatId(),
                        "alert",
                        ref + "#" + e.getKey().threadId(),
                        t.t(lang, "alert.held-back", e.getValue(), budget.perChat()),
                        "HTML",
                        OutboxStore.inThread(null, e.getKey().threadId()),
                        now);
                n++;
            }
            return n;
        });
    }

    /** The view of one alert, in {@code telegram.language}. */
    public AlertView view(Alert alert) {
        return new AlertView(alert, telegram.zone(), texts, language);
    }

    /**
     * Stores one alert: when its key is new, updates the firing list and queues the text of each
     * chat's language for every allowed, enabled chat (and topic) with a matching pattern (resolved
     * alerts only when {@code telegram.send-resolved}).
     *
     * @param view   the alert
     * @param text   the rendered template, {@code telegram.alert-template} (HTML parse mode)
     * @param textRu the rendered {@code telegram.alert-template-ru}, for chats that read Russian; null: {@code text}
     * @return the number of chats it was queued for; -1 when it was a duplicate
     * @throws org.opshub.state.StateUnavailableException when the store fails (nothing is stored)
     * @throws WebhookRejectedException 400 when the database refuses the alert's data (nothing is stored)
     *     Serialised in this process, so outbox ids follow arrival order (the per-chat delivery order).
     */
    public synchronized int record(AlertView view, String text, String textRu) {
        Alert alert = view.getAlert();
        metrics.received(alert);
        String messageEn = tidy(text);
        String messageRu = tidy(textRu == null ? text : textRu);
        long now = System.currentTimeMillis();
        List<SubscriptionStore.Target> targets = !alert.firing() && !telegram.sendResolved()
                ? List.of()
                : telegram.consoleMode()
                        ? List.of(new SubscriptionStore.Target(CONSOLE, 0, 0, false))
                        : subscriptions.targetsFor(alert, telegram.allowedChats());
        int queued;
        try {
            // each chat's language, read before the transaction (one read per chat, no second connection inside it)
            Map<Long, String> languages = new HashMap<>();
            for (SubscriptionStore.Target t : targets) {
                languages.computeIfAbsent(t.chatId(), this::language);
            }
            queued = store.inTransaction(c -> {
                // the time of the POST /alerts that brought it: the start of its delivery time
                if (!AlertStore.firstSeen(c, alert.key(), view.arrivedAt() > 0 ? view.arrivedAt() : now)) {
                    return -1;
                }
                AlertStore.updateFiring(c, alert, now);
                boolean hold = quietHolds();
                for (AlertChannel channel : channels) {
                    channel.record(c, alert, messageEn, decorations.panelJson(alert), hold, now);
                }
                for (Planned p : plan(alert, targets, languages, hold, messageEn, messageRu)) {
                    SubscriptionStore.Target t = p.target();
                    if (p.held()) {
                        quiet.held(c, t.chatId(), t.threadId(), alert.alertname(), now);
                        continue;
                    }
                    if (p.body() == null) {
                        continue;
                    }
                    String topic = t.threadId() == 0 ? "" : "#topic" + t.threadId();
                    List<AlertDecorations.Row> rows = decorations.rows(c, t.chatId(), alert, p.body(), p.language());
                    if (view.budget() != null
                            && t.chatId() != CONSOLE
                            && !view.budget()
                                    .take(
                                            new WebhookBudget.Place(t.chatId(), t.threadId()),
                                            rows.stream()
                                                    .mapToInt(r -> parts(r.text()))
                                                    .sum())) {
                        continue;
                    }
                    for (AlertDecorations.Row row : rows) {
                        OutboxStore.enqueue(
                                c,
                                t.chatId(),
                                row.kind(),
                                alert.key() + row.refSuffix() + topic,
                                row.text(),
                                "HTML",
                                OutboxStore.inThread(row.extra(), t.threadId()),
                                now);
                    }
                }
                return (int) targets.stream()
                        .map(SubscriptionStore.Target::chatId)
                        .distinct()
                        .count();
            });
        } catch (StateDataException e) {
            // the database refused this alert's data: retrying cannot help, so a 4xx (Alertmanager does not
            // retry those); only the SQLState is logged, the values may be anything
            LOG.warn(
                    "Alert with fingerprint {} refused by the state store, SQLState {}; answered 400",
                    alert.fingerprint(),
                    e.sqlState());
            throw new WebhookRejectedException(
                    400,
                    "alert with fingerprint " + alert.fingerprint()
                            + " cannot be stored (the database refused its data, SQLState " + e.sqlState() + ")");
        }
        if (queued < 0) {
            metrics.duplicate();
        }
        return queued;
    }

    /**
     * What one alert means for one target (a chat, or a topic of one).
     *
     * @param held     held for the quiet-hours digest (a firing alert, a subscription that is not urgent)
     * @param language the chat's language ({@code en} or {@code ru})
     * @param body     the message text (HTML), in the chat's language; null when nothing is sent
     */
    public record Planned(SubscriptionStore.Target target, boolean held, String language, String body) {}

    /**
     * The inbox's decision for one new alert, a function without effects: per target, held for the
     * digest (quiet hours hold and the subscription is not urgent; a resolved alert is then dropped),
     * or the text of the chat's language, with the note of a topic that is gone, cut to
     * {@code telegram.max-parts-per-alert} messages.
     *
     * @param languages each target chat's language
     * @param hold      whether quiet hours hold alerts now
     */
    public List<Planned> plan(
            Alert alert,
            List<SubscriptionStore.Target> targets,
            Map<Long, String> languages,
            boolean hold,
            String messageEn,
            String messageRu) {
        List<Planned> out = new ArrayList<>();
        for (SubscriptionStore.Target t : targets) {
            String lang = languages.getOrDefault(t.chatId(), language);
            if (hold && !t.urgent() && t.chatId() != CONSOLE) {
                out.add(new Planned(t, alert.firing(), lang, null));
                continue;
            }
            String message = "ru".equals(lang) ? messageRu : messageEn;
            String body = capped(
                    t.goneThread() == 0 ? message : message + "\n\n" + goneNote(lang, t.goneThread()), alert, lang);
            out.add(new Planned(t, false, lang, body));
        }
        return out;
    }

    private volatile int maxParts = 3;

    /** The most Telegram messages one alert's text becomes in one chat ({@code telegram.max-parts-per-alert}). */
    public void maxParts(int parts) {
        this.maxParts = parts;
    }

    private static int parts(String text) {
        return text.isEmpty()
                ? 1
                : MessageSplitter.split(text, MessageSplitter.TELEGRAM_LIMIT).size();
    }

    /**
     * {@code text} as at most {@link #maxParts} messages: when longer, the parts that fit with room
     * for a note, and the note that names the alert and where to read it in full.
     */
    String capped(String text, Alert alert, String lang) {
        List<String> parts = MessageSplitter.split(text, MessageSplitter.TELEGRAM_LIMIT);
        if (parts.size() <= maxParts) {
            return text;
        }
        String where = alert.generatorUrl() == null || alert.generatorUrl().isBlank()
                ? "Alertmanager"
                : Html.escape(alert.generatorUrl());
        Texts t = texts == null ? Texts.embedded() : texts;
        String note = "\n\n" + t.t(lang, "alert.cut", Html.escape(alert.alertname()), maxParts, where);
        List<String> room = MessageSplitter.split(text, MessageSplitter.TELEGRAM_LIMIT - 600);
        return String.join("\n", room.subList(0, maxParts)) + note;
    }

    /** The line (HTML) under a message that goes to General because the topic it was for is gone. */
    public String goneNote(String lang, long threadId) {
        Texts t = texts;
        return (t == null ? Texts.embedded() : t).t(lang, "topic.gone.note", threadId);
    }

    private volatile List<AlertChannel> channels = List.of();

    /** The channels besides the chats every new alert goes to (e-mail subscriptions). */
    public void channels(List<AlertChannel> channels) {
        this.channels = List.copyOf(channels);
    }

    /** Whether quiet hours hold alerts now. */
    public boolean quietHolds() {
        return quiet != null && quiet.holds();
    }

    /** Holds the alerts of subscriptions that are not urgent during quiet hours ({@code telegram.quiet-hours}). */
    public void quietHours(QuietHours q) {
        this.quiet = q;
    }

    /** Alerts firing as last received, oldest first. */
    public List<AlertStore.Firing> firing() {
        return alerts.firing();
    }

    /**
     * Forgets de-duplication keys older than the retention ({@code alertmanager.dedup-retention}),
     * so the table does not grow forever.
     *
     * @return the number of keys removed
     */
    public int prune() {
        return alerts.pruneSeen(System.currentTimeMillis() - dedupRetention.toMillis());
    }

    /**
     * Cleans a rendered template: drops lines left empty by absent values (an empty tag pair, a
     * "Name:" with nothing after it, a link without URL), collapses blank runs, trims.
     */
    static String tidy(String text) {
        StringBuilder b = new StringBuilder();
        for (String line : text.replace("\r\n", "\n").split("\n", -1)) {
            String plain = Html.toPlain(line).strip();
            boolean emptied = (!line.isBlank() && plain.isEmpty())
                    || (plain.endsWith(":") && line.strip().endsWith(":"))
                    || line.contains("href=\"\"");
            if (!emptied) {
                b.append(line.stripTrailing()).append('\n');
            }
        }
        return BLANK_RUNS.matcher(b.toString().strip()).replaceAll("\n\n");
    }
}
