package org.opshub.checks;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * The gauges of service checks, per check (label {@code check}): {@code probe_success}, {@code
 * probe_duration_seconds}, {@code check_up}, {@code check_consecutive_failures}, {@code
 * check_maintenance}, and {@code check_suppressed{check,by}} while a DOWN check it depends on
 * suppresses it. Removed with the check's route.
 */
final class CheckMetrics {
    private final MeterRegistry registry;

    CheckMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * The gauges of check {@code name}.
     *
     * @param state         the check's state by name (null once forgotten: NaN)
     * @param inMaintenance whether a maintenance window holds a check now
     */
    List<Meter> gauges(String name, Function<String, CheckState> state, Predicate<String> inMaintenance) {
        List<Meter> meters = new ArrayList<>();
        meters.add(Gauge.builder("probe_success", () -> value(state.apply(name), s -> s.lastSuccess ? 1 : 0))
                .description("1 when the last probe of the check succeeded (blackbox_exporter naming)")
                .tag("check", name)
                .register(registry));
        meters.add(Gauge.builder("probe_duration_seconds", () -> value(state.apply(name), s -> s.lastDuration))
                .description("How long the last probe of the check took")
                .tag("check", name)
                .baseUnit("seconds")
                .register(registry));
        meters.add(Gauge.builder("check_up", () -> value(state.apply(name), s -> s.up ? 1 : 0))
                .description("1 = UP, 0 = DOWN: the check's state after failureThreshold/successThreshold")
                .tag("check", name)
                .register(registry));
        meters.add(Gauge.builder("check_maintenance", () -> inMaintenance.test(name) ? 1 : 0)
                .description("1 while a maintenance window holds the check (it probes and notifies nothing)")
                .tag("check", name)
                .register(registry));
        meters.add(
                Gauge.builder("check_consecutive_failures", () -> value(state.apply(name), s -> s.consecutiveFailures))
                        .description("Failed probes in a row (0 after a success)")
                        .tag("check", name)
                        .register(registry));
        return meters;
    }

    /** {@code check_suppressed{check,by}} 1 while suppressed by {@code by} (null: not), removed when it ends. */
    void suppressed(CheckState s, String by) {
        if (Objects.equals(s.suppressedBy, by)) {
            return;
        }
        if (s.suppressedMeter != null) {
            registry.remove(s.suppressedMeter);
            s.meters.remove(s.suppressedMeter);
            s.suppressedMeter = null;
        }
        if (by != null) {
            s.suppressedMeter = Gauge.builder("check_suppressed", () -> 1)
                    .description("1 while a check this one depends on (by) is DOWN: its own DOWN is not sent")
                    .tag("check", s.name)
                    .tag("by", by)
                    .register(registry);
            s.meters.add(s.suppressedMeter);
        }
    }

    /** Removes every gauge of a forgotten check. */
    void remove(CheckState s) {
        s.meters.forEach(registry::remove);
    }

    private static double value(CheckState s, ToDoubleFunction<CheckState> f) {
        if (s == null) {
            return Double.NaN;
        }
        synchronized (s) {
            return f.applyAsDouble(s);
        }
    }
}
