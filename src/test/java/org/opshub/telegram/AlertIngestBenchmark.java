package org.opshub.telegram;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.apache.camel.builder.RouteBuilder;
import org.opshub.HubRunner;

/**
 * Benchmark for scripts/bench-alerts.sh, side by side in one JVM:
 * <ol>
 * <li>ingest latency of {@code POST /alerts} (the real Alertmanager sample, a new fingerprint per
 * request, one subscribed chat) at a fixed open-loop rate, against a bare platform-http echo
 * route of the same server: p50/p99 of each and the ratio;</li>
 * <li>delivery rate of the outbox against {@link FakeBotApi}: 100 private chats subscribed to
 * the benchmark's alerts, 6 alerts = 600 messages, messages per second from first to last send.</li>
 * </ol>
 * Latency is measured from each request's scheduled send time (no coordinated omission).
 */
public final class AlertIngestBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int rate = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        byte[] sample = AlertIngestBenchmark.class
                .getResourceAsStream("/alertmanager/firing-real-0.25.json")
                .readAllBytes();
        ObjectNode template = (ObjectNode) JSON.readTree(sample);
        StringBuilder chats = new StringBuilder("1");
        for (int c = 100; c < 200; c++) {
            chats.append(',').append(c);
        }
        try (FakeBotApi telegram = new FakeBotApi();
                HubRunner hub = new HubRunner(Map.of(
                        "telegram.token",
                        FakeBotApi.TOKEN,
                        "telegram.api-url",
                        telegram.url(),
                        "telegram.allowed-chats",
                        chats.toString()))) {
            // a lambda, not a RouteBuilder subclass: Camel Main's classpath scan would pick that up in every test
            RouteBuilder.addRoutes(
                    hub.context(),
                    rb -> rb.from("platform-http:/bench/echo?httpMethodRestrict=POST")
                            .routeId("bench-echo")
                            .convertBodyTo(String.class));
            telegram.userSays(1, "/subscribe StudiesNotSent");
            HubRunner.await(Duration.ofSeconds(10), () -> telegram.texts(1).size() == 1);
            AtomicInteger seq = new AtomicInteger();
            IntFunction<byte[]> alert = i -> {
                ObjectNode p = template.deepCopy();
                ((ObjectNode) p.withArray("alerts").get(0))
                        .put("fingerprint", String.format("%016x", seq.incrementAndGet()));
                try {
                    return JSON.writeValueAsBytes(p);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            String base = "http://127.0.0.1:" + hub.port;
            System.out.printf(
                    "opshub alert ingest benchmark: %d requests/s, %d s per phase, payload %d bytes%n",
                    rate, seconds, sample.length);
            run(base + "/bench/echo", i -> sample, rate, 3); // warm-up
            run(base + "/alerts", alert, rate, 3);
            long[] echo1 = run(base + "/bench/echo", i -> sample, rate, seconds);
            long[] alerts1 = run(base + "/alerts", alert, rate, seconds);
            long[] echo2 = run(base + "/bench/echo", i -> sample, rate, seconds);
            long[] alerts2 = run(base + "/alerts", alert, rate, seconds);
            long[] echo = concat(echo1, echo2);
            long[] alerts = concat(alerts1, alerts2);
            System.out.printf("%-28s %10s %10s%n", "", "p50 ms", "p99 ms");
            System.out.printf("%-28s %10.2f %10.2f%n", "bare echo route", ms(echo, 0.50), ms(echo, 0.99));
            System.out.printf("%-28s %10.2f %10.2f%n", "POST /alerts", ms(alerts, 0.50), ms(alerts, 0.99));
            System.out.printf(
                    "ratio /alerts : echo          p50 %.2fx   p99 %.2fx   (targets: p50 <= 1.3x, p99 <= 1.5x)%n",
                    ms(alerts, 0.50) / ms(echo, 0.50), ms(alerts, 0.99) / ms(echo, 0.99));

            for (int c = 100; c < 200; c++) {
                telegram.userSays(c, "/subscribe DeliveryBench");
            }
            HubRunner.await(
                    Duration.ofSeconds(60),
                    () -> telegram.delivered().stream()
                                    .filter(m -> m.text().startsWith("Subscribed to"))
                                    .count()
                            >= 100);
            for (int a = 0; a < 6; a++) {
                ObjectNode p = template.deepCopy();
                ObjectNode first = (ObjectNode) p.withArray("alerts").get(0);
                first.put("fingerprint", String.format("d%015x", a));
                ((ObjectNode) first.get("labels")).put("alertname", "DeliveryBench" + a);
                hub.postAlerts(JSON.writeValueAsBytes(p));
            }
            HubRunner.await(
                    Duration.ofSeconds(120),
                    () -> telegram.delivered().stream()
                                    .filter(m -> m.text().contains("FIRING</b> DeliveryBench"))
                                    .count()
                            >= 6 * 100);
            List<FakeBotApi.Sent> sent = telegram.delivered().stream()
                    .filter(m -> m.text().contains("FIRING</b> DeliveryBench"))
                    .toList();
            double span = (sent.get(sent.size() - 1).atMillis() - sent.get(0).atMillis()) / 1000.0;
            int peak = 0;
            for (FakeBotApi.Sent s : sent) {
                int inSecond = 0;
                for (FakeBotApi.Sent o : sent) {
                    if (o.atMillis() >= s.atMillis() && o.atMillis() < s.atMillis() + 1000) {
                        inSecond++;
                    }
                }
                peak = Math.max(peak, inSecond);
            }
            System.out.printf(
                    "delivery: %d messages to 100 private chats in %.1f s = %.1f messages/s (target >= 28);"
                            + " the fake Bot API's busiest second: %d (Telegram's limit 30)%n",
                    sent.size(), span, (sent.size() - 1) / span, peak);
        }
        System.exit(0); // the HTTP clients' threads would keep the JVM alive
    }

    /** Sends {@code rate} requests per second for {@code seconds}; latencies in ns from schedule. */
    private static long[] run(String url, IntFunction<byte[]> body, int rate, int seconds) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        int n = rate * seconds;
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime() + 50_000_000L;
        List<CompletableFuture<Long>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long due = start + i * interval;
            byte[] b = body.apply(i);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            HttpRequest req = HttpRequest.newBuilder(URI.create(url))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(b))
                    .build();
            futures.add(http.sendAsync(req, HttpResponse.BodyHandlers.discarding())
                    .thenApply(r -> {
                        if (r.statusCode() != 200) {
                            throw new IllegalStateException(url + " answered " + r.statusCode());
                        }
                        return System.nanoTime() - due;
                    }));
        }
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = futures.get(i).get();
        }
        return out;
    }

    private static long[] concat(long[] a, long[] b) {
        long[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        Arrays.sort(c);
        return c;
    }

    private static double ms(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }
}
