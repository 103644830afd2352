package org.opshub.observe;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.opshub.config.Secrets;
import org.opshub.config.Settings;
import org.slf4j.LoggerFactory;

/**
 * The observability capability: {@code opshub.log-level}, binds {@code prometheusScrape} and
 * {@code healthReport}, and (at DEBUG) the per-route log with every secret masked.
 */
public final class ObservabilityConfiguration {
    /** Keys whose values are secrets, by name: tokens, passwords, secrets, API keys, credentials. */
    private static final Pattern SECRET_KEY =
            Pattern.compile("(?i).*(token|password|passwd|secret|api-?key|credential).*");

    private ObservabilityConfiguration() {}

    /** Sets the opshub log level and binds the scrape and health beans; call first. */
    public static void bind(CamelContext context, PrometheusMeterRegistry registry, Function<String, String> property) {
        String level = Settings.text(property, "opshub.log-level");
        if (!level.isBlank()) {
            ((Logger) LoggerFactory.getLogger("org.opshub")).setLevel(Level.toLevel(level.strip(), Level.INFO));
        }
        Secrets.register(secrets(context.getPropertiesComponent(), property));
        context.getRegistry().bind("prometheusScrape", new PrometheusScrape(registry));
        context.getRegistry().bind("healthReport", new HealthReport(context));
    }

    /** The route debug log, masking {@link #secrets} and {@code derived} (secrets computed from others). */
    public static void debugLog(CamelContext context, Function<String, String> property, List<String> derived) {
        List<String> all = new ArrayList<>(secrets(context.getPropertiesComponent(), property));
        all.addAll(derived);
        Secrets.register(all);
        context.getManagementStrategy().addEventNotifier(new RouteDebugLog(all));
    }

    /**
     * Every value that must never be printed: the value of every property whose name says it is a
     * secret, the proxy URL and its credentials, and the password inside {@code state.jdbc-url}.
     */
    static List<String> secrets(PropertiesComponent pc, Function<String, String> property) {
        Set<String> keys = new TreeSet<>(pc.loadProperties().stringPropertyNames());
        keys.addAll(List.of(
                "telegram.token",
                "cloudflare.token",
                "alertmanager.bearer-token",
                "grafana.token",
                "state.jdbc-password",
                "telegram.webhook-secret"));
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            if (SECRET_KEY.matcher(k).matches()) {
                out.add(Objects.requireNonNullElse(property.apply(k), ""));
            }
        }
        String proxy = Settings.text(property, "telegram.proxy");
        out.add(proxy);
        userInfo(proxy.replaceFirst("^[a-zA-Z0-9+.-]+://", "//"), out);
        for (String way : Settings.text(property, "telegram.proxies").split("\\s*,\\s*")) {
            // only an entry with credentials is a secret (its name, scheme://host:port, is shown)
            if (way.contains("@")) {
                out.add(way);
            }
            userInfo(way.replaceFirst("^[a-zA-Z0-9+.-]+://", "//"), out);
        }
        String jdbc = Settings.text(property, "state.jdbc-url");
        Matcher m = Pattern.compile("(?i)[?&;]password=([^&;]*)").matcher(jdbc);
        while (m.find()) {
            out.add(m.group(1));
        }
        userInfo(jdbc.replaceFirst("^jdbc:[a-z0-9]+:", ""), out);
        return out.stream().filter(v -> v != null && !v.isBlank()).distinct().toList();
    }

    /** Adds the password (and the whole user info) of a {@code //user:password@host} text. */
    private static void userInfo(String text, List<String> out) {
        Matcher m = Pattern.compile("//([^/@]*)@").matcher(text);
        if (m.find()) {
            out.add(m.group(1));
            int colon = m.group(1).indexOf(':');
            if (colon >= 0) {
                out.add(m.group(1).substring(colon + 1));
            }
        }
    }
}
