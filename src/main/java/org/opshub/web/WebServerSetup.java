package org.opshub.web;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.impl.KeyStoreHelper;
import io.vertx.ext.web.Route;
import java.io.IOException;
import java.nio.file.Files;
import java.security.KeyStore;
import java.util.Objects;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.opshub.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the web config to Camel's embedded server ({@code camel.server.*}): TLS with the PEM
 * certificate and key of {@code tls_server_config} (as Camel's global SSL context, which the
 * server takes with {@code camel.server.useGlobalSslContextParameters=true}), and
 * {@link HttpAccess} in front of every route, installed when the routes start, before any of them
 * can answer.
 */
public final class WebServerSetup extends EventNotifierSupport {
    private static final Logger LOG = LoggerFactory.getLogger(WebServerSetup.class);
    private final CamelContext context;
    private final HttpAccess access;
    private final MeterRegistry registry;
    private volatile boolean installed;

    private WebServerSetup(CamelContext context, HttpAccess access, MeterRegistry registry) {
        this.context = context;
        this.access = access;
        this.registry = registry;
        setIgnoreExchangeEvents(true);
        setIgnoreRouteEvents(true);
        setIgnoreServiceEvents(true);
        setIgnoreStepEvents(true);
    }

    /**
     * Reads TLS material now (so a bad file stops startup) and registers the access handler.
     *
     * @throws ConfigException naming the web config file when its certificate or key cannot be used
     */
    public static void apply(CamelContext context, WebConfig config, HttpAccess access, MeterRegistry registry) {
        if (config.tls() != null) {
            context.setSSLContextParameters(sslContext(config));
        }
        context.getManagementStrategy().addEventNotifier(new WebServerSetup(context, access, registry));
    }

    static SSLContextParameters sslContext(WebConfig config) {
        WebConfig.Tls tls = config.tls();
        KeyStore store;
        try {
            store = new PemKeyCertOptions()
                    .setCertValue(Buffer.buffer(Files.readAllBytes(tls.certFile())))
                    .setKeyValue(Buffer.buffer(Files.readAllBytes(tls.keyFile())))
                    .loadKeyStore(null);
        } catch (IOException e) {
            throw new ConfigException(WebConfig.PROPERTY, config.file() + ": cannot read " + e.getMessage());
        } catch (Exception e) {
            throw new ConfigException(
                    WebConfig.PROPERTY,
                    config.file() + ": tls_server_config.cert_file="
                            + tls.certFile() + " / key_file=" + tls.keyFile()
                            + " are not a PEM certificate and private key ("
                            + e.getClass().getSimpleName() + ")");
        }
        KeyStoreParameters ksp = new KeyStoreParameters();
        ksp.setKeyStore(store);
        KeyManagersParameters kmp = new KeyManagersParameters();
        kmp.setKeyStore(ksp);
        kmp.setKeyPassword(KeyStoreHelper.DUMMY_PASSWORD);
        SSLContextParameters ssl = new SSLContextParameters();
        ssl.setKeyManagers(kmp);
        return ssl;
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.CamelContextRoutesStartingEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        if (installed) {
            return;
        }
        MainHttpServer server = context.hasService(MainHttpServer.class);
        VertxPlatformHttpRouter router = server == null ? null : server.getRouter();
        if (router == null) {
            throw new IllegalStateException("the embedded HTTP server is not up: access control cannot be installed");
        }
        if (registry != null) {
            // first: every request is measured, refusals of the access layer included
            router.route()
                    .order(Integer.MIN_VALUE)
                    .handler(new HttpMetrics(
                            registry,
                            () -> router.getRoutes().stream()
                                    .map(Route::getPath)
                                    .filter(Objects::nonNull)
                                    .toList()));
        }
        router.route().order(Integer.MIN_VALUE + 1).handler(access);
        // a client that went away (or was closed by the idle or read timeout) mid-request: nothing to
        // answer and nothing to report at ERROR, as Vert.x would for an unhandled failure
        router.route().order(Integer.MIN_VALUE + 2).failureHandler(ctx -> {
            if (ctx.failure() instanceof HttpClosedException) {
                LOG.debug("Client of {} closed or was closed before the request ended", ctx.normalizedPath());
            } else {
                ctx.next();
            }
        });
        installed = true;
        LOG.debug("HTTP access control installed");
    }
}
