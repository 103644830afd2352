package org.opshub.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Refuses property keys under opshub's own prefixes that no setting reads: a typo such as {@code
 * pacs.nodes.src.hots} or {@code alertmanager.bearer_token} would otherwise start a hub that
 * silently runs without that setting (an unauthenticated intake, plaintext DICOM). The known keys
 * are those of the embedded {@code application.properties} (every setting is listed there with its
 * default) and the per-name families ({@code pacs.nodes.<node>.*}, {@code pacs.forwarding.<pair>.*}).
 */
public final class KnownKeys {
    /** The prefixes whose keys are opshub's; keys under other prefixes (camel., Java's own) pass. */
    public static final List<String> PREFIXES = List.of(
            "pacs.",
            "telegram.",
            "alertmanager.",
            "state.",
            "checks.",
            "grafana.",
            "cloudflare.",
            "cluster.",
            "mail.",
            "opshub.");

    /**
     * Names under the prefixes that are not settings of the hub: logback's {@code -Dopshub.log.level}
     * and the test command's Maven property.
     */
    private static final Set<String> NOT_SETTINGS = Set.of("opshub.log.level", "opshub.excludedGroups");

    private final Set<String> keys;
    private final Map<String, List<String>> families;

    /**
     * @param keys     every fixed key
     * @param families prefix of a family (e.g. {@code pacs.nodes.}) → the keys after its name
     */
    public KnownKeys(Collection<String> keys, Map<String, List<String>> families) {
        this.keys = Set.copyOf(keys);
        this.families = Map.copyOf(families);
    }

    /** The keys of a properties resource on the class path ({@code application.properties}). */
    public static Set<String> of(String resource) {
        return Settings.resource(resource).stringPropertyNames();
    }

    /**
     * Checks the keys a hub was given.
     *
     * @param present keys from the property files, override properties and {@code -D} system properties
     * @throws ConfigException naming the first unknown key (in sorted order) and the nearest known key
     */
    public void check(Collection<String> present) {
        for (String key : new TreeSet<>(present)) {
            String problem = problem(key);
            if (problem != null) {
                throw new ConfigException(key, problem);
            }
        }
    }

    /** Why {@code key} is refused, or null when it is known or not opshub's. */
    String problem(String key) {
        if (PREFIXES.stream().noneMatch(key::startsWith) || keys.contains(key) || NOT_SETTINGS.contains(key)) {
            return null;
        }
        // the fallback e-mail addresses of a chat: telegram.fallback.<chat id> (MailFallback checks the id)
        if (key.startsWith("telegram.fallback.") && key.indexOf('.', "telegram.fallback.".length()) < 0) {
            return null;
        }
        for (Map.Entry<String, List<String>> f : families.entrySet()) {
            String rest = key.startsWith(f.getKey()) ? key.substring(f.getKey().length()) : null;
            int dot = rest == null ? -1 : rest.indexOf('.');
            if (dot > 0) {
                String field = rest.substring(dot + 1);
                if (f.getValue().contains(field)) {
                    return null;
                }
                return "unknown key (did you mean " + f.getKey() + rest.substring(0, dot) + "."
                        + nearest(field, f.getValue()) + "?)";
            }
        }
        List<String> candidates = new ArrayList<>(keys);
        families.forEach((prefix, fields) -> fields.forEach(k -> candidates.add(prefix + "<name>." + k)));
        return "unknown key (did you mean " + nearest(key, candidates) + "?)";
    }

    /** The candidate with the smallest edit distance to {@code word}; the first of equals in sorted order. */
    static String nearest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : new TreeSet<>(candidates)) {
            int d = distance(word, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Levenshtein distance (insert, delete, substitute: 1 each). */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
