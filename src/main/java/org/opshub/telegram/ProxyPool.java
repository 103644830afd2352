package org.opshub.telegram;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import org.opshub.config.Settings;
import org.opshub.telegram.outbox.BotCall;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ordered pool of ways to the Bot API ({@code telegram.proxies}, or {@code telegram.proxy} as a
 * pool of one, or direct): every call goes through the first healthy one; a transport failure (refused,
 * timed out, TLS, reset) marks it down for {@code telegram.proxy-backoff} and the call is tried at once
 * through the next healthy one. The {@code telegram-proxy-probe} route asks {@code getMe} through each
 * proxy that is down, every {@code telegram.proxy-probe-interval}, and brings it back when it answers.
 * The decisions (which failure moves on, when the call gives up) stand in {@code routes/alert-delivery.yaml}
 * ({@code bot-api}); this bean keeps the state, the metrics and the names. A proxy is named by scheme,
 * host and port only: its credentials appear in no log line, metric, status or health answer.
 *
 * <p>Metrics, label {@code proxy}: {@code telegram_proxy_up} (1 healthy, 0 down), {@code
 * telegram_proxy_in_use} (1 for the one the last successful call went through), {@code
 * telegram_proxy_latency_seconds} (the last successful call or probe, whole round trip) and {@code
 * telegram_proxy_failures_total} (transport failures).
 */
public final class ProxyPool {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyPool.class);
    private final List<Proxy> proxies;
    private final Duration backoff;
    private final Clock clock;
    private volatile Proxy inUse;

    /** One way to the Bot API: its index in the pool, its name, its URI (null: direct). */
    public static final class Proxy {
        private final int index;
        private final String name;
        private final URI uri;
        private volatile long downUntil;
        private volatile long downSince;
        private volatile String lastFailure;
        private volatile double latencySeconds = Double.NaN;
        private Counter failures;

        Proxy(int index, URI uri) {
            this.index = index;
            this.uri = uri;
            this.name = uri == null
                    ? "direct"
                    : uri.getScheme().toLowerCase() + "://" + uri.getHost() + ":" + uri.getPort();
        }

        public int index() {
            return index;
        }

        /** {@code scheme://host:port} or {@code direct}: never the credentials. */
        public String name() {
            return name;
        }

        /** null for direct. */
        public URI uri() {
            return uri;
        }

        /** The camel-http client configurer bean of this proxy: {@code telegramHttpClient-<index>}. */
        public String bean() {
            return "telegramHttpClient-" + index;
        }

        boolean down(long now) {
            return downSince > 0 && now < downUntil;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * One Bot API call's way through the pool: the proxy to try now (null when every candidate failed),
     * the ones tried, the last failure and when the current try started.
     */
    public static final class Attempt {
        private final Set<Proxy> tried = new LinkedHashSet<>();
        private Proxy proxy;
        private IOException failure;
        private long started;

        /** The proxy to try now; null when none is left. */
        public Proxy proxy() {
            return proxy;
        }
    }

    public ProxyPool(List<URI> ways, Duration backoff, MeterRegistry registry, Clock clock) {
        List<Proxy> list = new ArrayList<>();
        for (URI u : ways) {
            list.add(new Proxy(list.size(), u));
        }
        this.proxies = List.copyOf(list);
        this.backoff = backoff;
        this.clock = clock;
        this.inUse = proxies.get(0);
        for (Proxy p : proxies) {
            // 0 from a failure until a call or a probe through it is answered again
            Gauge.builder("telegram_proxy_up", p, x -> x.downSince > 0 ? 0 : 1)
                    .tag("proxy", p.name)
                    .description("1 when the way to the Bot API answers (telegram.proxies), 0 while it is down")
                    .register(registry);
            Gauge.builder("telegram_proxy_in_use", p, x -> x == inUse ? 1 : 0)
                    .tag("proxy", p.name)
                    .description("1 for the way the last successful Bot API call went through")
                    .register(registry);
            Gauge.builder("telegram_proxy_latency_seconds", p, x -> x.latencySeconds)
                    .tag("proxy", p.name)
                    .description("Round trip of the last successful Bot API call or probe through this way")
                    .register(registry);
            p.failures = Counter.builder("telegram_proxy_failures_total")
                    .tag("proxy", p.name)
                    .description("Bot API calls that failed in transport (refused, timeout, TLS) through this way")
                    .register(registry);
        }
    }

    /**
     * The ways of {@code telegram.proxies} (comma-separated, in order: {@code http://}, {@code https://},
     * {@code socks5://}, each with optional {@code user:password@}, or {@code direct}), else {@code
     * telegram.proxy} as a pool of one, else direct.
     *
     * @throws IllegalArgumentException naming the property of an entry that is not one of those
     */
    public static List<URI> ways(Function<String, String> property) {
        String list = Settings.text(property, "telegram.proxies").strip();
        String key = "telegram.proxies";
        if (list.isEmpty()) {
            list = Settings.text(property, "telegram.proxy").strip();
            key = "telegram.proxy";
        }
        List<URI> ways = new ArrayList<>();
        for (String entry : list.split("\\s*,\\s*")) {
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.equalsIgnoreCase("direct")) {
                ways.add(null);
                continue;
            }
            URI u;
            try {
                u = new URI(entry);
            } catch (URISyntaxException e) {
                u = null;
            }
            String scheme =
                    u == null || u.getScheme() == null ? "" : u.getScheme().toLowerCase();
            if (!Set.of("http", "https", "socks5", "socks").contains(scheme)
                    || u.getHost() == null
                    || u.getPort() < 0) {
                throw new IllegalArgumentException(key + " entries must be http://host:port, https://host:port or"
                        + " socks5://host:port (credentials as user:password@ before the host), or direct: "
                        + redacted(entry));
            }
            ways.add(u);
        }
        if (ways.isEmpty()) {
            ways.add(null);
        }
        return ways;
    }

    /** An entry as it may be shown: the user info replaced by {@code ***}. */
    static String redacted(String entry) {
        return entry.replaceFirst("//[^/@]*@", "//***@");
    }

    public List<Proxy> proxies() {
        return proxies;
    }

    /** A call starts: the first proxy that is not down, else the one whose back-off ends first. */
    public Attempt begin() {
        Attempt a = new Attempt();
        long now = clock.millis();
        a.proxy = proxies.stream()
                .filter(p -> !p.down(now))
                .findFirst()
                .orElseGet(() -> proxies.stream()
                        .min((x, y) -> Long.compare(x.downUntil, y.downUntil))
                        .orElseThrow());
        a.tried.add(a.proxy);
        a.started = clock.millis();
        return a;
    }

    /** The proxy of an attempt answered (any HTTP status): it is healthy and in use; its latency is kept. */
    public void answered(Attempt a) {
        Proxy p = up(a);
        if (inUse != p) {
            LOG.info("Telegram: Bot API calls go through {}", p.name);
        }
        inUse = p;
    }

    /** A probe through a proxy that was down got an answer: it is up again (calls use it when it comes first). */
    public void probed(Attempt a) {
        up(a);
    }

    private Proxy up(Attempt a) {
        Proxy p = a.proxy;
        p.latencySeconds = (clock.millis() - a.started) / 1000.0;
        if (p.downSince > 0) {
            LOG.info("Telegram: {} answers again", p.name);
        }
        p.downSince = 0;
        p.downUntil = 0;
        return p;
    }

    /** Whether there is anything to say about the ways: more than one, or one that is a proxy. */
    public boolean proxied() {
        return proxies.size() > 1 || proxies.get(0).uri != null;
    }

    /**
     * The proxy of an attempt failed in transport: it is down for {@code telegram.proxy-backoff} and the
     * attempt moves to the next proxy in order that is neither down nor tried (its proxy null when none).
     */
    public void failed(Attempt a, Exception e) {
        Proxy p = a.proxy;
        long now = clock.millis();
        a.failure = e instanceof IOException io ? io : new IOException(e);
        p.failures.increment();
        p.lastFailure = describe(e);
        if (p.downSince == 0) {
            p.downSince = now;
            LOG.warn("Telegram: {} failed ({}); down for {}", p.name, p.lastFailure, backoff);
        }
        p.downUntil = now + backoff.toMillis();
        a.proxy = proxies.stream()
                .filter(x -> !a.tried.contains(x) && !x.down(now))
                .findFirst()
                .orElse(null);
        if (a.proxy != null) {
            a.tried.add(a.proxy);
            a.started = clock.millis();
        }
    }

    /**
     * Every proxy an attempt tried failed: its last failure, thrown, for the caller's {@code doCatch}.
     *
     * @throws IOException always
     */
    public void giveUp(Attempt a) throws IOException {
        throw a.failure == null ? new IOException("no way to the Bot API") : a.failure;
    }

    /**
     * A call whose failure says nothing about its way (a picture's answer timed out after the way
     * connected): the failure, thrown as it is, for the caller's {@code doCatch}; the way stays up.
     *
     * @throws IOException always
     */
    public void giveUp(Attempt a, IOException e) throws IOException {
        a.failure = e;
        throw e;
    }

    /** The proxies that are down now, for the probe. */
    public List<Attempt> probes() {
        long now = clock.millis();
        List<Attempt> out = new ArrayList<>();
        for (Proxy p : proxies) {
            if (p.downSince > 0) {
                Attempt a = new Attempt();
                a.proxy = p;
                a.started = now;
                out.add(a);
            }
        }
        return out;
    }

    /** A probe through a proxy that is down failed: it stays down for another back-off. */
    public void stillDown(Attempt a, Exception e) {
        a.proxy.lastFailure = describe(e);
        a.proxy.downUntil = clock.millis() + backoff.toMillis();
    }

    /** The probe's call: {@code getMe} (core.telegram.org/bots/api#getme). */
    public BotCall.Request probeCall() {
        return new BotCall.Request("getMe", "{}", BotCall.JSON_TYPE);
    }

    /** The suffix of a way's client for {@code sendPhoto}, whose answer timeout is {@code telegram.picture-timeout}. */
    public static final String PICTURE = "-picture";

    /**
     * The camel-http client configurer bean for a call through an attempt's way: {@code
     * telegramHttpClient-<index>}, or its {@code -picture} twin for {@code sendPhoto}.
     */
    public String client(Attempt a, String method) {
        return a.proxy.bean() + ("sendPhoto".equals(method) ? PICTURE : "");
    }

    /** The way the last successful call went through. */
    public Proxy inUse() {
        return inUse;
    }

    /**
     * One line per way for {@code /status} and the health answer: {@code socks5://10.0.0.2:1080: in
     * use, 0.120 s}, {@code http://10.0.0.1:3128: down since 2026-12-07T10:01:00Z (connect timed out)}.
     */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        long now = clock.millis();
        for (Proxy p : proxies) {
            String state = p.downSince > 0
                    ? "down since " + Instant.ofEpochMilli(p.downSince) + " (" + p.lastFailure + ")"
                            + (p.down(now) ? "" : ", probing")
                    : p == inUse
                            ? "in use"
                                    + (Double.isNaN(p.latencySeconds)
                                            ? ""
                                            : String.format(Locale.ROOT, ", %.3f s", p.latencySeconds))
                            : "up";
            out.add(p.name + ": " + state);
        }
        return out;
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        String text = e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
        return text.length() > 160 ? text.substring(0, 160) + "…" : text;
    }
}
