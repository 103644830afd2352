package org.opshub.checks;

import io.micrometer.core.instrument.Meter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The mutable state of one check; guarded by its own monitor ({@link ServiceChecks} synchronizes).
 * A check starts UP (and notified UP), so a target that is down from the start is notified once
 * the failure threshold is reached.
 */
final class CheckState {
    final String name;
    final List<Meter> meters;
    String type = "";
    String target = "";
    String routeId;
    boolean up = true;
    boolean notifiedUp = true;
    int consecutiveFailures;
    int consecutiveSuccesses;
    boolean lastSuccess;
    double lastDuration;
    String lastDetail = "";
    Instant lastProbeAt;
    Instant since;
    Instant downSince;
    Instant lastNotifiedAt;

    CheckState(String name, List<Meter> meters) {
        this.name = name;
        this.meters = meters;
    }

    /** Applies one probe result and the thresholds. */
    void probe(ProbeResult r, Instant now, int failureThreshold, int successThreshold) {
        lastSuccess = r.success();
        lastDuration = r.durationSeconds();
        lastDetail = r.detail();
        lastProbeAt = now;
        if (since == null) {
            since = now;
        }
        if (r.success()) {
            consecutiveSuccesses++;
            consecutiveFailures = 0;
            if (!up && consecutiveSuccesses >= successThreshold) {
                up = true;
                since = now;
            }
        } else {
            consecutiveFailures++;
            consecutiveSuccesses = 0;
            if (up && consecutiveFailures >= failureThreshold) {
                up = false;
                since = now;
                downSince = now;
            }
        }
    }

    /**
     * The notification due now, if any, and marks it made: the state change not yet notified (only
     * while the window is open), or a reminder while DOWN.
     */
    CheckNotification.Kind due(Instant now, boolean windowOpen, Duration reminder) {
        if (!windowOpen) {
            return null;
        }
        if (up != notifiedUp) {
            notifiedUp = up;
            lastNotifiedAt = now;
            return up ? CheckNotification.Kind.RECOVERED : CheckNotification.Kind.DOWN;
        }
        if (!up && reminder != null && lastNotifiedAt != null && !now.isBefore(lastNotifiedAt.plus(reminder))) {
            lastNotifiedAt = now;
            return CheckNotification.Kind.REMINDER;
        }
        return null;
    }

    Map<String, Object> toMap(ZoneId zone) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("type", type);
        m.put("target", target);
        m.put("state", up ? "UP" : "DOWN");
        m.put("since", time(since, zone));
        m.put("consecutiveFailures", consecutiveFailures);
        m.put("consecutiveSuccesses", consecutiveSuccesses);
        Map<String, Object> last = new LinkedHashMap<>();
        last.put("success", lastSuccess);
        last.put("durationSeconds", Math.round(lastDuration * 1e6) / 1e6);
        last.put("detail", lastDetail);
        last.put("at", time(lastProbeAt, zone));
        m.put("lastProbe", last);
        m.put("notified", notifiedUp ? "UP" : "DOWN");
        return m;
    }

    private static String time(Instant t, ZoneId zone) {
        return t == null ? null : t.atZone(zone).toOffsetDateTime().toString();
    }
}
