package org.opshub.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.RoutePolicySupport;
import org.junit.jupiter.api.Test;
import org.opshub.state.StateUnavailableException;
import org.opshub.telegram.bot.ResendStep;

/**
 * Routes {@code pacs-resend} and {@code pacs-resend-button} of {@code routes/pacs-forwarding.yaml} with
 * Camel's test kit (the platform-http consumer replaced by {@code direct:resend}): the HTTP status of
 * each re-send outcome, who is recorded as the trigger, and the button flow's outcome, also when the
 * state store does not answer. {@code pacsResends} and {@code resendButtons} are stand-ins that record.
 */
class PacsForwardingRouteTest extends RouteFileTestSupport {
    private final Resends resends = new Resends();
    private final List<String> edits = new CopyOnWriteArrayList<>();

    /** Stands in for {@code pacsResends}: answers what the test says, records the calls. */
    public static final class Resends {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile String answer = "ok";

        public String apiTrigger(String verifiedUser) {
            return "api:" + verifiedUser;
        }

        public Map<String, Object> resendStudy(String pair, String uid, String trigger) {
            calls.add("study " + pair + " " + uid + " by " + trigger);
            if ("unavailable".equals(answer)) {
                throw new StateUnavailableException("the test's store is down", null);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("answer", answer);
            return out;
        }

        public Map<String, Object> resendCheck(String checkKey, String trigger) {
            calls.add("check " + checkKey + " by " + trigger);
            return Map.of("answer", answer);
        }

        public void autoResend(String checkKey) {}

        public Map<String, Object> unavailable() {
            return Map.of("answer", "unavailable");
        }
    }

    /** Stands in for {@code pacsMonitor}: three checks, two of one source; records each reconcile's round. */
    public static final class Monitor {
        final List<String> rounds = new CopyOnWriteArrayList<>();
        final List<Object> roundObjects = new CopyOnWriteArrayList<>();
        final List<String> committed = new CopyOnWriteArrayList<>();

        public List<String> nodeNames() {
            return List.of("src", "a", "b", "c");
        }

        public void echo(String node) {}

        public List<String> checkKeys() {
            return List.of("src->a", "src->b", "src->c");
        }

        public void reconcile(String checkKey, Object round) {
            rounds.add(checkKey);
            roundObjects.add(round);
        }
    }

    private final Monitor monitor = new Monitor();

    /** Stands in for {@code pacsCommitments}: records which checks were offered. */
    public static final class Commitments {
        private final Monitor monitor;

        Commitments(Monitor monitor) {
            this.monitor = monitor;
        }

        public void commit(String checkKey) {
            monitor.committed.add(checkKey);
        }
    }

    /** Stands in for {@code resendButtons}. */
    public final class Buttons {
        public void resendDone(ResendStep step, Map<String, Object> outcome) {
            edits.add(step.label() + ": " + outcome.get("answer"));
        }
    }

    @Override
    String routeFile() {
        return "pacs-forwarding.yaml,http-answers.yaml";
    }

    @Override
    String routeIds() {
        return "pacs-resend,pacs-resend-button,pacs-monitor";
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        registry.bind("pacsResends", resends);
        registry.bind("resendButtons", new Buttons());
        registry.bind("pacsMonitor", monitor);
        registry.bind("pacsCommitments", new Commitments(monitor));
        registry.bind("leaderOnly", new RoutePolicySupport() {});
    }

    private void started() throws Exception {
        if (!context.isStarted()) {
            AdviceWith.adviceWith(context, "pacs-resend", a -> a.replaceFromWith("direct:resend"));
            start(Map.of("pacs.period", "PT0.2S"));
        }
    }

    private Exchange resend(String answer) throws Exception {
        started();
        resends.answer = answer;
        return template.send("direct:resend", e -> {
            e.getMessage().setHeader("pair", "ct-to-archive");
            e.getMessage().setHeader("studyInstanceUid", "1.2.3");
            e.getMessage().setHeader("OpshubUser", "radiology-it");
        });
    }

    private static int status(Exchange e) {
        return e.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
    }

    @Test
    void eachOutcomeOfAReSendHasItsStatusAndTheVerifiedUserIsTheTrigger() throws Exception {
        assertEquals(200, status(resend("ok")));
        assertEquals("study ct-to-archive 1.2.3 by api:radiology-it", resends.calls.get(0));
        assertEquals(200, status(resend("partial")));
        Exchange limited = resend("rate-limited");
        assertEquals(429, status(limited));
        assertEquals("60", limited.getMessage().getHeader("Retry-After", String.class));
        assertEquals(404, status(resend("not-missing")));
        assertEquals(404, status(resend("unknown-pair")));
        assertEquals(502, status(resend("failed")));
        Exchange ok = resend("ok");
        assertEquals("application/json", ok.getMessage().getHeader("Content-Type"));
        assertEquals("{\"answer\":\"ok\"}", ok.getMessage().getBody(String.class));
    }

    @Test
    void aStoreThatDoesNotAnswerIs503AndMovesNothing() throws Exception {
        Exchange down = resend("unavailable");
        assertEquals(503, status(down));
        assertEquals("60", down.getMessage().getHeader("Retry-After", String.class));
        assertTrue(down.getMessage().getBody(String.class).contains("nothing was moved"));
    }

    @Test
    void aButtonResendsOneStudyOrACheckAndTheMessageSaysHowItEnded() throws Exception {
        started();
        ResendStep study = new ResendStep(-100, "update:1", 5, "telegram:ann", "#2", "ct", "1.2.9", null, "text", null);
        template.sendBody("direct:pacs-resend-button", study);
        ResendStep check =
                new ResendStep(-100, "update:2", 6, "telegram:ann", "all", null, null, "ct->arch", "text", null);
        template.sendBody("direct:pacs-resend-button", check);
        resends.answer = "unavailable";
        template.sendBody("direct:pacs-resend-button", study);
        assertEquals(
                List.of(
                        "study ct 1.2.9 by telegram:ann",
                        "check ct->arch by telegram:ann",
                        "study ct 1.2.9 by telegram:ann"),
                resends.calls);
        assertEquals(List.of("#2: ok", "all: ok", "#2: unavailable"), edits);
    }

    @Test
    void theChecksOfOneFiringShareARoundSoThatTheirSourceIsListedOnce() throws Exception {
        started();
        assertTrue(await(() -> monitor.rounds.size() >= 6), "two firings: " + monitor.rounds);
        assertEquals(List.of("src->a", "src->b", "src->c", "src->a", "src->b", "src->c"), monitor.rounds.subList(0, 6));
        List<Object> r = monitor.roundObjects.subList(0, 6);
        assertTrue(r.get(0) != null && r.get(3) != null, "the timer's fired time is the round: " + r);
        assertEquals(List.of(r.get(0), r.get(0), r.get(0)), r.subList(0, 3), "one round per firing");
        assertEquals(List.of(r.get(3), r.get(3), r.get(3)), r.subList(3, 6));
        assertFalse(r.get(0).equals(r.get(3)), "each firing has its own round: " + r);
        assertTrue(
                monitor.committed.size() >= 3
                        && monitor.committed.subList(0, 3).equals(List.of("src->a", "src->b", "src->c")),
                "each check is offered to Storage Commitment after its reconciliation: " + monitor.committed);
    }

    private static boolean await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }
}
