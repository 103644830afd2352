package org.opshub.checks;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.opshub.config.ConfigException;
import org.opshub.http.Durations;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The parameters of the check templates ({@code tcp-check}, {@code http-check}, {@code ping-check},
 * {@code disk-check} of routes/service-checks.yaml) checked before a check runs: regular
 * expressions compile (RE2), durations, numbers, ports and status specs parse. At startup a bad
 * check stops the hub naming the file, route and parameter; on reload the entry is refused and the
 * running check stays.
 */
public final class CheckParameters {
    private static final Set<String> TEMPLATES = Set.of("tcp-check", "http-check", "ping-check", "disk-check");
    private static final Set<String> DURATIONS = Set.of("period", "timeout");
    private static final Set<String> COUNTS = Set.of("failureThreshold", "successThreshold", "maxBodyBytes");

    private CheckParameters() {}

    /**
     * Checks one templated route's parameters; templates other than the check templates pass.
     *
     * @throws IllegalArgumentException naming the parameter and what is wrong with its value
     */
    public static void validate(String template, Map<String, String> params) {
        if (!TEMPLATES.contains(template)) {
            return;
        }
        for (Map.Entry<String, String> e : params.entrySet()) {
            String name = e.getKey();
            String v = e.getValue() == null ? "" : e.getValue().strip();
            if (v.isEmpty() || v.contains("{{")) {
                continue; // the template default, or a property placeholder resolved later
            }
            try {
                if (name.equals("expect") || name.equals("bodyRegexp")) {
                    Pattern.compile(e.getValue());
                } else if (DURATIONS.contains(name)
                        || (name.equals("reminderInterval") && !v.equalsIgnoreCase("off"))) {
                    if (Durations.parse(v).toMillis() <= 0) {
                        throw new IllegalArgumentException("not a positive duration");
                    }
                } else if (COUNTS.contains(name)) {
                    if (Long.parseLong(v) < 1) {
                        throw new IllegalArgumentException("not a whole number of at least 1");
                    }
                } else if (name.equals("port")) {
                    int port = Integer.parseInt(v);
                    if (port < 1 || port > 65535) {
                        throw new IllegalArgumentException("not a port from 1 to 65535");
                    }
                } else if (name.equals("maxUsedPercent")) {
                    double p = Double.parseDouble(v);
                    if (!(p > 0 && p <= 100)) {
                        throw new IllegalArgumentException("not a percentage above 0 and at most 100");
                    }
                } else if (name.equals("urgent")) {
                    if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                        throw new IllegalArgumentException("not true or false");
                    }
                } else if (name.equals("validStatus")) {
                    Probes.statusMatches(200, v);
                }
            } catch (PatternSyntaxException ex) {
                throw new IllegalArgumentException(
                        "parameter " + name + " is not a valid RE2 regular expression: " + ex.getDescription());
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException("parameter " + name + "=\"" + v + "\": "
                        + (ex instanceof NumberFormatException ? "not a number" : ex.getMessage()));
            }
        }
    }

    /**
     * Checks every check of the {@code templatedRoute} entries in the YAML files of {@code dir}, and
     * their {@code dependsOn} together ({@link CheckGraph#validate}: names that are checks, no cycle).
     *
     * @return the names of the checks found
     * @throws ConfigException naming the file, route id and parameter of the first bad one, or the
     *     check whose {@code dependsOn} names an unknown check or closes a cycle
     */
    public static Set<String> validateDirectory(Path dir) {
        Map<String, List<String>> dependsOn = new LinkedHashMap<>();
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            return Set.of();
        }
        for (Path f : files) {
            Object doc;
            try {
                doc = new Load(LoadSettings.builder().build()).loadFromString(Files.readString(f));
            } catch (IOException | RuntimeException e) {
                continue; // Camel's own loader reports a file that does not parse
            }
            if (!(doc instanceof List<?> entries)) {
                continue;
            }
            for (Object entry : entries) {
                if (entry instanceof Map<?, ?> m && m.get("templatedRoute") instanceof Map<?, ?> t) {
                    String template = String.valueOf(t.get("routeTemplateRef"));
                    String id = String.valueOf(t.get("routeId"));
                    Map<String, String> params = new LinkedHashMap<>();
                    if (t.get("parameters") instanceof List<?> ps) {
                        for (Object p : ps) {
                            if (p instanceof Map<?, ?> pm && pm.get("name") != null) {
                                params.put(
                                        String.valueOf(pm.get("name")),
                                        pm.get("value") == null ? "" : String.valueOf(pm.get("value")));
                            }
                        }
                    }
                    try {
                        validate(template, params);
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException(dir.getFileName() + "/" + f.getFileName() + " " + id, e.getMessage());
                    }
                    if (TEMPLATES.contains(template) && params.get("name") != null) {
                        dependsOn.put(params.get("name").strip(), CheckGraph.names(params.get("dependsOn")));
                    }
                }
            }
        }
        try {
            CheckGraph.validate(dependsOn, dependsOn.keySet());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(dir.getFileName() + " dependsOn", e.getMessage());
        }
        return Set.copyOf(dependsOn.keySet());
    }
}
