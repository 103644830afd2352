package org.opshub;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.spi.PropertiesComponent;
import org.opshub.bot.BotConfiguration;
import org.opshub.checks.CheckParameters;
import org.opshub.checks.ChecksConfiguration;
import org.opshub.checks.ServiceChecks;
import org.opshub.cluster.ClusterConfiguration;
import org.opshub.cluster.LeaseClusterService;
import org.opshub.cloudflare.CloudflareConfiguration;
import org.opshub.config.ConfigException;
import org.opshub.grafana.GrafanaBot;
import org.opshub.grafana.GrafanaConfiguration;
import org.opshub.observe.ObservabilityConfiguration;
import org.opshub.outbox.Callbacks;
import org.opshub.outbox.TelegramSettings;
import org.opshub.pacs.PacsConfiguration;
import org.opshub.pacs.PacsMonitor;
import org.opshub.pacs.PacsResends;
import org.opshub.reload.TemplatedRouteReload;
import org.opshub.state.StateConfiguration;
import org.opshub.state.StateStore;
import org.opshub.telegram.AlertDeliveryConfiguration;
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
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    private static void bindAll(CamelContext context) {
        PropertiesComponent pc = context.getPropertiesComponent();
        Function<String, String> property = k -> pc.resolveProperty(k).orElse(null);
        PrometheusMeterRegistry registry = context.getRegistry().lookupByNameAndType(
                MicrometerConstants.METRICS_REGISTRY_NAME, PrometheusMeterRegistry.class);
        Clock clock = Objects.requireNonNullElse(context.getRegistry().lookupByNameAndType("opshubClock", Clock.class),
                Clock.systemUTC());
        Path routesDir = Path.of(Objects.requireNonNullElse(property.apply("camel.main.routesReloadDirectory"), "routes"));

        ObservabilityConfiguration.bind(context, registry, property);
        PacsMonitor pacs = PacsConfiguration.bind(context, registry, clock);
        TelegramSettings telegram = TelegramSettings.from(property);
        WebConfiguration.bind(context, property, registry);
        StateStore store = StateConfiguration.bind(context, property);
        PacsResends resends = PacsConfiguration.bindResends(context, pacs, store, registry, clock);
        LeaseClusterService cluster = ClusterConfiguration.bind(context, registry, property, store, clock);
        AlertDeliveryConfiguration.Beans delivery = AlertDeliveryConfiguration.bind(context, registry, property, telegram, store);
        delivery.delivery().claimsAs(cluster.hubId());
        cluster.onRoleChange(leads -> {
            if (leads) {
                delivery.delivery().leading();
            }
        });
        Callbacks callbacks = new Callbacks(store);
        context.getRegistry().bind("botCallbacks", callbacks);
        GrafanaBot grafana = GrafanaConfiguration.bind(context, property, telegram, callbacks, delivery.outbox());
        ServiceChecks checks = ChecksConfiguration.bind(context, registry, property, telegram, delivery.outbox(), clock,
                routesDir, store, delivery.inbox());
        BotConfiguration.bind(context, registry, property, telegram, store, delivery, callbacks, grafana, pacs, checks, clock);
        CloudflareConfiguration.bind(context, registry, property, clock);
        if (Boolean.parseBoolean(property.apply("camel.main.routesReloadEnabled"))) {
            try {
                context.addService(new TemplatedRouteReload(routesDir.toString(), CheckParameters::validate,
                        checks::forgetRemoved));
            } catch (Exception e) {
                throw new IllegalStateException("cannot watch the routes directory for templated routes", e);
            }
        }
        ObservabilityConfiguration.debugLog(context, property, List.of(telegram.webhookSecret()));
    }
}
