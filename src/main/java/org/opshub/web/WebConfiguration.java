package org.opshub.web;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.opshub.config.OnStop;
import org.opshub.config.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access capability of the HTTP port: reads {@code opshub.web-config-file} and installs TLS
 * and {@link HttpAccess}; says in one WARN line when {@code POST /alerts} takes loopback clients only.
 */
public final class WebConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(WebConfiguration.class);

    private WebConfiguration() {}

    /**
     * @return the access layer (the bot tells it whom to inform of refused webhook requests)
     * @throws org.opshub.config.ConfigException naming the property or the web config's field
     */
    public static HttpAccess bind(
            CamelContext context, Function<String, String> property, MeterRegistry registry, String webhookSecret) {
        WebConfig web = WebConfig.load(property.apply(WebConfig.PROPERTY));
        boolean alertsToken =
                !Settings.text(property, "alertmanager.bearer-token").isEmpty();
        Duration idle = Settings.duration(property, "opshub.http-idle-timeout");
        HttpAccess.Limits limits = new HttpAccess.Limits(
                Settings.duration(property, "opshub.http-read-timeout"),
                webhookSecret,
                Settings.number(property, "telegram.webhook-max-body-bytes", 1024, 16 << 20),
                (int) Settings.number(property, "opshub.bcrypt-concurrency", 1, 64));
        // Camel's embedded server takes the Vert.x it finds in the registry: the one that applies the
        // idle timeout and the TLS policy to the server it creates
        Vertx vertx = Vertx.vertx();
        context.getRegistry().bind("opshubVertx", HardenedVertx.wrap(vertx, web, idle));
        OnStop.register(context, "the HTTP server's Vert.x", vertx::close);
        HttpAccess access = new HttpAccess(
                web,
                alertsToken,
                Settings.number(property, "camel.server.maxBodySize", "1048576", 1, Integer.MAX_VALUE),
                Settings.number(property, "alertmanager.max-body-bytes", 1, Integer.MAX_VALUE),
                limits);
        WebServerSetup.apply(context, web, access, registry);
        LOG.info(
                "HTTP access: {}; {}",
                web.file() == null
                        ? "no " + WebConfig.PROPERTY
                                + " (status pages answer loopback clients only, /metrics and health are open)"
                        : web.file()
                                + (web.tls() != null ? " (TLS" : " (plain HTTP")
                                + (web.hasUsers()
                                        ? ", " + web.users().size()
                                                + " user(s) for every page but /alerts and /telegram/webhook)"
                                        : ", no users: status pages answer loopback clients only)"),
                "camel.server.maxBodySize=" + property.apply("camel.server.maxBodySize") + " bytes");
        if (!alertsToken) {
            LOG.warn("POST /alerts accepts loopback clients only: alertmanager.bearer-token is empty");
        }
        return access;
    }
}
