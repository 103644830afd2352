package org.opshub;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.spi.PropertiesComponent;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.support.service.ServiceSupport;
import org.opshub.alerts.AlertInbox;
import org.opshub.alerts.AlertWebhook;
import org.opshub.alerts.Subscriptions;
import org.opshub.bot.BotCommands;
import org.opshub.bot.BotUpdates;
import org.opshub.observe.HealthReport;
import org.opshub.observe.PrometheusScrape;
import org.opshub.pacs.PacsMonitor;
import org.opshub.pacs.PacsSettings;
import org.opshub.state.StateStore;
import org.opshub.state.StateStoreHealthCheck;
import org.opshub.telegram.BotApiHttpClient;
import org.opshub.telegram.Delivery;
import org.opshub.telegram.Outbox;
import org.opshub.telegram.TelegramSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the state beans the routes call ({@code pacsMonitor}, …). They are created once per
 * process, so route reloads (which re-create YAML {@code beans:}) keep their values and gauges.
 */
public final class OpsHubConfiguration implements CamelConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(OpsHubConfiguration.class);

    @Override
    public void configure(CamelContext context) {
        PropertiesComponent pc = context.getPropertiesComponent();
        MeterRegistry registry = context.getRegistry().lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME,
                MeterRegistry.class);
        PacsSettings pacs = PacsSettings.from(keys(pc, "pacs."), k -> pc.resolveProperty(k).orElse(null));
        PacsMonitor monitor = new PacsMonitor(pacs, registry);
        context.getRegistry().bind("pacsMonitor", monitor);
        context.getRegistry().bind("prometheusScrape", new PrometheusScrape((PrometheusMeterRegistry) registry));
        context.getRegistry().bind("healthReport", new HealthReport(context));
        LOG.info(monitor.describe());
        bindAlertDelivery(context, registry, k -> pc.resolveProperty(k).orElse(null));
    }

    /**
     * The state store and the alert delivery beans: {@code alertWebhook}, {@code alertInbox},
     * {@code telegramDelivery}, {@code botUpdates}, {@code botCommands}, {@code telegramHttpClient}.
     */
    private static void bindAlertDelivery(CamelContext context, MeterRegistry registry, Function<String, String> property) {
        String dir = Objects.requireNonNullElse(property.apply("state.directory"), "data");
        StateStore store = StateStore.open(property.apply("state.jdbc-url"), property.apply("state.jdbc-user"),
                property.apply("state.jdbc-password"), Path.of(dir));
        try {
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    store.close();
                }
            }, true);
        } catch (Exception e) {
            store.close();
            throw new IllegalStateException("cannot register the state store for shutdown", e);
        }
        TelegramSettings telegram = TelegramSettings.from(property);
        Subscriptions subscriptions = new Subscriptions(store);
        Outbox outbox = new Outbox(store, registry);
        AlertInbox inbox = new AlertInbox(store, subscriptions, telegram,
                Duration.parse(Objects.requireNonNullElse(property.apply("alertmanager.dedup-retention"), "P7D")), registry);
        Delivery delivery = new Delivery(telegram, store, outbox, subscriptions, registry);
        String maxBody = Objects.requireNonNullElse(property.apply("alertmanager.max-body-bytes"), "1048576");
        context.getRegistry().bind("stateStore", store);
        context.getRegistry().bind("stateStoreHealthCheck", new StateStoreHealthCheck(store));
        context.getRegistry().bind("alertInbox", inbox);
        context.getRegistry().bind("alertWebhook",
                new AlertWebhook(property.apply("alertmanager.bearer-token"), Long.parseLong(maxBody.strip()), inbox));
        context.getRegistry().bind("telegramDelivery", delivery);
        context.getRegistry().bind("telegramHttpClient", new BotApiHttpClient(telegram));
        context.getRegistry().bind("botUpdates", new BotUpdates(telegram, store));
        context.getRegistry().bind("botCommands", new BotCommands(telegram, subscriptions, inbox, outbox, delivery));
        LOG.info("Alert delivery: {}", telegram);
    }

    /**
     * Every property key below {@code prefix}: from the property files, from {@code -D} system
     * properties, and from environment variables named like {@code PACS_NODES_ARCHIVE_HOST}
     * (upper case, dots and dashes as underscores; the name part is taken in lower case).
     */
    static Set<String> keys(PropertiesComponent pc, String prefix) {
        Set<String> keys = new TreeSet<>(pc.loadProperties(k -> k.startsWith(prefix)).stringPropertyNames());
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(prefix)).forEach(keys::add);
        String envPrefix = prefix.toUpperCase().replace('.', '_');
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            String k = e.getKey();
            if (k.startsWith(envPrefix + "NODES_")) {
                keys.add(envKey(prefix + "nodes.", k.substring((envPrefix + "NODES_").length()),
                        "HOST", "PORT", "AE_TITLE", "MAX_RESULTS"));
            } else if (k.startsWith(envPrefix + "FORWARDING_")) {
                keys.add(envKey(prefix + "forwarding.", k.substring((envPrefix + "FORWARDING_").length()),
                        "SOURCE", "TARGET", "WINDOW", "SETTLE"));
            }
        }
        keys.remove("");
        return keys;
    }

    private static String envKey(String prefix, String rest, String... fields) {
        for (String f : fields) {
            if (rest.endsWith("_" + f) && rest.length() > f.length() + 1) {
                String name = rest.substring(0, rest.length() - f.length() - 1).toLowerCase();
                return prefix + name + "." + f.toLowerCase().replace('_', '-');
            }
        }
        return "";
    }
}
