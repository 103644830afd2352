package org.opshub.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.ConnectException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.spi.Registry;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.support.RoutePolicySupport;
import org.junit.jupiter.api.Test;
import org.opshub.alerts.Acks;
import org.opshub.routes.FakeHttp.Reply;

/**
 * Route {@code alert-acks} of {@code routes/alert-delivery.yaml} and the {@code alertmanager-api}
 * template's {@code alertmanager-get-alerts} with Camel's test kit (timer replaced by
 * {@code direct:read}): the read it makes, and what each class of Alertmanager's answer does: 200 is
 * planned, 4xx names the URL to check, 5xx and no answer are read again.
 */
class AlertAcksRouteTest extends RouteFileTestSupport {
    private final Recorder acks = new Recorder();

    /** Stands in for {@code acks} (and {@code silences}, which says the read is on). */
    public static final class Recorder {
        final List<String> calls = new CopyOnWriteArrayList<>();

        public boolean enabled() {
            return true;
        }

        public Acks.Plan plan(String alerts) {
            calls.add("plan " + alerts);
            return new Acks.Plan(List.of(), List.of(), List.of(), List.of());
        }

        public void unreachable(int status, String problem, String hint) {
            calls.add("unreachable " + status + " " + problem + "; " + hint);
        }
    }

    @Override
    String routeFile() {
        return "alert-delivery.yaml";
    }

    @Override
    String routeIds() {
        return "alert-acks,alertmanager-get-alerts";
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("acks", acks);
        registry.bind("silences", acks);
        registry.bind("leaderOnly", (RoutePolicy) new RoutePolicySupport() {});
    }

    private String read(Reply reply) throws Exception {
        if (!context.isStarted()) {
            AdviceWith.adviceWith(context, "alert-acks", a -> a.replaceFromWith("direct:read"));
            start(Map.of(
                    "alertmanager.api-url", "fake://alertmanager:9093",
                    "alertmanager.check-interval", "PT1M",
                    "alertmanager.http-timeout", "PT5S",
                    "alertmanager.max-answer-bytes", "65536"));
        }
        http.reply = r -> reply;
        acks.calls.clear();
        template.sendBody("direct:read", "anything the exchange carried");
        assertEquals(1, acks.calls.size(), acks.calls.toString());
        return acks.calls.get(0);
    }

    @Test
    void theReadIsAGetOfApiV2AlertsWithNoBodyAndItsAnswerIsPlanned() throws Exception {
        assertEquals("plan []", read(Reply.of(200, "application/json", "[]")));
        FakeHttp.Request r = http.requests.get(0);
        assertEquals("fake://alertmanager:9093/api/v2/alerts", r.uri());
        assertEquals("GET", r.header("CamelHttpMethod"));
        assertEquals("", r.body(), "a GET sends no body, whatever the exchange carried");
    }

    @Test
    void eachFailureSaysWhatItMeans() throws Exception {
        assertEquals(
                "unreachable 404 404 page not found; check alertmanager.api-url: /api/v2/alerts is read under it",
                read(Reply.of(404, "text/plain", "404 page not found")));
        assertEquals(
                "unreachable 503 overloaded; read again every alertmanager.check-interval",
                read(Reply.of(503, "text/plain", "overloaded")));
        assertEquals(
                "unreachable 0 Connection refused; read again every alertmanager.check-interval",
                read(Reply.failing(new ConnectException("Connection refused"))));
    }
}
