package org.opshub;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DateTimeException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.spi.PropertiesComponent;
import org.opshub.checks.CheckParameters;
import org.opshub.checks.ChecksConfiguration;
import org.opshub.checks.MaintenancePlan;
import org.opshub.checks.ServiceChecks;
import org.opshub.cloudflare.CloudflareConfiguration;
import org.opshub.cluster.ClusterConfiguration;
import org.opshub.cluster.LeaseClusterService;
import org.opshub.config.ConfigException;
import org.opshub.config.KnownKeys;
import org.opshub.config.Settings;
import org.opshub.grafana.GrafanaBot;
import org.opshub.grafana.GrafanaConfiguration;
import org.opshub.mail.EmailSubscriptions;
import org.opshub.mail.MailConfiguration;
import org.opshub.mail.MailFallback;
import org.opshub.observe.ObservabilityConfiguration;
import org.opshub.pacs.PacsConfiguration;
import org.opshub.pacs.PacsMonitor;
import org.opshub.pacs.PacsResends;
import org.opshub.pacs.PacsSettings;
import org.opshub.reload.TemplatedRouteReload;
import org.opshub.state.StateConfiguration;
import org.opshub.state.StateStore;
import org.opshub.telegram.AlertDeliveryConfiguration;
import org.opshub.telegram.bot.BotCommands;
import org.opshub.telegram.bot.BotConfiguration;
import org.opshub.telegram.bot.BotWebhook;
import org.opshub.telegram.outbox.CallbackStore;
import org.opshub.telegram.outbox.ChatTexts;
import org.opshub.telegram.outbox.TelegramSettings;
import org.opshub.web.HttpAccess;
import org.opshub.web.WebConfiguration;

/**
 * Binds the state beans the routes call, one capability after the other, each by its own
 * configuration class (observability, PACS, web access, state, cluster, alert delivery, Grafana, checks,
 * bot, Cloudflare). They are created once per process, so route reloads (which re-create YAML
 * {@code beans:}) keep their values and gauges. A {@link Clock} bound as {@code opshubClock} before
 * start replaces the system clock (tests).
 */
public final class OpsHubConfiguration implements CamelConfiguration {

    /**
     * Binds every bean; a property opshub cannot run with stops startup.
     *
     * @throws ConfigException naming the property and the value's problem (exit 78)
     */
    @Override
    public void configure(CamelContext context) {
        try {
            bindAll(context);
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException | DateTimeException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    private static void bindAll(CamelContext context) {
        PropertiesComponent pc = context.getPropertiesComponent();
        Function<String, String> property = k -> pc.resolveProperty(k).orElse(null);
        PrometheusMeterRegistry registry = context.getRegistry()
                .lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME, PrometheusMeterRegistry.class);
        Clock clock = Objects.requireNonNullElse(
                context.getRegistry().lookupByNameAndType("opshubClock", Clock.class), Clock.systemUTC());
        Path routesDir = Path.of(Settings.text(property, "camel.main.routesReloadDirectory"));
        maskInSummary(context, checkKeys(pc), property);
        Settings.number(property, "camel.server.port", "9000", 1, 65535);

        ObservabilityConfiguration.bind(context, registry, property);
        PacsMonitor pacs = PacsConfiguration.bind(context, registry, clock);
        TelegramSettings telegram = TelegramSettings.from(property);
        HttpAccess access = WebConfiguration.bind(
                context, property, registry, telegram.webhookMode() ? telegram.webhookSecret() : "");
        StateStore store = StateConfiguration.bind(context, property);
        PacsResends resends = PacsConfiguration.bindResends(context, pacs, store, registry, clock);
        PacsConfiguration.bindCommitments(context, pacs, store, registry, clock);
        LeaseClusterService cluster = ClusterConfiguration.bind(context, registry, property, store, clock);
        AlertDeliveryConfiguration.Beans delivery =
                AlertDeliveryConfiguration.bind(context, registry, property, telegram, store, cluster.hubId());
        delivery.delivery().claimsAs(cluster.hubId());
        cluster.onRoleChange(leads -> {
            if (leads) {
                delivery.delivery().leading();
            }
        });
        CallbackStore callbacks = new CallbackStore(store);
        context.getRegistry().bind("botCallbacks", callbacks);
        GrafanaBot grafana = GrafanaConfiguration.bind(context, property, telegram, callbacks, delivery.outbox());
        ServiceChecks checks = ChecksConfiguration.bind(
                context, registry, property, telegram, delivery.outbox(), clock, routesDir, store, delivery.inbox());
        BotConfiguration.bind(
                context, registry, property, telegram, store, delivery, callbacks, grafana, pacs, checks, clock);
        BotWebhook webhook = context.getRegistry().lookupByNameAndType("botWebhook", BotWebhook.class);
        if (webhook != null) {
            access.onWebhookRefused(webhook::refused);
        }
        MailFallback mailFallback = MailConfiguration.bind(
                context,
                registry,
                property,
                telegram,
                store,
                new ChatTexts(delivery.texts(), delivery.inbox()::language),
                delivery.inbox(),
                delivery.texts());
        context.getRegistry()
                .lookupByNameAndType("botCommands", BotCommands.class)
                .fallback(mailFallback);
        CloudflareConfiguration.bind(context, registry, property, clock);
        if (Settings.bool(property, "camel.main.routesReloadEnabled", false)) {
            try {
                context.addService(new TemplatedRouteReload(
                        routesDir.toString(), CheckParameters::validate, checks::forgetRemoved));
            } catch (Exception e) {
                throw new IllegalStateException("cannot watch the routes directory for templated routes", e);
            }
        }
        ObservabilityConfiguration.debugLog(context, property, List.of(telegram.webhookSecret()));
    }

    /**
     * Every key under opshub's prefixes that was given (property files, override properties, {@code -D})
     * is one a setting reads.
     *
     * @throws ConfigException naming the unknown key and the nearest known one
     */
    private static Set<String> checkKeys(PropertiesComponent pc) {
        Set<String> present =
                new TreeSet<>(pc.loadProperties(k -> KnownKeys.PREFIXES.stream().anyMatch(k::startsWith))
                        .stringPropertyNames());
        present.addAll(System.getProperties().stringPropertyNames());
        new KnownKeys(
                        KnownKeys.of("application.properties"),
                        Map.of(
                                "pacs.nodes.",
                                PacsSettings.NODE_KEYS,
                                "pacs.forwarding.",
                                PacsSettings.PAIR_KEYS,
                                "mail.subscriptions.",
                                EmailSubscriptions.KEYS,
                                "checks.maintenance.",
                                MaintenancePlan.KEYS))
                .check(present);
        return present;
    }

    /**
     * Camel's startup property summary masks a key whose last part is one of its sensitive words or
     * a part of {@code camel.main.additionalSensitiveKeywords}; this adds the last part of every
     * given key that ends in password, token, secret or passphrase, and of every key whose value
     * carries URL credentials, so that none of their values is printed.
     */
    private static void maskInSummary(CamelContext context, Set<String> keys, Function<String, String> property) {
        Set<String> words = new TreeSet<>();
        for (String k : keys) {
            String last =
                    k.substring(k.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT).replace("-", "");
            String v = Objects.requireNonNullElse(property.apply(k), "");
            if (last.matches(".*(password|passwd|token|secret|passphrase|apikey|credentials?)")
                    || v.matches("(?s).*://[^/@\\s]+@.*")) {
                words.add(last);
            }
        }
        if (!words.isEmpty()) {
            String existing = context.getCamelContextExtension().getAdditionalSensitiveKeywords();
            context.getCamelContextExtension()
                    .setAdditionalSensitiveKeywords(
                            (existing == null || existing.isBlank() ? "" : existing + ",") + String.join(",", words));
        }
    }
}
