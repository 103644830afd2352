package org.opshub.telegram;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
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
