package org.opshub.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Route;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spi.Registry;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.support.RoutePolicySupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opshub.checks.Check;
import org.opshub.checks.LoopbackHttp;
import org.opshub.checks.LoopbackHttp.Reply;

/**
 * The check templates of {@code routes/service-checks.yaml} and the shipped {@code routes/checks.yaml}
 * with Camel's test kit: an http-check made from its template probes a loopback server every 200 ms
 * ({@code direct:check-result} is a mock) and hands each outcome on as a
 * {@link Check.Probed}: a valid status, a status outside {@code validStatus}, a JSONPath value that
 * differs, an answer over {@code maxBodyBytes}, no answer; and checks.yaml's state-disk check is made
 * from the disk-check template.
 */
class ServiceChecksRouteTest extends RouteFileTestSupport {
    private LoopbackHttp api;

    @Override
    String routeFile() {
        return "service-checks.yaml,checks.yaml";
    }

    @Override
    String routeIds() {
        return "check-web,check-state-disk,check-result-stand-in"; // the stand-in is the test's own route
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("leaderOnly", (RoutePolicy) new RoutePolicySupport() {});
    }

    @AfterEach
    void closeApi() {
        if (api != null) {
            api.close();
        }
    }

    private MockEndpoint started() throws Exception {
        api = new LoopbackHttp(n -> Reply.json(200, "{\"license\":{\"valid\":true}}"));
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:check-result").routeId("check-result-stand-in").to("mock:result");
            }
        });
        start(Map.of("state.directory", System.getProperty("java.io.tmpdir")));
        TemplatedRouteBuilder.builder(context, "http-check")
                .routeId("check-web")
                .parameter("name", "web")
                .parameter("url", api.url("/status"))
                .parameter("validStatus", "200-204")
                .parameter("jsonPath", "$.license.valid")
                .parameter("expected", "true")
                .parameter("maxBodyBytes", "1024")
                .parameter("timeout", "1s")
                .parameter("period", "200ms")
                .add();
        return getMockEndpoint("mock:result");
    }

    /** Answers the probes with {@code reply} from now on; the outcome of a probe made after that. */
    private Check.Probed probe(MockEndpoint result, Reply reply) throws InterruptedException {
        api.answer(n -> reply);
        result.reset();
        result.expectedMinimumMessageCount(2); // the first may have been under way with the last answer
        result.assertIsSatisfied(10_000);
        List<Exchange> got = result.getReceivedExchanges();
        return got.get(got.size() - 1).getMessage().getBody(Check.Probed.class);
    }

    @Test
    void anHttpCheckJudgesStatusJsonPathAndSizeAndNamesWhatFailed() throws Exception {
        MockEndpoint result = started();
        Check.Probed ok = probe(result, Reply.json(200, "{\"license\":{\"valid\":true}}"));
        assertTrue(ok.result().success(), ok.toString());
        assertEquals("web", ok.check().name());

        Check.Probed status = probe(result, Reply.json(503, "{}"));
        assertFalse(status.result().success());
        assertTrue(status.result().detail().contains("503"), status.result().detail());

        Check.Probed value = probe(result, Reply.json(200, "{\"license\":{\"valid\":false}}"));
        assertFalse(value.result().success());
        assertTrue(value.result().detail().contains("false"), value.result().detail());

        Check.Probed large = probe(result, Reply.json(200, "{\"pad\":\"" + "x".repeat(4096) + "\"}"));
        assertFalse(large.result().success(), "an answer over maxBodyBytes fails the probe");

        Check.Probed slow = probe(result, new Reply(200, "application/json", "{}", 3000));
        assertFalse(slow.result().success(), "no answer within the timeout fails the probe");
    }

    @Test
    void theShippedStateDiskCheckIsMadeFromTheDiskTemplate() throws Exception {
        started();
        Route disk = context.getRoute("check-state-disk");
        assertTrue(disk != null, "routes/checks.yaml's example check");
        assertTrue(disk.isCreatedByRouteTemplate());
        assertTrue(
                disk.getEndpoint().getEndpointUri().startsWith("timer://check-state-disk"),
                disk.getEndpoint().getEndpointUri());
    }
}
