package org.opshub.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.DoubleStream;

/**
 * HTTP server metrics of the one port, the Prometheus way, with Micrometer:
 * {@code http_server_requests_seconds} (a histogram: {@code _bucket}, {@code _count}, {@code _sum}) and
 * {@code http_server_requests_total}, by {@code method}, {@code route} and {@code status}. Installed in
 * front of {@link HttpAccess}, so refusals (401, 403, 413) are counted too.
 *
 * <p>{@code route} is the path template of the Camel route that serves the path
 * ({@code /pacs/missing/{pair}/{studyInstanceUid}/resend}), never the raw path, and {@code other} for a
 * path no route serves: the label values stay a closed set whatever clients send. The methods outside
 * the standard ones count as {@code OTHER}.
 */
public final class HttpMetrics implements Handler<RoutingContext> {
    /** Prometheus's default buckets, seconds. */
    private static final Duration[] BUCKETS = DoubleStream.of(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
            .mapToObj(s -> Duration.ofNanos((long) (s * 1e9)))
            .toArray(Duration[]::new);

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS");
    private final MeterRegistry registry;
    private final Supplier<List<String>> templates;
    private final Map<String, Pattern> compiled = new ConcurrentHashMap<>();

    /**
     * @param templates the path templates of the HTTP routes now (Vert.x style {@code /a/:b}, or
     *                  {@code /a/{b}}), asked at each request so reloaded routes count
     */
    public HttpMetrics(MeterRegistry registry, Supplier<List<String>> templates) {
        this.registry = registry;
        this.templates = templates;
    }

    @Override
    public void handle(RoutingContext ctx) {
        long start = System.nanoTime();
        String path = ctx.normalizedPath();
        String method = METHODS.contains(ctx.request().method().name())
                ? ctx.request().method().name()
                : "OTHER";
        ctx.addEndHandler(done -> {
            String route = route(path);
            String status = Integer.toString(ctx.response().getStatusCode());
            Timer.builder("http.server.requests")
                    .description("HTTP requests served, by route template, method and status")
                    .tags("method", method, "route", route, "status", status)
                    .serviceLevelObjectives(BUCKETS)
                    .register(registry)
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            Counter.builder("http.server.requests.total")
                    .description("HTTP requests served, by route template, method and status")
                    .tags("method", method, "route", route, "status", status)
                    .register(registry)
                    .increment();
        });
        ctx.next();
    }

    /** The template that matches a path, or {@code other}. */
    String route(String path) {
        for (String t : templates.get()) {
            if (compiled.computeIfAbsent(t, HttpMetrics::pattern).matcher(path).matches()) {
                return t.replaceAll(":([A-Za-z0-9_]+)", "{$1}");
            }
        }
        return "other";
    }

    /** {@code /a/:b/{c}} matches {@code /a/x/y} (and {@code /a/x/y/}); a {@code *} segment matches any rest. */
    static Pattern pattern(String template) {
        String re = Arrays.stream(template.split("/", -1))
                .map(p -> p.startsWith(":") || p.startsWith("{") && p.endsWith("}")
                        ? "[^/]+"
                        : p.equals("*") ? ".*" : p.isEmpty() ? "" : Pattern.quote(p))
                .collect(Collectors.joining("/"));
        return Pattern.compile(re + "/?");
    }
}
