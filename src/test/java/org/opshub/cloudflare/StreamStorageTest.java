package org.opshub.cloudflare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opshub.AllLogs;
import org.opshub.HubRunner;
import org.opshub.checks.LoopbackHttp;
import org.opshub.checks.LoopbackHttp.Reply;

/**
 * The cloudflare-stream route of the real Main against a fake Cloudflare API on loopback serving
 * the recorded envelopes, then 401, 429, 500, a timeout, bad JSON and 200 with success:false.
 */
class StreamStorageTest {
    private static final String TOKEN = "cf-secret-token-7f3a9b";
    private static final String ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353";

    static String sample(String name) throws IOException {
        try (InputStream in = StreamStorageTest.class.getResourceAsStream("/cloudflare/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void gaugesFollowTheApiAndFailuresKeepTheLastValues() throws Exception {
        String ok = sample("storage-usage-ok.json");
        try (AllLogs logs = new AllLogs();
                LoopbackHttp api = new LoopbackHttp(n -> Reply.json(200, ok));
                HubRunner hub = new HubRunner(Map.of(
                        "cloudflare.api-url",
                        api.url("/client/v4"),
                        "cloudflare.token",
                        TOKEN,
                        "cloudflare.accounts",
                        ACCOUNT,
                        "cloudflare.period",
                        "200ms",
                        "cloudflare.timeout",
                        "500ms",
                        "cloudflare.legacy-metrics",
                        "true"))) {
            String acc = "account=\"" + ACCOUNT + "\"";
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(10), () -> hub.metricOrMinusOne("cloudflare_stream_up", acc) == 1));
            assertEquals(1532.25 * 60, hub.metric("cloudflare_stream_stored_seconds", acc));
            assertEquals(5000.0 * 60, hub.metric("cloudflare_stream_stored_limit_seconds", acc));
            assertEquals(87.0, hub.metric("cloudflare_stream_videos", acc));
            assertTrue(hub.metric("cloudflare_stream_last_success_timestamp_seconds", acc) > 1.7e9);
            assertEquals(1532.25, hub.metric("stream_capacity", acc));
            assertEquals(5000.0, hub.metric("stream_limit", acc));
            assertTrue(hub.get("/metrics").body().contains("# TYPE stream_limit gauge"));
            assertEquals("Bearer " + TOKEN, api.lastAuthorization());

            failsWith(
                    hub,
                    api,
                    logs,
                    Reply.json(401, sample("storage-usage-auth-error.json")),
                    "HTTP 401, error 10000 \"Authentication error\"");
            failsWith(
                    hub,
                    api,
                    logs,
                    Reply.json(429, sample("storage-usage-throttled.json")),
                    "HTTP 429, error 971 \"Please wait and consider throttling your request speed\"");
            failsWith(hub, api, logs, Reply.text(500, "upstream connect error"), "HTTP 500, body is not JSON");
            failsWith(hub, api, logs, new Reply(200, "application/json", ok, 3000), "SocketTimeoutException");
            failsWith(hub, api, logs, Reply.json(200, "{\"success\":true,\"result\":"), "HTTP 200, body is not JSON");
            failsWith(
                    hub,
                    api,
                    logs,
                    Reply.json(200, sample("storage-usage-auth-error.json")),
                    "HTTP 200, error 10000 \"Authentication error\"");
            // the last good values stay while failing
            assertEquals(1532.25 * 60, hub.metric("cloudflare_stream_stored_seconds", acc));
            assertEquals(87.0, hub.metric("cloudflare_stream_videos", acc));

            api.answer(n -> Reply.json(200, ok.replace("1532.25", "1600").replace("87", "90")));
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(10), () -> hub.metricOrMinusOne("cloudflare_stream_up", acc) == 1));
            assertEquals(1600.0 * 60, hub.metric("cloudflare_stream_stored_seconds", acc));
            assertEquals(90.0, hub.metric("cloudflare_stream_videos", acc));
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(5),
                    () -> logs.from(StreamStorage.class).stream().anyMatch(l -> l.contains("fetched again"))));

            assertFalse(logs.anyContains(TOKEN), "the token is never logged");
            assertFalse(hub.get("/metrics").body().contains(TOKEN));
            assertFalse(hub.get("/observe/health").body().contains(TOKEN));
            assertFalse(hub.get("/checks").body().contains(TOKEN));
        }
    }

    /** Switches the API to {@code reply}; up drops to 0 and exactly one log line names the cause. */
    private static void failsWith(HubRunner hub, LoopbackHttp api, AllLogs logs, Reply reply, String expected)
            throws Exception {
        String acc = "account=\"" + ACCOUNT + "\"";
        int before = api.requests();
        api.answer(n -> reply);
        assertTrue(
                HubRunner.await(
                        Duration.ofSeconds(15),
                        () -> hub.metricOrMinusOne("cloudflare_stream_up", acc) == 0 && api.requests() >= before + 3),
                expected);
        List<String> lines = logs.from(StreamStorage.class).stream()
                .filter(l -> l.contains(expected))
                .toList();
        assertEquals(1, lines.size(), "one line per state change: " + logs.from(StreamStorage.class));
        assertTrue(
                lines.get(0).startsWith("Cloudflare Stream account " + ACCOUNT + ": storage usage fetch failed: "),
                lines.get(0));
    }

    @Test
    void withoutATokenTheRouteIsIdleAndNoGaugeClaimsAnything() throws Exception {
        try (LoopbackHttp api = new LoopbackHttp(n -> Reply.json(200, "{}"));
                HubRunner hub = new HubRunner(Map.of(
                        "cloudflare.api-url",
                        api.url("/client/v4"),
                        "cloudflare.accounts",
                        ACCOUNT,
                        "cloudflare.period",
                        "200ms"))) {
            Thread.sleep(1500);
            assertEquals(0, api.requests());
            assertEquals(0.0, hub.metric("cloudflare_stream_up", "account=\"" + ACCOUNT + "\""));
        }
    }
}
