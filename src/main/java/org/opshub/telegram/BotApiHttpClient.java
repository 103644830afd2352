package org.opshub.telegram;

import java.net.Authenticator;
import java.net.InetSocketAddress;
import java.net.PasswordAuthentication;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.util.Timeout;

/**
 * Configures camel-http's client for the Bot API through one way of the {@link ProxyPool}: connect
 * timeout {@code telegram.connect-timeout}, response timeout ({@code telegram.http-timeout}, for
 * {@code sendPhoto} {@code telegram.picture-timeout}), and the
 * proxy: an HTTP proxy (CONNECT for https, Basic credentials from the URL's user info), the same over
 * TLS to the proxy ({@code https://}), or a SOCKS5 proxy (credentials answered only to that proxy); or
 * none (direct). Automatic retries are off: every answer, 429 included, reaches {@link Delivery}. SOCKS
 * is why the bot is not on camel-telegram: its java.net.http client ignores SOCKS proxies and connects
 * directly.
 */
public final class BotApiHttpClient implements HttpClientConfigurer {
    private final URI proxy;
    private final Duration connectTimeout;
    private final Duration responseTimeout;

    /**
     * @param proxy           the way's URI; null: direct
     * @param connectTimeout  how long a connection (to the proxy, or to the Bot API) may take
     * @param responseTimeout how long an answer may take: {@code telegram.http-timeout}, or {@code
     *                        telegram.picture-timeout} for the client of {@code sendPhoto}
     */
    public BotApiHttpClient(URI proxy, Duration connectTimeout, Duration responseTimeout) {
        this.proxy = proxy;
        this.connectTimeout = connectTimeout;
        this.responseTimeout = responseTimeout;
        if (proxy != null && proxy.getScheme().toLowerCase().startsWith("socks") && proxy.getUserInfo() != null) {
            installSocksAuthenticator(proxy);
        }
    }

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        Timeout timeout = Timeout.of(responseTimeout.toMillis(), TimeUnit.MILLISECONDS);
        SocketConfig.Builder socket =
                SocketConfig.custom().setSoTimeout(timeout).setTcpNoDelay(true);
        if (proxy != null && proxy.getScheme().toLowerCase().startsWith("socks")) {
            socket.setSocksProxyAddress(new InetSocketAddress(proxy.getHost(), proxy.getPort()));
        }
        builder.setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                .setDefaultSocketConfig(socket.build())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(connectTimeout.toMillis(), TimeUnit.MILLISECONDS))
                        .setSocketTimeout(timeout)
                        .build())
                .setMaxConnTotal(40)
                .setMaxConnPerRoute(40)
                .build());
        // HttpClient 5 would silently retry 429/503 once after 1 s; Delivery decides retries itself
        builder.disableAutomaticRetries();
        builder.setDefaultRequestConfig(RequestConfig.custom()
                .setResponseTimeout(timeout)
                .setConnectionRequestTimeout(Timeout.ofSeconds(10))
                .build());
        if (proxy != null && proxy.getScheme().toLowerCase().startsWith("http")) {
            builder.setProxy(new HttpHost(proxy.getScheme().toLowerCase(), proxy.getHost(), proxy.getPort()));
            if (proxy.getUserInfo() != null) {
                String[] up = userInfo(proxy);
                BasicCredentialsProvider credentials = new BasicCredentialsProvider();
                credentials.setCredentials(
                        new AuthScope(proxy.getHost(), proxy.getPort()),
                        new UsernamePasswordCredentials(up[0], up[1].toCharArray()));
                builder.setDefaultCredentialsProvider(credentials);
            }
        }
    }

    private static String[] userInfo(URI proxy) {
        String raw = proxy.getRawUserInfo();
        int colon = raw.indexOf(':');
        String user = colon < 0 ? raw : raw.substring(0, colon);
        String pass = colon < 0 ? "" : raw.substring(colon + 1);
        return new String[] {
            URLDecoder.decode(user, StandardCharsets.UTF_8), URLDecoder.decode(pass, StandardCharsets.UTF_8)
        };
    }

    /** The JDK's SOCKS client asks the default Authenticator; answer only for our proxy. */
    private static void installSocksAuthenticator(URI proxy) {
        String[] up = userInfo(proxy);
        Authenticator previous = Authenticator.getDefault();
        Authenticator.setDefault(new Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                if (getRequestingPort() == proxy.getPort() && proxy.getHost().equalsIgnoreCase(getRequestingHost())) {
                    return new PasswordAuthentication(up[0], up[1].toCharArray());
                }
                return previous == null
                        ? null
                        : previous.requestPasswordAuthenticationInstance(
                                getRequestingHost(),
                                getRequestingSite(),
                                getRequestingPort(),
                                getRequestingProtocol(),
                                getRequestingPrompt(),
                                getRequestingScheme(),
                                getRequestingURL(),
                                getRequestorType());
            }
        });
    }
}
