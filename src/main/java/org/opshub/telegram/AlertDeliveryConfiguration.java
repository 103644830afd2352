package org.opshub.telegram;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.opshub.alerts.AlertInbox;
import org.opshub.alerts.AlertWebhook;
import org.opshub.alerts.AlertmanagerPayload;
import org.opshub.alerts.IntakeStore;
import org.opshub.alerts.SubscriptionStore;
import org.opshub.config.ConfigException;
import org.opshub.config.OnStop;
import org.opshub.config.Settings;
import org.opshub.state.StateStore;
import org.opshub.telegram.outbox.ChatTexts;
import org.opshub.telegram.outbox.OutboxStore;
import org.opshub.telegram.outbox.TelegramSettings;
import org.opshub.telegram.outbox.Texts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert delivery capability (Alertmanager → outbox → Telegram): binds {@code subscriptions},
 * {@code alertInbox}, {@code alertWebhook}, {@code telegramDelivery}, {@code sendAnswers} and
 * {@code telegramHttpClient}.
 */
public final class AlertDeliveryConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(AlertDeliveryConfiguration.class);

    private AlertDeliveryConfiguration() {}

    /** The beans the other capabilities build on. */
    public record Beans(
            OutboxStore outbox,
            SubscriptionStore subscriptions,
            AlertInbox inbox,
            Delivery delivery,
            Texts texts,
            String language) {}

    /**
     * The bot's texts: {@code messages_en.properties} and {@code messages_ru.properties} in
     * {@code telegram.texts-directory} ({@code templates}).
     *
     * @throws org.opshub.config.ConfigException naming the property when a file cannot be read
     */
    public static Texts texts(Function<String, String> property) {
        String dir = Settings.text(property, "telegram.texts-directory");
        try {
            return new Texts(Path.of(dir));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    /** {@code telegram.language}: {@code en} (default) or {@code ru}. */
    public static String language(Function<String, String> property) {
        String v = Settings.text(property, "telegram.language").toLowerCase(Locale.ROOT);
        if (!Texts.LANGUAGES.contains(v)) {
            throw new ConfigException("telegram.language", "\"" + v + "\" is not one of " + Texts.LANGUAGES);
        }
        return v;
    }

    /** @throws ConfigException naming the property of a bad value */
    public static Beans bind(
            CamelContext context,
            MeterRegistry registry,
            Function<String, String> property,
            TelegramSettings telegram,
            StateStore store,
            String hubId) {
        readable(property, "telegram.alert-template", "templates/alert.txt");
        readable(property, "telegram.alert-template-ru", "templates/alert.ru.txt");
        Texts texts = texts(property);
        String language = language(property);
        Settings.number(property, "telegram.outbox-interval", 1, Integer.MAX_VALUE); // the outbox timer's period, ms
        // the send rates the outbox route passes to claim()
        Settings.number(property, "telegram.rate.messages-per-second", 1, 1000);
        Settings.number(property, "telegram.rate.per-chat-per-second", 1, 1000);
        Settings.number(property, "telegram.rate.per-group-per-minute", 1, 60_000);
        SubscriptionStore subscriptions = new SubscriptionStore(store);
        OutboxStore outbox = new OutboxStore(store, registry);
        AlertInbox inbox = new AlertInbox(
                store, subscriptions, telegram, Settings.duration(property, "alertmanager.dedup-retention"), registry);
        inbox.languages(texts, language);
        inbox.maxParts((int) Settings.number(property, "telegram.max-parts-per-alert", 1, 100));
        inbox.maxMessagesPerWebhook(
                (int) Settings.number(property, "alertmanager.max-messages-per-webhook", 1, 100_000));
        Delivery delivery = new Delivery(telegram, store, outbox, subscriptions, registry);
        delivery.answers().languages(new ChatTexts(texts, inbox::language));
        context.getRegistry().bind("botTexts", texts);
        context.getRegistry().bind("subscriptions", subscriptions);
        context.getRegistry().bind("alertInbox", inbox);
        AlertWebhook webhook;
        context.getRegistry()
                .bind(
                        "alertWebhook",
                        webhook = new AlertWebhook(
                                property.apply("alertmanager.bearer-token"),
                                Settings.number(property, "alertmanager.max-body-bytes", 1, Integer.MAX_VALUE),
                                (int) Settings.number(property, "alertmanager.max-alerts", 1, Integer.MAX_VALUE),
                                inbox,
                                new AlertmanagerPayload.Limits(
                                        (int) Settings.number(property, "alertmanager.max-value-bytes", 64, 1 << 20),
                                        (int) Settings.number(property, "alertmanager.max-labels", 1, 10_000))));
        IntakeStore journal = new IntakeStore(store, registry);
        webhook.journal(journal, hubId);
        // a clean stop deletes the journal rows recorded but not deleted yet (after the routes stopped,
        // before the state store closes), so a restart does not record them again as duplicates
        OnStop.register(context, "the webhook journal", journal::flush);
        Settings.duration(property, "alertmanager.intake-retry");
        Settings.duration(property, "alertmanager.intake-batch");
        // read by the routes' calls to Alertmanager's API v2 (TimeoutHttpClient)
        Settings.duration(property, "alertmanager.http-timeout");
        Settings.number(property, "alertmanager.max-answer-bytes", 1024, Integer.MAX_VALUE);
        context.getRegistry().bind("telegramDelivery", delivery);
        context.getRegistry().bind("sendAnswers", delivery.answers());
        ProxyPool proxies = new ProxyPool(
                ProxyPool.ways(property),
                Settings.duration(property, "telegram.proxy-backoff"),
                registry,
                Clock.systemUTC());
        Duration connectTimeout = Settings.duration(property, "telegram.connect-timeout");
        Duration pictureTimeout = Settings.duration(property, "telegram.picture-timeout");
        for (ProxyPool.Proxy p : proxies.proxies()) {
            context.getRegistry().bind(p.bean(), new BotApiHttpClient(p.uri(), connectTimeout, telegram.httpTimeout()));
            context.getRegistry()
                    .bind(p.bean() + ProxyPool.PICTURE, new BotApiHttpClient(p.uri(), connectTimeout, pictureTimeout));
        }
        context.getRegistry().bind("telegramProxies", proxies);
        delivery.answers()
                .pictures(
                        (int) Settings.number(property, "telegram.picture-attempts", 1, 100),
                        Settings.duration(property, "telegram.picture-backoff"));
        delivery.proxies(proxies);
        // read by the telegram-proxy-probe route
        Settings.duration(property, "telegram.proxy-probe-interval");
        // the routes write {{telegram.api-url}} and /bot${properties:telegram.token}/...: as validated, stripped
        context.getPropertiesComponent().addOverrideProperty("telegram.api-url", telegram.apiUrl());
        context.getPropertiesComponent().addOverrideProperty("telegram.token", telegram.token());
        LOG.info("Alert delivery: {}", telegram);
        return new Beans(outbox, subscriptions, inbox, delivery, texts, language);
    }

    /**
     * A property naming a file the routes read later (a message template).
     *
     * @throws ConfigException naming the key when the file cannot be read now
     */
    public static void readable(Function<String, String> property, String key, String fallback) {
        String v = Objects.requireNonNullElse(property.apply(key), fallback).strip();
        Path file = Path.of(v.isEmpty() ? fallback : v);
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ConfigException(key, file.toAbsolutePath() + " cannot be read");
        }
    }
}
