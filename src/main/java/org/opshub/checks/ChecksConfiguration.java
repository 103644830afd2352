package org.opshub.checks;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.List;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.opshub.alerts.AlertInbox;
import org.opshub.config.Settings;
import org.opshub.state.StateStore;
import org.opshub.telegram.AlertDeliveryConfiguration;
import org.opshub.telegram.outbox.ChatTexts;
import org.opshub.telegram.outbox.ChatTopic;
import org.opshub.telegram.outbox.OutboxStore;
import org.opshub.telegram.outbox.TelegramSettings;
import org.opshub.telegram.outbox.Texts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service-check capability ({@code checks.*}): validates the checks of the route files, binds
 * {@code serviceChecks} (state, thresholds, quiet hours, notifications through
 * the outbox).
 */
public final class ChecksConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(ChecksConfiguration.class);

    private ChecksConfiguration() {}

    /** @throws org.opshub.config.ConfigException naming the property, or the route file and check, of a bad value */
    public static ServiceChecks bind(
            CamelContext context,
            MeterRegistry registry,
            Function<String, String> property,
            TelegramSettings telegram,
            OutboxStore outbox,
            Clock clock,
            Path routesDir,
            StateStore store,
            AlertInbox inbox) {
        AlertDeliveryConfiguration.readable(property, "checks.template", "templates/check.txt");
        AlertDeliveryConfiguration.readable(property, "checks.digest-template", "templates/digest.txt");
        AlertDeliveryConfiguration.readable(property, "checks.template-ru", "templates/check.ru.txt");
        AlertDeliveryConfiguration.readable(property, "checks.digest-template-ru", "templates/digest.ru.txt");
        Settings.duration(property, "checks.log-interval"); // the checks-report timer's period
        // read by route checks-external-ip (TimeoutHttpClient)
        Settings.duration(property, "checks.external-ip-timeout");
        Settings.number(property, "checks.external-ip-max-answer-bytes", 64, Integer.MAX_VALUE);
        CheckParameters.validateDirectory(routesDir);
        ZoneId zone = Settings.zone(property, "checks.timezone", telegram.zone());
        NotifyWindow window =
                NotifyWindow.parse(property.apply("checks.notify-window"), property.apply("checks.notify-days"), zone);
        List<ChatTopic> chats = ChatTopic.parseList("checks.chats", property.apply("checks.chats"));
        ServiceChecks checks = new ServiceChecks(context, registry, clock, window, chats, outbox);
        boolean holdAlerts = Settings.bool(property, "telegram.quiet-hours");
        QuietLog quiet = new QuietLog(store, window, holdAlerts, clock);
        checks.quietLog(quiet);
        checks.languages(
                new ChatTexts(context.getRegistry().lookupByNameAndType("botTexts", Texts.class), inbox::language));
        inbox.quietHours(quiet);
        context.getRegistry().bind("serviceChecks", checks);
        LOG.info(
                "Service checks: notify {} to {}",
                window,
                chats.isEmpty() || telegram.consoleMode() ? "the log (console)" : chats.size() + " chat(s)");
        return checks;
    }
}
