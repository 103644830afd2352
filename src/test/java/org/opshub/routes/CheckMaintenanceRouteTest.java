package org.opshub.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.spi.Registry;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.support.RoutePolicySupport;
import org.junit.jupiter.api.Test;
import org.opshub.checks.CheckMaintenance;
import org.opshub.checks.MaintenancePlan.SilenceMatcher;
import org.opshub.checks.MaintenanceStore.Window;
import org.opshub.routes.FakeHttp.Reply;

/**
 * The maintenance routes of {@code routes/service-checks.yaml} with Camel's test kit: a window that
 * starts with {@code silence-alerts} is announced and its silence POSTed to Alertmanager's API v2
 * (alert-delivery.yaml's {@code alertmanager-api} template, at a fake URL); Alertmanager's answer,
 * or its silence, is handed to {@code checkMaintenance.silenced}; a window ended early is announced,
 * its silence DELETEd, and the checks still DOWN are asked for their notifications.
 */
class CheckMaintenanceRouteTest extends RouteFileTestSupport {
    private final Stand stand = new Stand();

    /** Stands in for {@code checkMaintenance} and {@code serviceChecks}: hands out the events, records the calls. */
    public static final class Stand {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile List<CheckMaintenance.Event> events = List.of();

        public List<CheckMaintenance.Event> tick() {
            List<CheckMaintenance.Event> e = events;
            events = List.of();
            return e;
        }

        public void announce(CheckMaintenance.Event e) {
            calls.add((e.start() ? "start " : "end ") + e.window().id());
        }

        public String postableSilence(CheckMaintenance.Event e) {
            return "{\"matchers\":[{\"name\":\"instance\",\"value\":\"pacs.*\",\"isRegex\":true,\"isEqual\":true}]}";
        }

        public void silenced(CheckMaintenance.Event e, String body) {
            calls.add("silenced " + e.window().id() + " " + body);
        }

        public void refused(CheckMaintenance.Event e, int status, String body) {
            calls.add("refused " + e.window().id() + " " + status + " " + body);
        }

        public List<Object> dueNow(List<String> names) {
            calls.add("due now " + names);
            return List.of();
        }
    }

    @Override
    String routeFile() {
        return "service-checks.yaml,alert-delivery.yaml";
    }

    @Override
    String routeIds() {
        return "checks-maintenance,maintenance-silence,maintenance-silence-expire,alertmanager-post-silence,"
                + "alertmanager-delete-maintenance-silence";
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("leaderOnly", (RoutePolicy) new RoutePolicySupport() {});
        registry.bind("checkMaintenance", stand);
        registry.bind("serviceChecks", stand);
    }

    private static Window window(long id, Long endedAt, String silenceId) {
        return new Window(
                id,
                "chat",
                "pacs-checks",
                List.of("pacs-echo", "pacs-web"),
                1_000,
                9_000_000,
                "upgrade",
                "Test [id 1]",
                endedAt,
                true,
                false,
                silenceId);
    }

    private static final List<SilenceMatcher> MATCHERS = List.of(new SilenceMatcher("instance", "pacs.*", true, true));

    private void startRoutes() {
        start(Map.of(
                "checks.maintenance-interval", "PT0.2S",
                "alertmanager.api-url", "fake://alertmanager",
                "alertmanager.http-timeout", "PT5S",
                "alertmanager.max-answer-bytes", "65536"));
    }

    private boolean await(int count) throws InterruptedException {
        for (int i = 0; i < 100 && stand.calls.size() < count; i++) {
            Thread.sleep(50);
        }
        return stand.calls.size() >= count;
    }

    @Test
    void aStartingWindowIsAnnouncedAndItsSilencePostedAndKept() throws Exception {
        http.reply = r -> Reply.of(200, "application/json", "{\"silenceID\":\"s-1\"}");
        stand.events = List.of(new CheckMaintenance.Event(true, window(1, null, null), MATCHERS));
        startRoutes();
        assertTrue(await(2), stand.calls.toString());
        assertEquals(List.of("start 1", "silenced 1 {\"silenceID\":\"s-1\"}"), stand.calls);
        FakeHttp.Request post = http.requests.get(0);
        assertEquals("POST", post.header("CamelHttpMethod"));
        assertTrue(post.uri().startsWith("fake://alertmanager/api/v2/silences"), post.uri());
        assertTrue(
                post.body().toString().contains("\"isRegex\":true"), post.body().toString());
    }

    @Test
    void anUnreachableAlertmanagerLeavesTheWindowWithoutASilenceAndSaysWhy() throws Exception {
        http.reply = r -> Reply.failing(new ConnectException("Connection refused"));
        stand.events = List.of(new CheckMaintenance.Event(true, window(2, null, null), MATCHERS));
        startRoutes();
        assertTrue(await(2), stand.calls.toString());
        assertEquals(List.of("start 2", "refused 2 0 Connection refused"), stand.calls);
    }

    @Test
    void aSilenceAlertmanagerRefusesIsHandedOnAsARefusal() throws Exception {
        http.reply = r -> Reply.of(400, "text/plain", "bad matcher");
        stand.events = List.of(new CheckMaintenance.Event(true, window(5, null, null), MATCHERS));
        startRoutes();
        assertTrue(await(2), stand.calls.toString());
        assertEquals(List.of("start 5", "refused 5 400 bad matcher"), stand.calls);
    }

    @Test
    void aWindowEndedEarlyIsAnnouncedItsSilenceDeletedAndItsChecksStillDownNotified() throws Exception {
        http.reply = r -> Reply.of(200, "application/json", "");
        stand.events = List.of(
                new CheckMaintenance.Event(false, window(3, 5_000L, "s-3"), MATCHERS),
                new CheckMaintenance.Event(false, window(4, null, null), List.of()));
        startRoutes();
        assertTrue(await(4), stand.calls.toString());
        assertEquals(
                List.of("end 3", "due now [pacs-echo, pacs-web]", "end 4", "due now [pacs-echo, pacs-web]"),
                stand.calls);
        assertEquals(1, http.requests.size(), "a silence that runs its course expires by itself");
        assertEquals("DELETE", http.requests.get(0).header("CamelHttpMethod"));
        assertTrue(
                http.requests.get(0).uri().startsWith("fake://alertmanager/api/v2/silence/s-3"),
                http.requests.get(0).uri());
    }
}
