package org.opshub.cloudflare;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.opshub.config.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Cloudflare Stream capability ({@code cloudflare.*}): binds {@code cloudflareStream}. */
public final class CloudflareConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(CloudflareConfiguration.class);

    private CloudflareConfiguration() {}

    /** @throws org.opshub.config.ConfigException naming the property of a bad value */
    public static void bind(
            CamelContext context, MeterRegistry registry, Function<String, String> property, Clock clock) {
        Settings.duration(property, "cloudflare.period"); // the route's timer period
        String token = Settings.text(property, "cloudflare.token").strip();
        // the route writes Authorization: Bearer ${properties:cloudflare.token}: as read, stripped
        context.getPropertiesComponent().addOverrideProperty("cloudflare.token", token);
        StreamStorage stream = new StreamStorage(
                token,
                property.apply("cloudflare.accounts"),
                Settings.bool(property, "cloudflare.legacy-metrics"),
                registry,
                clock);
        context.getRegistry().bind("cloudflareStream", stream);
        // read by the cloudflare-api route template (TimeoutHttpClient)
        Settings.duration(property, "cloudflare.timeout");
        Settings.number(property, "cloudflare.max-answer-bytes", 1024, Integer.MAX_VALUE);
        LOG.info("Cloudflare Stream exporter: {}", stream);
    }
}
