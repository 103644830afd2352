package org.opshub.telegram.bot;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Set;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.opshub.alerts.Acks;
import org.opshub.alerts.AlertDecorations;
import org.opshub.alerts.Silences;
import org.opshub.checks.ServiceChecks;
import org.opshub.config.Settings;
import org.opshub.grafana.GrafanaBot;
import org.opshub.pacs.PacsMonitor;
import org.opshub.state.StateStore;
import org.opshub.telegram.AlertDeliveryConfiguration;
import org.opshub.telegram.outbox.CallbackStore;
import org.opshub.telegram.outbox.ChatTexts;
import org.opshub.telegram.outbox.TelegramSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bot capability: binds {@code botUpdates} (polling or webhook registration), {@code botWebhook},
 * {@code silences} and {@code botCommands}, and decorates new alert messages with silence buttons
 * and panel pictures.
 */
public final class BotConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(BotConfiguration.class);

    private BotConfiguration() {}

    /** @throws org.opshub.config.ConfigException naming the property of a bad value */
    public static void bind(
            CamelContext context,
            MeterRegistry registry,
            Function<String, String> property,
            TelegramSettings telegram,
            StateStore store,
            AlertDeliveryConfiguration.Beans delivery,
            CallbackStore callbacks,
            GrafanaBot grafana,
            PacsMonitor pacs,
            ServiceChecks checks,
            Clock clock) {
        Acks acks = new Acks(
                store,
                Settings.duration(property, "alertmanager.ack-silence"),
                TelegramSettings.ids("telegram.ack-users", property.apply("telegram.ack-users"), "a user id"),
                telegram.zone(),
                clock);
        acks.views(delivery.inbox()::view);
        Settings.duration(property, "alertmanager.check-interval"); // the alert-acks timer's period
        Silences silences =
                new Silences(property.apply("alertmanager.api-url"), delivery.outbox(), telegram.zone(), clock, acks);
        delivery.inbox()
                .decorate(new AlertDecorations(
                                grafana.settings(),
                                silences.enabled(),
                                Set.copyOf(pacs.checkKeys()),
                                telegram.resendChats(),
                                telegram.resendAlertnames())
                        .texts(delivery.texts()));
        context.getRegistry()
                .bind(
                        "botUpdates",
                        new BotUpdates(telegram, store, Settings.bool(property, "telegram.take-over-webhook")));
        context.getRegistry().bind("botWebhook", new BotWebhook(telegram, registry));
        ChatTexts chatTexts = new ChatTexts(delivery.texts(), delivery.inbox()::language);
        silences.languages(chatTexts);
        grafana.languages(chatTexts);
        context.getRegistry().bind("silences", silences);
        context.getRegistry().bind("acks", acks);
        // the routes write {{alertmanager.api-url}}/api/v2/...: without the trailing slash an operator may have typed
        context.getPropertiesComponent().addOverrideProperty("alertmanager.api-url", silences.apiUrl());
        BotCommands commands;
        context.getRegistry()
                .bind(
                        "botCommands",
                        commands = new BotCommands(
                                telegram,
                                delivery.subscriptions(),
                                delivery.inbox(),
                                delivery.outbox(),
                                delivery.delivery(),
                                callbacks,
                                grafana,
                                pacs,
                                checks,
                                acks,
                                delivery.texts(),
                                delivery.language()));
        context.getRegistry().bind("resendButtons", commands.resendButtons());
        LOG.info(
                "Grafana: {}; silences from the chat: {}",
                grafana.settings(),
                silences.enabled() ? "on (alertmanager.api-url)" : "off (no alertmanager.api-url)");
    }
}
