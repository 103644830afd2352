package org.opshub.grafana;

import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.opshub.config.Settings;
import org.opshub.telegram.outbox.CallbackStore;
import org.opshub.telegram.outbox.OutboxStore;
import org.opshub.telegram.outbox.TelegramSettings;

/**
 * The Grafana capability ({@code grafana.*}): binds {@code grafanaBot} (keyboards, photos,
 * renders) and {@code grafanaApi} (which API serves a dashboard), and gives the routes {@code grafana.url} without a trailing slash.
 */
public final class GrafanaConfiguration {
    private GrafanaConfiguration() {}

    /** @throws org.opshub.config.ConfigException naming the property of a bad value */
    public static GrafanaBot bind(
            CamelContext context,
            Function<String, String> property,
            TelegramSettings telegram,
            CallbackStore callbacks,
            OutboxStore outbox) {
        GrafanaSettings settings = GrafanaSettings.from(property, telegram.zone());
        GrafanaBot grafana = new GrafanaBot(settings, callbacks, outbox);
        context.getRegistry().bind("grafanaBot", grafana);
        context.getRegistry().bind("grafanaApi", new DashboardApi(settings));
        // read by the grafana-api route template's render route (TimeoutHttpClient)
        Settings.number(property, "grafana.render.max-answer-bytes", 1024, Integer.MAX_VALUE);
        // the routes write {{grafana.url}}/api/...: without the trailing slash an operator may have typed
        context.getPropertiesComponent().addOverrideProperty("grafana.url", settings.url());
        return grafana;
    }
}
