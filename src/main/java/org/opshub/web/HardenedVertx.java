package org.opshub.web;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.impl.VertxInternal;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The Vert.x instance Camel's embedded server ({@code camel.server.*}) finds in the registry and
 * creates its HTTP server with: the same Vert.x, except that {@code createHttpServer(options)}
 * first applies what Camel's server has no setting for (Vert.x {@code HttpServerOptions}):
 * <ul>
 * <li>the idle timeout ({@code opshub.http-idle-timeout}): a connection that sends and receives
 * nothing for that long is closed, an idle one as a half-sent request;</li>
 * <li>the web config's TLS versions and cipher suites (exporter-toolkit's
 * {@code tls_server_config.min_version}, {@code max_version}, {@code cipher_suites}; by default TLS
 * 1.2 and 1.3 with forward-secret AEAD suites only);</li>
 * <li>{@code http_server_config.http2}: {@code true} negotiates HTTP/2 by ALPN over TLS, {@code false}
 * also refuses the cleartext upgrade.</li>
 * </ul>
 */
public final class HardenedVertx {
    private HardenedVertx() {}

    /**
     * @param real the Vert.x instance that does the work (closed by {@link WebConfiguration} when
     *             Camel stops)
     * @param web  the web config
     * @param idle the idle timeout, at least a second
     */
    public static Vertx wrap(Vertx real, WebConfig web, Duration idle) {
        return (Vertx) Proxy.newProxyInstance(
                HardenedVertx.class.getClassLoader(), new Class<?>[] {VertxInternal.class}, (proxy, method, args) -> {
                    if (method.getName().equals("createHttpServer")
                            && args != null
                            && args.length == 1
                            && args[0] instanceof HttpServerOptions options) {
                        return real.createHttpServer(apply(options, web, idle));
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** {@code options} with the idle timeout, the TLS policy and the HTTP/2 choice of the web config. */
    static HttpServerOptions apply(HttpServerOptions options, WebConfig web, Duration idle) {
        options.setIdleTimeout((int) Math.max(1, idle.toSeconds())).setIdleTimeoutUnit(TimeUnit.SECONDS);
        if (options.isSsl() && web.tls() != null) {
            options.setEnabledSecureTransportProtocols(web.tls().protocols());
            for (String suite : web.tls().cipherSuites()) {
                options.addEnabledCipherSuite(suite);
            }
        }
        if (Boolean.TRUE.equals(web.http2()) && options.isSsl()) {
            options.setUseAlpn(true);
        } else if (Boolean.FALSE.equals(web.http2())) {
            options.setHttp2ClearTextEnabled(false);
        }
        return options;
    }
}
