package org.opshub.pacs;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.opshub.config.OnStop;
import org.opshub.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The PACS capability: reads {@code pacs.*} (files, {@code -D}, environment) and binds {@code pacsMonitor}. */
public final class PacsConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(PacsConfiguration.class);

    private PacsConfiguration() {}

    /** @throws IllegalArgumentException naming the property of a bad value */
    public static PacsMonitor bind(CamelContext context, MeterRegistry registry, Clock clock) {
        PropertiesComponent pc = context.getPropertiesComponent();
        PacsSettings settings = PacsSettings.from(
                PacsSettings.keys(
                        pc.loadProperties(k -> k.startsWith("pacs.")).stringPropertyNames(),
                        System.getProperties(),
                        System.getenv()),
                k -> pc.resolveProperty(k).orElse(null));
        PacsMonitor monitor = new PacsMonitor(settings, registry, clock);
        context.getRegistry().bind("pacsMonitor", monitor);
        LOG.info(monitor.describe());
        return monitor;
    }

    /** Binds {@code pacsResends}, the C-MOVE re-send, once the state store is there. */
    public static PacsResends bindResends(
            CamelContext context, PacsMonitor monitor, StateStore store, MeterRegistry registry, Clock clock) {
        PacsResends resends = new PacsResends(monitor, store, registry, clock);
        context.getRegistry().bind("pacsResends", resends);
        return resends;
    }

    /**
     * Binds {@code pacsCommitments}, Storage Commitment, and starts its SCP when a pair sets
     * {@code commitment=true} (stopped with the context).
     *
     * @throws IllegalArgumentException naming {@code pacs.scp.port} when the SCP cannot listen
     */
    public static PacsCommitments bindCommitments(
            CamelContext context, PacsMonitor monitor, StateStore store, MeterRegistry registry, Clock clock) {
        PacsCommitments commitments = new PacsCommitments(monitor, store, registry, clock);
        context.getRegistry().bind("pacsCommitments", commitments);
        OnStop.register(context, "the Storage Commitment SCP", commitments::close);
        return commitments;
    }
}
