package org.opshub.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The alert rules that ship ({@code deploy/prometheus/opshub-alerts.yml}): Prometheus's own
 * {@code promtool check rules} and {@code promtool test rules} on {@code opshub-alerts.test.yml}, which
 * has, for every rule, the healthy series it stays quiet on, the time its {@code for:} has not yet
 * passed, and the alert with its labels and annotations after it. Every rule has a summary and a
 * description. Tagged interop: promtool is installed by scripts/install-deps.sh.
 */
@Tag("interop")
class AlertRulesTest {
    private static final Path RULES = Path.of("deploy/prometheus/opshub-alerts.yml");
    private static final Path TESTS = Path.of("deploy/prometheus/opshub-alerts.test.yml");

    private static String promtool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("promtool"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(Path file) throws Exception {
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(file));
    }

    /**
     * What Prometheus 3 reads differently (the 3.0 migration guide, prometheus.io/docs/prometheus/latest/migration/):
     * {@code le} and {@code quantile} values are normalised to floats, so a matcher on {@code le="1"}
     * matches nothing; {@code holt_winters} became {@code double_exponential_smoothing} behind a feature
     * flag. No shipped rule or dashboard query may use them. The config and rules are checked by the
     * promtool on this machine (Debian's 2.x: a Prometheus 3 binary cannot be had here); it says which.
     */
    @Test
    void theShippedConfigRulesAndDashboardsReadTheSameOnPrometheus3() throws Exception {
        System.out.println(
                "checked with " + promtool("--version").lines().findFirst().orElse("promtool ?"));
        System.out.print(promtool("check", "config", "deploy/prometheus/prometheus.yml"));
        List<Path> files = new ArrayList<>(List.of(RULES));
        try (var dashboards = Files.list(Path.of("deploy/grafana/dashboards"))) {
            dashboards.forEach(files::add);
        }
        for (Path f : files) {
            String text = Files.readString(f);
            assertFalse(
                    Pattern.compile("\\b(le|quantile)\\s*=~?\\s*\\\\?\"[0-9]+\\\\?\"")
                            .matcher(text)
                            .find(),
                    f + ": a matcher on an integer le or quantile matches nothing on Prometheus 3");
            assertFalse(text.contains("holt_winters("), f + ": holt_winters is gone in Prometheus 3");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyShippedRuleIsCheckedAndUnitTested() throws Exception {
        System.out.print(promtool("check", "rules", RULES.toString()));
        System.out.print(promtool("test", "rules", TESTS.toString()));

        Set<String> rules = new TreeSet<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) yaml(RULES).get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                String name = (String) rule.get("alert");
                rules.add(name);
                Map<String, Object> annotations = (Map<String, Object>) rule.get("annotations");
                assertTrue(
                        annotations != null
                                && annotations.get("summary") != null
                                && annotations.get("description") != null,
                        name + " needs a summary and a description");
            }
        }
        assertEquals(
                Set.of(
                        "PacsDown",
                        "StudiesNotForwarded",
                        "StudiesIncomplete",
                        "StudiesNotCommitted",
                        "StudiesCommitmentFailed",
                        "ForwardingCheckFailing",
                        "CheckFailing",
                        "TelegramOutboxStuck",
                        "AlertsDeliveredLate",
                        "TelegramSendErrors",
                        "CloudflareStreamFetchFailing",
                        "CloudflareStreamStorageNearLimit",
                        "OpshubDown"),
                rules);

        // each rule: a test where it does not fire yet (before its for:) and one where it fires
        Map<String, Integer> quiet = new TreeMap<>();
        Map<String, Integer> firing = new TreeMap<>();
        for (Map<String, Object> test : (List<Map<String, Object>>) yaml(TESTS).get("tests")) {
            for (Map<String, Object> t : (List<Map<String, Object>>) test.get("alert_rule_test")) {
                List<?> expected = (List<?>) t.get("exp_alerts");
                (expected == null || expected.isEmpty() ? quiet : firing)
                        .merge((String) t.get("alertname"), 1, Integer::sum);
            }
        }
        assertEquals(rules, quiet.keySet(), "a quiet case per rule");
        assertEquals(rules, firing.keySet(), "a firing case per rule");
    }
}
