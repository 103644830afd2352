package org.opshub.alerts;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;

/**
 * The meters of alert intake (Prometheus exposition): {@code alertmanager_alerts_received_total{status}},
 * {@code alertmanager_alerts_duplicate_total} and the gauge {@code alertmanager_intake_waiting}.
 */
final class AlertMetrics {
    private final Counter firing;
    private final Counter resolved;
    private final Counter duplicates;

    /** Registers the counters (each at 0, so that a fresh hub already has their series). */
    AlertMetrics(MeterRegistry registry) {
        String help = "Alerts received from Alertmanager webhooks, duplicates included";
        this.firing = Counter.builder("alertmanager_alerts_received_total")
                .tag("status", Alert.FIRING)
                .description(help)
                .register(registry);
        this.resolved = Counter.builder("alertmanager_alerts_received_total")
                .tag("status", Alert.RESOLVED)
                .description(help)
                .register(registry);
        this.duplicates = Counter.builder("alertmanager_alerts_duplicate_total")
                .description("Alerts received again with a known fingerprint+status+startsAt (no new message)")
                .register(registry);
    }

    /** One alert received, of its status. */
    void received(Alert alert) {
        (alert.firing() ? firing : resolved).increment();
    }

    /** One alert received again (its key was seen). */
    void duplicate() {
        duplicates.increment();
    }

    /** {@code alertmanager_intake_waiting}: journal rows answered 200 and not recorded yet, as {@code waiting} says. */
    static void intakeWaiting(MeterRegistry registry, Supplier<Number> waiting) {
        Gauge.builder("alertmanager_intake_waiting", waiting)
                .description(
                        "Webhook requests answered 200 whose alerts are not recorded yet, as of the last retry round")
                .register(registry);
    }
}
