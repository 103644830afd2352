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

    /** Registers the sent counters of every kind at 0, so that a fresh hub already has their series. */
    public TelegramMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (String kind : List.of("alert", "reply", "check", "photo")) {
            sent(kind, 0);
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
        Counter.builder("telegram_send_errors_total")
                .tag("code", code)
                .description("Failed sendMessage calls by cause: HTTP status (429, 400, 403, 5xx, …) or network")
                .register(registry)
                .increment();
    }

    /** A message given up: {@code expired}, {@code rejected} or {@code blocked}. */
    public void dropped(String reason) {
        Counter.builder("telegram_messages_dropped_total")
                .tag("reason", reason)
                .description("Messages given up: expired (telegram.max-delivery-age), rejected (400), blocked (403)")
                .register(registry)
                .increment();
    }

    /** The last delivery error (time, chat, status, description), or null. */
    public String lastError() {
        return lastError;
    }

    void lastError(String error) {
        this.lastError = error;
    }
}
