package org.opshub.checks;

import io.micrometer.core.instrument.Meter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;

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
    volatile boolean up = true;
    boolean notifiedUp = true;
    int consecutiveFailures;
    int consecutiveSuccesses;
    volatile boolean lastSuccess;
    /** The checks this one depends on (template parameter dependsOn). */
    volatile List<String> dependsOn = List.of();
    /** The DOWN check that suppresses this one now, else null. */
    String suppressedBy;
    /** Suppression ended while this check failed: its DOWN waits for failureThreshold failures counted from then. */
    boolean afterRelease;

    int failuresSinceRelease;
    /** check_suppressed{check,by} while suppressed, else null. */
    io.micrometer.core.instrument.Meter suppressedMeter;
    /** The maintenance window holding this check now, else null. */
    Long maintenanceId;
    /** As a parent: the checks behind it that failed while it was DOWN (read by other checks' threads). */
    final Set<String> behind = new ConcurrentSkipListSet<>();
    /** The message kept current (the last DOWN or RECOVERED notified), its time and detail, and what it lists. */
    CheckNotification.Kind messageKind;

    Instant messageAt;
    String messageDetail = "";
    String listed = "";
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
                behind.clear(); // a new outage: the checks behind it are counted afresh
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
            messageDetail = lastDetail;
        }
        if (up != notifiedUp) {
            notifiedUp = up;
            lastNotifiedAt = now;
            messageAt = now;
            messageKind = up ? CheckNotification.Kind.RECOVERED : CheckNotification.Kind.DOWN;
            listed = "";
            return messageKind;
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
        m.put("dependsOn", dependsOn);
        m.put("suppressedBy", suppressedBy);
        m.put("maintenance", maintenanceId);
        return m;
    }

    private static String time(Instant t, ZoneId zone) {
        return t == null ? null : t.atZone(zone).toOffsetDateTime().toString();
    }
}
