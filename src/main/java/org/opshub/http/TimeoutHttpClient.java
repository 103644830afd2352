package org.opshub.http;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.util.Timeout;

/**
 * A camel-http client with one timeout for connecting, waiting for a pooled connection and
 * waiting for the answer, and without automatic retries (HttpClient 5 would otherwise repeat a
 * 429/503 once, hiding it), whose answers are read up to a cap: a longer body fails the call
 * with an {@link java.io.IOException} ("answer body larger than N bytes") and the connection is
 * dropped, not drained. Routes create one per endpoint with
 * {@code httpClientConfigurer: "#class:org.opshub.http.TimeoutHttpClient('10s')"} or, with a cap of
 * their own, {@code "#class:org.opshub.http.TimeoutHttpClient('10s', '1048576')"}.
 */
public final class TimeoutHttpClient implements HttpClientConfigurer {
    /** The cap when none is given: 16 MiB (a Grafana panel PNG fits). */
    public static final long DEFAULT_MAX_BODY_BYTES = 16L << 20;

    private final Duration timeout;
    private final long maxBodyBytes;

    /**
     * @param timeout a duration: {@code 10s}, {@code 1m30s}, {@code PT10S}
     * @throws IllegalArgumentException when the text is not a positive duration
     */
    public TimeoutHttpClient(String timeout) {
        this(Durations.parse(timeout), DEFAULT_MAX_BODY_BYTES);
    }

    /**
     * @param timeout      a duration: {@code 10s}, {@code 1m30s}, {@code PT10S}
     * @param maxBodyBytes the largest answer body read, bytes
     * @throws IllegalArgumentException when either is not positive
     */
    public TimeoutHttpClient(String timeout, String maxBodyBytes) {
        this(Durations.parse(timeout), Long.parseLong(maxBodyBytes.strip()));
    }

    /** @throws IllegalArgumentException when the duration is not positive */
    public TimeoutHttpClient(Duration timeout) {
        this(timeout, DEFAULT_MAX_BODY_BYTES);
    }

    /**
     * @param maxBodyBytes the largest answer body read, bytes
     * @throws IllegalArgumentException when the duration or the cap is not positive
     */
    public TimeoutHttpClient(Duration timeout, long maxBodyBytes) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("maxBodyBytes must be positive: " + maxBodyBytes);
        }
        this.timeout = timeout;
        this.maxBodyBytes = maxBodyBytes;
    }

    public Duration timeout() {
        return timeout;
    }

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        Timeout t = Timeout.of(timeout.toMillis(), TimeUnit.MILLISECONDS);
        builder.setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                .setDefaultSocketConfig(SocketConfig.custom().setSoTimeout(t).build())
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(t)
                        .setSocketTimeout(t)
                        .build())
                .build());
        builder.disableAutomaticRetries();
        builder.addResponseInterceptorLast((response, entity, context) -> {
            if (response instanceof ClassicHttpResponse classic && classic.getEntity() != null) {
                classic.setEntity(new CappedEntity(classic.getEntity(), maxBodyBytes));
            }
        });
        builder.setDefaultRequestConfig(RequestConfig.custom()
                .setResponseTimeout(t)
                .setConnectionRequestTimeout(t)
                .build());
    }
}
