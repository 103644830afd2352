package org.opshub;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.main.Main;

/**
 * Starts opshub (configuration classes such as {@link OpsHubConfiguration} are found by classpath scanning): Camel Main with the YAML routes of {@code routes/} and the properties of
 * {@code application.properties} (the copy in the working directory overrides the one embedded
 * in the jar; {@code -D} system properties and environment variables override both).
 */
public final class OpsHub {
    /**
     * Property locations; for a key in several, the first location that has it wins, so the
     * working directory's file comes before the defaults embedded in the jar.
     */
    public static final String PROPERTY_LOCATIONS =
            "file:application.properties;optional=true,classpath:application.properties;optional=true";

    private OpsHub() {
    }

    public static void main(String[] args) throws Exception {
        create().run(args);
    }

    /**
     * A configured, not yet started Main. The Prometheus registry is bound before Camel starts so
     * that Camel's metrics and the state beans' gauges share it.
     */
    public static Main create() {
        Main main = new Main(OpsHub.class);
        main.setDefaultPropertyPlaceholderLocation(PROPERTY_LOCATIONS);
        main.bind(MicrometerConstants.METRICS_REGISTRY_NAME, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        return main;
    }
}
