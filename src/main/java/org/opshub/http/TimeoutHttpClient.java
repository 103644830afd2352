package org.opshub.http;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.util.Timeout;

/**
 * A camel-http client with one timeout for connecting, waiting for a pooled connection and
 * waiting for the answer, and without automatic retries (HttpClient 5 would otherwise repeat a
 * 429/503 once, hiding it). Routes create one per endpoint with
 * {@code httpClientConfigurer: "#class:org.opshub.http.TimeoutHttpClient('10s')"}.
 */
public final class TimeoutHttpClient implements HttpClientConfigurer {
    private final Duration timeout;

    /**
     * @param timeout a duration: {@code 10s}, {@code 1m30s}, {@code PT10S}
     * @throws IllegalArgumentException when the text is not a positive duration
     */
    public TimeoutHttpClient(String timeout) {
        this(Durations.parse(timeout));
    }

    /**
     * @throws IllegalArgumentException when the duration is not positive
     */
    public TimeoutHttpClient(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        Timeout t = Timeout.of(timeout.toMillis(), TimeUnit.MILLISECONDS);
        builder.setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                .setDefaultSocketConfig(SocketConfig.custom().setSoTimeout(t).build())
                .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(t).setSocketTimeout(t).build())
                .build());
        builder.disableAutomaticRetries();
        builder.setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(t).setConnectionRequestTimeout(t).build());
    }
}
