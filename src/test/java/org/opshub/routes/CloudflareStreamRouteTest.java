package org.opshub.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Properties;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.apache.camel.support.RoutePolicySupport;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opshub.AllLogs;
import org.opshub.checks.LoopbackHttp;
import org.opshub.checks.LoopbackHttp.Reply;
import org.opshub.cloudflare.StreamStorage;

/**
 * routes/cloudflare-stream.yaml with Camel's test kit, against a loopback HTTP server: the call the
 * cloudflare-api template makes (URL, token, method) and what each class of answer does to the
 * account's gauge {@code cloudflare_stream_up} and the WARN line that names it. The timer is replaced
 * by {@code direct:fetch} (AdviceWith), so each test fetches exactly when it says.
 */
class CloudflareStreamRouteTest extends CamelTestSupport {
    private static final String ACCOUNT = "023e105f4ecef8ad9ca31a8372d0c353";
    private static final String TOKEN = "cf-route-test-token";
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private LoopbackHttp api;
    private StreamStorage stream;

    @Override
    public boolean isUseAdviceWith() {
        return true;
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        api = new LoopbackHttp(n -> Reply.json(200, "{}"));
        stream = new StreamStorage(TOKEN, ACCOUNT, false, registry, Clock.systemUTC());
        CamelContext context = super.createCamelContext();
        Properties p = new Properties();
        p.setProperty("cloudflare.api-url", api.url(""));
        p.setProperty("cloudflare.token", TOKEN);
        p.setProperty("cloudflare.period", "PT1H");
        p.setProperty("cloudflare.timeout", "PT2S");
        p.setProperty("cloudflare.max-answer-bytes", "4096");
        context.getPropertiesComponent().setInitialProperties(p);
        context.getRegistry().bind("cloudflareStream", stream);
        context.getRegistry().bind("leaderOnly", (RoutePolicy) new RoutePolicySupport() {});
        PluginHelper.getRoutesLoader(context)
                .loadRoutes(ResourceHelper.resolveResource(context, "file:routes/cloudflare-stream.yaml"));
        return context;
    }

    @AfterEach
    void closeApi() {
        api.close();
    }

    private static String sample(String name) throws IOException {
        try (InputStream in = CloudflareStreamRouteTest.class.getResourceAsStream("/cloudflare/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Answers the next fetch with {@code reply}, fetches, and returns cloudflare_stream_up. */
    private double fetch(Reply reply) throws Exception {
        if (!context.isStarted()) {
            AdviceWith.adviceWith(context, "cloudflare-stream", a -> a.replaceFromWith("direct:fetch"));
            context.start();
        }
        api.answer(n -> reply);
        template.sendBody("direct:fetch", null);
        return registry.get("cloudflare_stream_up")
                .tag("account", ACCOUNT)
                .gauge()
                .value();
    }

    private static List<String> warnings(AllLogs logs) {
        return logs.from(StreamStorage.class);
    }

    @Test
    void aGoodAnswerSetsTheGaugesFromOneGetWithTheTokenInTheAuthorizationHeaderOnly() throws Exception {
        assertEquals(1.0, fetch(Reply.json(200, sample("storage-usage-ok.json"))));
        assertEquals(
                1532.25 * 60,
                registry.get("cloudflare_stream_stored_seconds")
                        .tag("account", ACCOUNT)
                        .gauge()
                        .value());
        assertEquals("Bearer " + TOKEN, api.lastAuthorization());
        assertEquals(1, api.requests());
    }

    @Test
    void eachClassOfFailureSaysWhatItMeans() throws Exception {
        try (AllLogs logs = new AllLogs()) {
            assertEquals(0.0, fetch(Reply.json(401, sample("storage-usage-auth-error.json"))));
            assertTrue(
                    warnings(logs).stream()
                            .anyMatch(l ->
                                    l.contains("HTTP 401, error 10000 \"Authentication error\"; cloudflare.token needs"
                                            + " the Stream Read permission of this account")),
                    warnings(logs).toString());
            assertEquals(0.0, fetch(Reply.json(429, sample("storage-usage-throttled.json"))));
            assertTrue(
                    warnings(logs).stream()
                            .anyMatch(l -> l.contains("HTTP 429, error 971")
                                    && l.contains("fetched again at the next cloudflare.period")),
                    warnings(logs).toString());
            assertEquals(0.0, fetch(Reply.text(502, "upstream connect error")));
            assertTrue(
                    warnings(logs).stream()
                            .anyMatch(l -> l.endsWith("storage usage fetch failed: HTTP 502, body is not JSON")),
                    warnings(logs).toString());
            assertEquals(0.0, fetch(new Reply(200, "application/json", "x".repeat(8192), 0)));
            assertTrue(
                    warnings(logs).stream().anyMatch(l -> l.contains("4096")),
                    "an answer over cloudflare.max-answer-bytes is a failure: " + warnings(logs));
            assertTrue(warnings(logs).stream().noneMatch(l -> l.contains(TOKEN)), "the token is never logged");
            assertTrue(
                    logs.events.stream().noneMatch(e -> e.getLevel() == Level.ERROR),
                    "a failed call is the route's WARN line only, no error handler's ERROR with a stack trace");
        }
    }
}
