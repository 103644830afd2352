package org.opshub.checks;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Who suppresses whom: the checks a check depends on (template parameter {@code dependsOn}), as
 * pure functions over the map {@code check name → the names it depends on}. A check behind a DOWN
 * check (directly or further up the chain) sends no DOWN of its own; the DOWN check at the top of
 * the chain (the one not itself behind a DOWN check) lists it in its own message.
 */
public final class CheckGraph {
    private CheckGraph() {}

    /**
     * The {@code dependsOn} value as names: comma- or blank-separated; blank: none.
     */
    public static List<String> names(String dependsOn) {
        if (dependsOn == null || dependsOn.isBlank()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String n : dependsOn.strip().split("[,\\s]+")) {
            if (!n.isEmpty() && !out.contains(n)) {
                out.add(n);
            }
        }
        return List.copyOf(out);
    }

    /**
     * Checks that every name a check depends on is a check and that no chain leads back to where it
     * started.
     *
     * @param dependsOn check name → the names it depends on (checks without any may be absent)
     * @param checks    every check name
     * @throws IllegalArgumentException naming the check: {@code check X: dependsOn names Y, which is
     *     not a check}, {@code check X: dependsOn makes a cycle: X → Y → X}
     */
    public static void validate(Map<String, List<String>> dependsOn, Set<String> checks) {
        for (Map.Entry<String, List<String>> e : dependsOn.entrySet()) {
            for (String parent : e.getValue()) {
                if (!checks.contains(parent)) {
                    throw new IllegalArgumentException(
                            "check " + e.getKey() + ": dependsOn names " + parent + ", which is not a check");
                }
                if (parent.equals(e.getKey())) {
                    throw new IllegalArgumentException("check " + e.getKey() + ": dependsOn names the check itself");
                }
            }
        }
        for (String start : dependsOn.keySet()) {
            List<String> cycle = cycleFrom(start, dependsOn, new ArrayList<>());
            if (cycle != null) {
                throw new IllegalArgumentException(
                        "check " + start + ": dependsOn makes a cycle: " + String.join(" → ", cycle));
            }
        }
    }

    private static List<String> cycleFrom(String at, Map<String, List<String>> dependsOn, List<String> path) {
        if (path.contains(at)) {
            if (!path.get(0).equals(at)) {
                return null; // a cycle further up: reported when it is the start
            }
            List<String> cycle = new ArrayList<>(path);
            cycle.add(at);
            return cycle;
        }
        path.add(at);
        for (String parent : dependsOn.getOrDefault(at, List.of())) {
            List<String> c = cycleFrom(parent, dependsOn, path);
            if (c != null) {
                return c;
            }
        }
        path.remove(path.size() - 1);
        return null;
    }

    /** Every check {@code check} depends on, nearest first (each once). */
    public static List<String> ancestors(String check, Map<String, List<String>> dependsOn) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(dependsOn.getOrDefault(check, List.of()));
        while (!todo.isEmpty()) {
            String n = todo.removeFirst();
            if (!n.equals(check) && seen.add(n)) {
                todo.addAll(dependsOn.getOrDefault(n, List.of()));
            }
        }
        return List.copyOf(seen);
    }

    /**
     * The DOWN check that suppresses {@code check}: of the DOWN checks it depends on (directly or
     * further up), the nearest one that is not itself behind a DOWN check; null when none is DOWN.
     *
     * @param down whether a check is DOWN (its state after failureThreshold)
     */
    public static String suppressor(String check, Map<String, List<String>> dependsOn, Predicate<String> down) {
        for (String a : ancestors(check, dependsOn)) {
            if (down.test(a) && ancestors(a, dependsOn).stream().noneMatch(down)) {
                return a;
            }
        }
        return null;
    }

    /**
     * Whether a DOWN of {@code check} waits: a check it depends on failed its last probe without
     * being DOWN yet (its outage may be what this check sees; it is decided within its own
     * failureThreshold).
     *
     * @param failing whether a check's last probe failed
     */
    public static boolean undecided(
            String check, Map<String, List<String>> dependsOn, Predicate<String> failing, Predicate<String> down) {
        return ancestors(check, dependsOn).stream().anyMatch(a -> failing.test(a) && !down.test(a));
    }
}
