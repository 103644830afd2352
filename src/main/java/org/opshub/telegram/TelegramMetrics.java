package org.opshub.telegram;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The metrics of Telegram delivery: counters {@code telegram_messages_sent_total{kind}},
 * {@code telegram_send_errors_total{code}} and {@code telegram_messages_dropped_total{reason}}, and the
 * last delivery error that {@code /status} shows.
 */
public final class TelegramMetrics {
    private final MeterRegistry registry;
    private volatile String lastError;

    /**
     * Registers the counters of every known label value at 0 (kinds sent, the causes of errors the Bot
     * API documents, the reasons of drops), so that a fresh hub already has their series and every panel
     * grouping by them shows data.
     */
    public TelegramMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (String kind : List.of("alert", "reply", "check", "photo")) {
            sent(kind, 0);
        }
        for (String code : List.of("400", "403", "429", "5xx", "network")) {
            errors(code);
        }
        for (String reason : List.of("expired", "rejected", "blocked", "picture")) {
            drops(reason);
        }
        for (String outcome : List.of("first_attempt", "after_retries")) {
            deliveryTimer("telegram", outcome);
        }
    }

    /** The buckets of {@code alert_delivery_seconds}: half a second to a day. */
    private static final Duration[] DELIVERY_BUCKETS = Arrays.stream(
                    new double[] {0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600})
            .mapToObj(s -> Duration.ofMillis((long) (s * 1000)))
            .toArray(Duration[]::new);

    /**
     * An alert's first delivery on a channel ({@code telegram}), {@code millis} after its webhook request
     * arrived: {@code alert_delivery_seconds{channel,outcome}}, outcome {@code first_attempt} or {@code
     * after_retries} (its message failed before: throttled, 5xx, network).
     */
    public void deliveryTime(String channel, boolean firstAttempt, long millis) {
        deliveryTimer(channel, firstAttempt ? "first_attempt" : "after_retries").record(Duration.ofMillis(millis));
    }

    private Timer deliveryTimer(String channel, String outcome) {
        return deliveryTimer(registry, channel, outcome);
    }

    /**
     * {@code alert_delivery_seconds{channel,outcome}} of a channel ({@code telegram}, {@code email}), outcome
     * {@code first_attempt} or {@code after_retries}, with the buckets every channel shares.
     */
    public static Timer deliveryTimer(MeterRegistry registry, String channel, String outcome) {
        return Timer.builder("alert_delivery")
                .tag("channel", channel)
                .tag("outcome", outcome)
                .description("Time from an alert's arrival (POST /alerts) to its first delivery on any channel")
                .serviceLevelObjectives(DELIVERY_BUCKETS)
                .register(registry);
    }

    /** {@code n} messages of {@code kind} accepted by the Bot API (or logged in console mode). */
    public void sent(String kind, int n) {
        Counter.builder("telegram_messages_sent_total")
                .tag("kind", kind)
                .description("Telegram messages accepted by the Bot API (or logged in console mode)")
                .register(registry)
                .increment(n);
    }

    /** A failed call, by cause: an HTTP status ({@code 429}, {@code 400}, {@code 5xx}, …) or {@code network}. */
    public void error(String code) {
        errors(code).increment();
    }

    private Counter errors(String code) {
        return Counter.builder("telegram_send_errors_total")
                .tag("code", code)
                .description("Failed sendMessage calls by cause: HTTP status (429, 400, 403, 5xx, …) or network")
                .register(registry);
    }

    /** A message given up: {@code expired}, {@code rejected}, {@code blocked} or {@code picture}. */
    public void dropped(String reason) {
        drops(reason).increment();
    }

    private Counter drops(String reason) {
        return Counter.builder("telegram_messages_dropped_total")
                .tag("reason", reason)
                .description("Messages given up: expired (telegram.max-delivery-age), rejected (400), blocked (403),"
                        + " picture (telegram.picture-attempts)")
                .register(registry);
    }

    /** The last delivery error (time, chat, status, description), or null. */
    public String lastError() {
        return lastError;
    }

    void lastError(String error) {
        this.lastError = error;
    }
}
