package org.opshub.web;

import java.util.Objects;
import java.util.function.Function;

import org.apache.camel.CamelContext;
import org.opshub.config.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access capability of the HTTP port: reads {@code opshub.web-config-file} and installs TLS
 * and {@link HttpAccess}; says in one WARN line when {@code POST /alerts} takes loopback clients only.
 */
public final class WebConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(WebConfiguration.class);

    private WebConfiguration() {
    }

    /** @throws org.opshub.config.ConfigException naming the property or the web config's field */
    public static void bind(CamelContext context, Function<String, String> property,
                            io.micrometer.core.instrument.MeterRegistry registry) {
        WebConfig web = WebConfig.load(property.apply(WebConfig.PROPERTY));
        boolean alertsToken = !Objects.requireNonNullElse(property.apply("alertmanager.bearer-token"), "").isEmpty();
        WebServerSetup.apply(context, web, new HttpAccess(web, alertsToken,
                Settings.number(property, "camel.server.maxBodySize", "1048576", 1, Integer.MAX_VALUE),
                Settings.number(property, "alertmanager.max-body-bytes", "1048576", 1, Integer.MAX_VALUE)), registry);
        LOG.info("HTTP access: {}; {}", web.file() == null ? "no " + WebConfig.PROPERTY
                + " (status pages answer loopback clients only, /metrics and health are open)"
                : web.file() + (web.tls() != null ? " (TLS" : " (plain HTTP") + (web.hasUsers()
                        ? ", " + web.users().size() + " user(s) for every page but /alerts and /telegram/webhook)"
                        : ", no users: status pages answer loopback clients only)"),
                "camel.server.maxBodySize=" + property.apply("camel.server.maxBodySize") + " bytes");
        if (!alertsToken) {
            LOG.warn("POST /alerts accepts loopback clients only: alertmanager.bearer-token is empty");
        }
    }
}
