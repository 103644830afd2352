package org.opshub;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.spi.PropertiesComponent;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.support.service.ServiceSupport;
import org.opshub.alerts.AlertDecorations;
import org.opshub.config.ConfigException;
import org.opshub.config.Settings;
import org.opshub.web.WebConfig;
import org.opshub.web.WebServerSetup;
import org.opshub.alerts.AlertInbox;
import org.opshub.alerts.Silences;
import org.opshub.outbox.Callbacks;
import org.opshub.grafana.GrafanaBot;
import org.opshub.grafana.GrafanaSettings;
import org.opshub.pacs.PacsMonitor;
import org.opshub.alerts.AlertWebhook;
import org.opshub.alerts.Subscriptions;
import org.opshub.bot.BotCommands;
import org.opshub.bot.BotUpdates;
import org.opshub.bot.BotWebhook;
import org.opshub.checks.NotifyWindow;
import org.opshub.checks.Probes;
import org.opshub.checks.ServiceChecks;
import org.opshub.cloudflare.StreamStorage;
import org.opshub.observe.HealthReport;
import org.opshub.observe.PrometheusScrape;
import org.opshub.observe.RouteDebugLog;
import org.opshub.reload.TemplatedRouteReload;
import org.opshub.pacs.PacsMonitor;
import org.opshub.pacs.PacsSettings;
import org.opshub.state.StateStore;
import org.opshub.state.StateStoreHealthCheck;
import org.opshub.telegram.BotApiHttpClient;
import org.opshub.telegram.Delivery;
import org.opshub.outbox.Outbox;
import org.opshub.outbox.TelegramSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the state beans the routes call ({@code pacsMonitor}, …). They are created once per
 * process, so route reloads (which re-create YAML {@code beans:}) keep their values and gauges.
 * A {@link Clock} bound as {@code opshubClock} before start replaces the system clock (tests).
 */
public final class OpsHubConfiguration implements CamelConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(OpsHubConfiguration.class);

    /**
     * Binds every bean; a property opshub cannot run with stops startup.
     *
     * @throws ConfigException naming the property and the value's problem (exit 78)
     */
    @Override
    public void configure(CamelContext context) {
        try {
            bindAll(context);
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    private void bindAll(CamelContext context) {
        PropertiesComponent pc = context.getPropertiesComponent();
        MeterRegistry registry = context.getRegistry().lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME,
                MeterRegistry.class);
        String level = pc.resolveProperty("opshub.log-level").orElse("");
        if (!level.isBlank()) {
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.opshub"))
                    .setLevel(ch.qos.logback.classic.Level.toLevel(level.strip(), ch.qos.logback.classic.Level.INFO));
        }
        PacsSettings pacs = PacsSettings.from(keys(pc, "pacs."), k -> pc.resolveProperty(k).orElse(null));
        PacsMonitor monitor = new PacsMonitor(pacs, registry);
        context.getRegistry().bind("pacsMonitor", monitor);
        context.getRegistry().bind("prometheusScrape", new PrometheusScrape((PrometheusMeterRegistry) registry));
        context.getRegistry().bind("healthReport", new HealthReport(context));
        LOG.info(monitor.describe());
        Function<String, String> property = k -> pc.resolveProperty(k).orElse(null);
        Clock clock = Objects.requireNonNullElse(context.getRegistry().lookupByNameAndType("opshubClock", Clock.class),
                Clock.systemUTC());
        TelegramSettings telegram = TelegramSettings.from(property);
        readable(property, "telegram.alert-template", "templates/alert.txt");
        // read by the routes only (timer periods): checked here so that a bad one stops startup
        duration(property, "checks.log-interval", "PT1M");
        duration(property, "cloudflare.period", "PT5M");
        positive(property, "telegram.outbox-interval", "100");
        readable(property, "checks.template", "templates/check.txt");
        bindWeb(context, property);
        Outbox outbox = bindAlertDelivery(context, registry, property, telegram);
        ServiceChecks checks = bindChecks(context, registry, property, telegram, outbox, clock);
        bindBot(context, property, telegram, outbox, monitor, checks, clock);
        StreamStorage stream = new StreamStorage(property.apply("cloudflare.token"), property.apply("cloudflare.accounts"),
                Boolean.parseBoolean(property.apply("cloudflare.legacy-metrics")), registry, clock);
        context.getRegistry().bind("cloudflareStream", stream);
        // Cloudflare's storage-usage answer is a few hundred bytes: 1 MiB is plenty
        context.getRegistry().bind("cloudflareHttpClient", new org.opshub.http.TimeoutHttpClient(
                duration(property, "cloudflare.timeout", "PT30S"), 1L << 20));
        LOG.info("Cloudflare Stream exporter: {}", stream);
        String routesDir = Objects.requireNonNullElse(property.apply("camel.main.routesReloadDirectory"), "routes");
        org.opshub.checks.CheckParameters.validateDirectory(Path.of(routesDir));
        if (Boolean.parseBoolean(property.apply("camel.main.routesReloadEnabled"))) {
            try {
                context.addService(new TemplatedRouteReload(routesDir, org.opshub.checks.CheckParameters::validate,
                        checks::forgetRemoved));
            } catch (Exception e) {
                throw new IllegalStateException("cannot watch the routes directory for templated routes", e);
            }
        }
        context.getManagementStrategy().addEventNotifier(new RouteDebugLog(secrets(pc, property, telegram)));
    }

    /**
     * The access rules and TLS of the HTTP port ({@code opshub.web-config-file}); says in one WARN
     * line when {@code POST /alerts} takes loopback clients only.
     */
    private static void bindWeb(CamelContext context, Function<String, String> property) {
        WebConfig web = WebConfig.load(property.apply(WebConfig.PROPERTY));
        boolean alertsToken = !Objects.requireNonNullElse(property.apply("alertmanager.bearer-token"), "").isEmpty();
        WebServerSetup.apply(context, web, new org.opshub.web.HttpAccess(web, alertsToken,
                positive(property, "camel.server.maxBodySize", "1048576"),
                positive(property, "alertmanager.max-body-bytes", "1048576")));
        LOG.info("HTTP access: {}; {}", web.file() == null ? "no " + WebConfig.PROPERTY
                + " (status pages answer loopback clients only, /metrics and health are open)"
                : web.file() + (web.tls() != null ? " (TLS" : " (plain HTTP") + (web.hasUsers()
                        ? ", " + web.users().size() + " user(s) for every page but /alerts and /telegram/webhook)"
                        : ", no users: status pages answer loopback clients only)"),
                "camel.server.maxBodySize=" + property.apply("camel.server.maxBodySize") + " bytes");
        if (!alertsToken) {
            LOG.warn("POST /alerts accepts loopback clients only: alertmanager.bearer-token is empty");
        }
    }

    /**
     * The bot's commands and its Grafana and Alertmanager sides: {@code botCommands},
     * {@code grafanaBot}, {@code silences}, {@code botCallbacks}; decorates new alert messages with
     * silence buttons and panel pictures.
     */
    private static void bindBot(CamelContext context, Function<String, String> property, TelegramSettings telegram,
            Outbox outbox, PacsMonitor monitor, ServiceChecks checks, Clock clock) {
        StateStore store = context.getRegistry().lookupByNameAndType("stateStore", StateStore.class);
        AlertInbox inbox = context.getRegistry().lookupByNameAndType("alertInbox", AlertInbox.class);
        Callbacks callbacks = new Callbacks(store);
        GrafanaSettings grafanaSettings = GrafanaSettings.from(property, telegram.zone());
        GrafanaBot grafana = new GrafanaBot(grafanaSettings, callbacks, outbox);
        Silences silences = new Silences(property.apply("alertmanager.api-url"), outbox, telegram.zone(), clock);
        inbox.decorate(new AlertDecorations(grafanaSettings, silences.enabled()));
        context.getRegistry().bind("botCallbacks", callbacks);
        context.getRegistry().bind("grafanaBot", grafana);
        context.getRegistry().bind("grafanaHttpClient",
                new org.opshub.http.TimeoutHttpClient(grafanaSettings.renderTimeout()));
        context.getRegistry().bind("silences", silences);
        context.getRegistry().bind("botCommands", new BotCommands(telegram,
                context.getRegistry().lookupByNameAndType("subscriptions", Subscriptions.class), inbox, outbox,
                context.getRegistry().lookupByNameAndType("telegramDelivery", Delivery.class), callbacks, grafana, monitor,
                checks));
        LOG.info("Grafana: {}; silences from the chat: {}", grafanaSettings,
                silences.enabled() ? "on (alertmanager.api-url)" : "off (no alertmanager.api-url)");
    }

    /**
     * The service-check beans: {@code probes} and {@code serviceChecks} (state, thresholds, quiet
     * hours, notifications through the outbox).
     */
    private static ServiceChecks bindChecks(CamelContext context, MeterRegistry registry, Function<String, String> property,
            TelegramSettings telegram, Outbox outbox, Clock clock) {
        ZoneId zone = Settings.zone(property, "checks.timezone", telegram.zone());
        NotifyWindow window = NotifyWindow.parse(property.apply("checks.notify-window"), property.apply("checks.notify-days"),
                zone);
        List<Long> chats = List.copyOf(TelegramSettings.chatIds("checks.chats", property.apply("checks.chats")));
        context.getRegistry().bind("probes", new Probes());
        ServiceChecks checks = new ServiceChecks(context, registry, clock, window, chats, outbox);
        context.getRegistry().bind("serviceChecks", checks);
        LOG.info("Service checks: notify {} to {}", window,
                chats.isEmpty() || telegram.consoleMode() ? "the log (console)" : chats.size() + " chat(s)");
        return checks;
    }

    /**
     * The state store and the alert delivery beans: {@code alertWebhook}, {@code alertInbox},
     * {@code telegramDelivery}, {@code botUpdates}, {@code botWebhook}, {@code telegramHttpClient}.
     */
    private static Outbox bindAlertDelivery(CamelContext context, MeterRegistry registry, Function<String, String> property,
            TelegramSettings telegram) {
        String dir = Objects.requireNonNullElse(property.apply("state.directory"), "data");
        StateStore store = StateStore.open(property.apply("state.jdbc-url"), property.apply("state.jdbc-user"),
                property.apply("state.jdbc-password"), Path.of(dir), new StateStore.Timeouts(
                        duration(property, "state.connect-timeout", "PT10S"), duration(property, "state.query-timeout", "PT30S")));
        try {
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    store.close();
                }
            }, true);
        } catch (Exception e) {
            store.close();
            throw new IllegalStateException("cannot register the state store for shutdown", e);
        }
        Subscriptions subscriptions = new Subscriptions(store);
        Outbox outbox = new Outbox(store, registry);
        AlertInbox inbox = new AlertInbox(store, subscriptions, telegram,
                Settings.duration(property, "alertmanager.dedup-retention", "P7D"), registry);
        Delivery delivery = new Delivery(telegram, store, outbox, subscriptions, registry);
        context.getRegistry().bind("stateStore", store);
        context.getRegistry().bind("stateStoreHealthCheck", new StateStoreHealthCheck(store));
        context.getRegistry().bind("alertInbox", inbox);
        context.getRegistry().bind("alertWebhook",
                new AlertWebhook(property.apply("alertmanager.bearer-token"), positive(property, "alertmanager.max-body-bytes", "1048576"),
                        (int) positive(property, "alertmanager.max-alerts", "1000"), inbox));
        context.getRegistry().bind("telegramDelivery", delivery);
        context.getRegistry().bind("telegramHttpClient", new BotApiHttpClient(telegram));
        context.getRegistry().bind("botUpdates", new BotUpdates(telegram, store,
                Boolean.parseBoolean(Objects.requireNonNullElse(property.apply("telegram.take-over-webhook"), "false").strip())));
        context.getRegistry().bind("botWebhook", new BotWebhook(telegram, registry));
        context.getRegistry().bind("subscriptions", subscriptions);
        LOG.info("Alert delivery: {}", telegram);
        return outbox;
    }

    /** Keys whose values are secrets, by name: tokens, passwords, secrets, API keys, credentials. */
    private static final java.util.regex.Pattern SECRET_KEY =
            java.util.regex.Pattern.compile("(?i).*(token|password|passwd|secret|api-?key|credential).*");

    /**
     * Every value that must never be printed: the value of every property whose name says it is a
     * secret, the proxy URL and its credentials, the password inside {@code state.jdbc-url}, and the
     * webhook secret (derived when not set).
     */
    static List<String> secrets(PropertiesComponent pc, Function<String, String> property, TelegramSettings telegram) {
        Set<String> keys = new TreeSet<>(pc.loadProperties().stringPropertyNames());
        keys.addAll(List.of("telegram.token", "cloudflare.token", "alertmanager.bearer-token", "grafana.token",
                "state.jdbc-password", "telegram.webhook-secret"));
        List<String> out = new java.util.ArrayList<>();
        for (String k : keys) {
            if (SECRET_KEY.matcher(k).matches()) {
                out.add(Objects.requireNonNullElse(property.apply(k), ""));
            }
        }
        out.add(telegram.webhookSecret());
        String proxy = Objects.requireNonNullElse(property.apply("telegram.proxy"), "");
        out.add(proxy);
        userInfo(proxy.replaceFirst("^[a-zA-Z0-9+.-]+://", "//"), out);
        String jdbc = Objects.requireNonNullElse(property.apply("state.jdbc-url"), "");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)[?&;]password=([^&;]*)").matcher(jdbc);
        while (m.find()) {
            out.add(m.group(1));
        }
        userInfo(jdbc.replaceFirst("^jdbc:[a-z0-9]+:", ""), out);
        return out.stream().filter(v -> v != null && !v.isBlank()).distinct().toList();
    }

    /** Adds the password (and the whole user info) of a {@code //user:password@host} text. */
    private static void userInfo(String text, List<String> out) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("//([^/@]*)@").matcher(text);
        if (m.find()) {
            out.add(m.group(1));
            int colon = m.group(1).indexOf(':');
            if (colon >= 0) {
                out.add(m.group(1).substring(colon + 1));
            }
        }
    }

    /**
     * A property naming a file the routes read later (a message template).
     *
     * @throws ConfigException naming the key when the file cannot be read now
     */
    static void readable(Function<String, String> property, String key, String fallback) {
        String v = Objects.requireNonNullElse(property.apply(key), fallback).strip();
        Path file = Path.of(v.isEmpty() ? fallback : v);
        if (!java.nio.file.Files.isRegularFile(file) || !java.nio.file.Files.isReadable(file)) {
            throw new ConfigException(key, file.toAbsolutePath() + " cannot be read");
        }
    }

    /** A positive whole-number property of at most {@link Integer#MAX_VALUE}. */
    static long positive(Function<String, String> property, String key, String fallback) {
        return Settings.number(property, key, fallback, 1, Integer.MAX_VALUE);
    }

    /** A positive duration property. */
    static Duration duration(Function<String, String> property, String key, String fallback) {
        return Settings.duration(property, key, fallback);
    }

    /**
     * Every property key below {@code prefix}: from the property files, from {@code -D} system
     * properties, and from environment variables named like {@code PACS_NODES_ARCHIVE_HOST}
     * (upper case, dots and dashes as underscores; the name part is taken in lower case).
     */
    static Set<String> keys(PropertiesComponent pc, String prefix) {
        Set<String> keys = new TreeSet<>(pc.loadProperties(k -> k.startsWith(prefix)).stringPropertyNames());
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(prefix)).forEach(keys::add);
        String envPrefix = prefix.toUpperCase().replace('.', '_');
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            String k = e.getKey();
            if (k.startsWith(envPrefix + "NODES_")) {
                keys.add(envKey(prefix + "nodes.", k.substring((envPrefix + "NODES_").length()),
                        "HOST", "PORT", "AE_TITLE", "MAX_RESULTS"));
            } else if (k.startsWith(envPrefix + "FORWARDING_")) {
                keys.add(envKey(prefix + "forwarding.", k.substring((envPrefix + "FORWARDING_").length()),
                        "SOURCE", "TARGET", "WINDOW", "SETTLE"));
            }
        }
        keys.remove("");
        return keys;
    }

    private static String envKey(String prefix, String rest, String... fields) {
        for (String f : fields) {
            if (rest.endsWith("_" + f) && rest.length() > f.length() + 1) {
                String name = rest.substring(0, rest.length() - f.length() - 1).toLowerCase();
                return prefix + name + "." + f.toLowerCase().replace('_', '-');
            }
        }
        return "";
    }
}
