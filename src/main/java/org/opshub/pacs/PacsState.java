package org.opshub.pacs;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the PACS monitor knows between periods: per node the last echo, per check the last
 * reconciliation and the first-seen instants of the source's studies. Lives as long as the
 * process (not re-created by route reloads).
 */
final class PacsState {

    /** One node's last observations. */
    static final class Node {
        volatile boolean echoOk;
        volatile boolean queryOk = true;
        volatile Boolean loggedUp; // null until the first observation
        volatile double echoSeconds;
        volatile String lastError;

        /** {@code pacs_up}: the last C-ECHO succeeded and no C-FIND failed since the last good one. */
        boolean up() {
            return echoOk && queryOk;
        }
    }

    /** One check's last reconciliation. */
    static final class Check {
        final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();
        volatile Reconciliation last;
        volatile boolean success;
        volatile Boolean loggedSuccess;
        volatile double durationSeconds;
        volatile Instant lastSuccess;
        volatile String lastError;
        volatile boolean truncated;
    }

    private final Map<String, Node> nodes = new ConcurrentHashMap<>();
    private final Map<String, Check> checks = new ConcurrentHashMap<>();

    Node node(String name) {
        return nodes.computeIfAbsent(name, k -> new Node());
    }

    Check check(String key) {
        return checks.computeIfAbsent(key, k -> new Check());
    }

    Collection<Check> checks() {
        return checks.values();
    }
}
