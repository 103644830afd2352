package org.opshub;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.main.Main;
import org.opshub.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts opshub ({@link OpsHubConfiguration} binds the state beans; named, not found by classpath
 * scanning, which read the whole jar at every start): Camel Main with the YAML routes of {@code routes/} and the properties of
 * {@code application.properties} (the copy in the working directory overrides the one embedded
 * in the jar; {@code -D} system properties and environment variables override both).
 * A configuration error ends the process with exit code {@value ConfigException#EXIT_CODE}.
 */
public final class OpsHub {
    private static final Logger LOG = LoggerFactory.getLogger(OpsHub.class);

    /**
     * Property locations; for a key in several, the first location that has it wins, so the
     * working directory's file comes before the defaults embedded in the jar.
     */
    public static final String PROPERTY_LOCATIONS =
            "file:application.properties;optional=true,classpath:application.properties;optional=true";

    private OpsHub() {}

    public static void main(String[] args) {
        Main main = create();
        Throwable failure = null;
        int code;
        try {
            code = main.run(args);
        } catch (Exception e) {
            failure = e;
            code = 1;
        }
        ConfigException config = ConfigException.in(failure);
        if (config != null) {
            LOG.error("Invalid configuration, not starting: {}", config.getMessage());
            System.exit(ConfigException.EXIT_CODE);
        }
        if (failure != null) {
            LOG.error("opshub could not start: {}", failure.toString());
        }
        System.exit(code);
    }

    /**
     * A configured, not yet started Main. The Prometheus registry is bound before Camel starts so
     * that Camel's metrics and the state beans' gauges share it.
     */
    public static Main create() {
        Main main = new Main();
        main.configure().addConfiguration(OpsHubConfiguration.class);
        main.setDefaultPropertyPlaceholderLocation(PROPERTY_LOCATIONS);
        main.bind(MicrometerConstants.METRICS_REGISTRY_NAME, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        return main;
    }
}
