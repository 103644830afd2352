package org.opshub.checks;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.opshub.alerts.AlertInbox;
import org.opshub.config.GivenKeys;
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

    private static final String MAINTENANCE = "checks.maintenance.";

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
        Set<String> checkNames = CheckParameters.validateDirectory(routesDir);
        ZoneId zone = Settings.zone(property, "checks.timezone", telegram.zone());
        NotifyWindow window =
                NotifyWindow.parse(property.apply("checks.notify-window"), property.apply("checks.notify-days"), zone);
        List<ChatTopic> chats = ChatTopic.parseList("checks.chats", property.apply("checks.chats"));
        MaintenanceStore maintenanceStore = new MaintenanceStore(store);
        CheckChats checkChats = new CheckChats(chats, outbox, maintenanceStore);
        ServiceChecks checks = new ServiceChecks(context, registry, clock, window, checkChats);
        boolean holdAlerts = Settings.bool(property, "telegram.quiet-hours");
        QuietLog quiet = new QuietLog(store, window, holdAlerts, clock);
        checks.quietLog(quiet);
        ChatTexts texts =
                new ChatTexts(context.getRegistry().lookupByNameAndType("botTexts", Texts.class), inbox::language);
        checkChats.languages(texts);
        Settings.duration(property, "checks.maintenance-interval"); // the checks-maintenance timer's period
        List<MaintenancePlan> plans = MaintenancePlan.from(
                GivenKeys.startingWith(context.getPropertiesComponent(), MAINTENANCE), property, zone, checkNames);
        for (MaintenancePlan p : plans) {
            String am = property.apply("alertmanager.api-url");
            if (!p.silence().isEmpty() && (am == null || am.isBlank())) {
                throw new IllegalArgumentException("checks.maintenance." + p.name()
                        + ".silence-alerts: a silence needs Alertmanager's API (alertmanager.api-url)");
            }
        }
        CheckMaintenance maintenance = new CheckMaintenance(
                maintenanceStore,
                plans,
                clock,
                zone,
                checkChats.chats(),
                outbox,
                Set.copyOf(TelegramSettings.ids(
                        "checks.maintenance-users", property.apply("checks.maintenance-users"), "a user id")),
                () -> {
                    Set<String> names = new TreeSet<>(checkNames);
                    names.addAll(checks.names());
                    return names;
                });
        maintenance.languages(texts);
        checks.maintenance(maintenance);
        inbox.quietHours(quiet);
        context.getRegistry().bind("serviceChecks", checks);
        context.getRegistry().bind("checkChats", checkChats);
        context.getRegistry().bind("checkMaintenance", maintenance);
        LOG.info(
                "Maintenance windows configured: {}",
                plans.stream().map(MaintenancePlan::name).toList());
        LOG.info(
                "Service checks: notify {} to {}",
                window,
                chats.isEmpty() || telegram.consoleMode() ? "the log (console)" : chats.size() + " chat(s)");
        return checks;
    }
}
