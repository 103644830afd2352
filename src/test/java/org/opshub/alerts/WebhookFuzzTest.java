package org.opshub.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.opshub.HubRunner;

/**
 * Malformed and random bodies against the real {@code POST /alerts}: every answer is 200 or a
 * 4xx with a JSON error body, never a 5xx, and the hub keeps working.
 */
class WebhookFuzzTest {
    static final Set<Integer> ALLOWED = Set.of(200, 400, 413, 415);
    static final List<String> FRAGMENTS = List.of(
            "{",
            "}",
            "[",
            "]",
            "\"",
            ":",
            ",",
            "null",
            "true",
            "1e999999",
            "-0",
            "\"version\"",
            "\"4\"",
            "\"alerts\"",
            "\"status\"",
            "\"firing\"",
            "\"labels\"",
            "\"startsAt\"",
            "\"2026-11-21T08:00:00Z\"",
            "\"0001-01-01T00:00:00Z\"",
            "\\u0000",
            "\uFFFF",
            "\uD800",
            "\u0000",
            "Иванов");

    @Test
    void randomAndMutatedBodiesNeverGetA5xx() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        Random random = new Random(seed);
        byte[][] samples = {
            AlertmanagerPayloadTest.sample("grouped-synthetic.json"),
            AlertmanagerPayloadTest.sample("firing-real-0.25.json"),
            AlertmanagerPayloadTest.sample("resolved-real-0.25.json")
        };
        try (HubRunner hub = new HubRunner(Map.of("telegram.allowed-chats", "1"))) {
            for (int i = 0; i < 600; i++) {
                byte[] body = switch (i % 4) {
                    case 0 -> mutate(samples[random.nextInt(samples.length)], random);
                    case 1 -> fragments(random);
                    case 2 -> randomBytes(random);
                    default -> structured(random);
                };
                HttpResponse<String> r = hub.postAlerts(body);
                assertTrue(
                        ALLOWED.contains(r.statusCode()),
                        "seed " + seed + " case " + i + ": " + r.statusCode() + " " + r.body() + " for "
                                + new String(body, StandardCharsets.UTF_8));
                if (r.statusCode() != 200) {
                    assertTrue(r.body().startsWith("{\"status\":\"error\",\"error\":"), r.body());
                }
            }
            assertEquals(200, hub.get("/observe/health/live").statusCode());
            assertEquals(200, hub.postAlerts(samples[0]).statusCode());
        }
    }

    private static byte[] mutate(byte[] sample, Random r) {
        byte[] b = sample.clone();
        int n = 1 + r.nextInt(8);
        for (int k = 0; k < n; k++) {
            switch (r.nextInt(3)) {
                case 0 -> b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                case 1 -> b = Arrays.copyOf(b, r.nextInt(b.length) + 1);
                default -> {
                    int at = r.nextInt(b.length);
                    byte[] ins = FRAGMENTS.get(r.nextInt(FRAGMENTS.size())).getBytes(StandardCharsets.UTF_8);
                    byte[] out = new byte[b.length + ins.length];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(ins, 0, out, at, ins.length);
                    System.arraycopy(b, at, out, at + ins.length, b.length - at);
                    b = out;
                }
            }
        }
        return b;
    }

    private static byte[] fragments(Random r) {
        StringBuilder s = new StringBuilder();
        int n = 1 + r.nextInt(40);
        for (int k = 0; k < n; k++) {
            s.append(FRAGMENTS.get(r.nextInt(FRAGMENTS.size())));
        }
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] randomBytes(Random r) {
        byte[] b = new byte[1 + r.nextInt(2000)];
        r.nextBytes(b);
        return b;
    }

    /** Well-formed JSON with the right field names and wrong or odd values. */
    private static byte[] structured(Random r) {
        String[] values = {
            "null",
            "1",
            "\"x\"",
            "[]",
            "{}",
            "\"firing\"",
            "\"resolved\"",
            "\"2026-11-21T08:00:00Z\"",
            "{\"alertname\":\"A\"}",
            "{\"alertname\":1}",
            "\"" + "z".repeat(5000) + "\"",
            "[[[[]]]]"
        };
        String alert = "{\"status\":" + pick(values, r) + ",\"labels\":" + pick(values, r) + ",\"annotations\":"
                + pick(values, r) + ",\"startsAt\":" + pick(values, r) + ",\"endsAt\":" + pick(values, r)
                + ",\"fingerprint\":" + pick(values, r) + ",\"generatorURL\":" + pick(values, r) + "}";
        String alerts = r.nextBoolean() ? "[" + alert + "," + alert + "]" : pick(values, r);
        return ("{\"version\":" + (r.nextInt(4) == 0 ? pick(values, r) : "\"4\"") + ",\"status\":\"firing\",\"alerts\":"
                        + alerts + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String pick(String[] values, Random r) {
        return values[r.nextInt(values.length)];
    }
}
