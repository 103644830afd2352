package org.opshub.pacs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opshub.checks.MutableClock;
import org.opshub.state.StateStore;
import org.opshub.state.StateUnavailableException;

/**
 * The re-send's bookkeeping without a PACS: a source port where nothing listens makes every move an
 * {@code error} at once, so the cap per source, the attempts and spacing of the automatic re-send, the
 * records and the counters can be checked on a test clock. Moves that reach real peers are in
 * {@code PacsRemediationInteropTest}.
 */
class PacsResendsTest {
    @TempDir
    Path dir;

    final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T10:00:00Z"));
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private PacsMonitor monitor(Map<String, String> extra) throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Map<String, String> p = new HashMap<>(Map.of(
                "pacs.timezone",
                "UTC",
                "pacs.nodes.src.host",
                "127.0.0.1",
                "pacs.nodes.src.port",
                Integer.toString(closed),
                "pacs.nodes.src.ae-title",
                "SRC",
                "pacs.nodes.dst.host",
                "127.0.0.1",
                "pacs.nodes.dst.ae-title",
                "DST",
                "pacs.forwarding.main.source",
                "src",
                "pacs.forwarding.main.target",
                "dst",
                "pacs.forwarding.main.max-moves-per-minute",
                "3"));
        p.putAll(extra);
        PacsMonitor m = new PacsMonitor(PacsSettings.from(p.keySet(), p::get), new SimpleMeterRegistry(), clock);
        List<Reconciliation.Gap> missing = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            missing.add(new Reconciliation.Gap(
                    new StudyRecord("1.2.3." + i, "20261130", null, null, "CT", null, 2, null, null),
                    null,
                    clock.instant().minusSeconds(3600 + i)));
        }
        m.state().check("src->dst").last = new Reconciliation(5, missing, List.of(), 0);
        return m;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rows(PacsResends r) {
        return (List<Map<String, Object>>) r.recent().get("resends");
    }

    @Test
    void everyTriggerSharesTheCapPerSourceAndEveryMoveIsRecorded() throws Exception {
        try (StateStore store = StateStore.open(null, null, null, dir)) {
            PacsResends r = new PacsResends(monitor(Map.of()), store, registry, clock);
            Map<String, Object> one = r.resendStudy("main", "1.2.3.0", "api:ops");
            assertEquals("failed", one.get("answer"), "connection refused: the move is an error");
            Map<String, Object> move = ((List<Map<String, Object>>) one.get("moves")).get(0);
            assertEquals("error", move.get("result"));
            assertTrue(((String) move.get("reason")).startsWith("src: connection to SRC@127.0.0.1:"), move.toString());
            assertEquals(
                    "not-missing", r.resendStudy("main", "9.9.9", "api:ops").get("answer"));
            assertEquals(
                    "unknown-pair",
                    r.resendStudy("nosuch", "1.2.3.0", "api:ops").get("answer"));

            Map<String, Object> all = r.resendCheck("src->dst", "telegram:Anna [id 1]");
            assertEquals(2, ((List<?>) all.get("moves")).size(), "3 a minute: 1 made by the API, 2 by the button");
            assertEquals(3, all.get("left"));
            assertEquals(
                    "rate-limited", r.resendStudy("main", "1.2.3.4", "api:ops").get("answer"));
            assertEquals(3, rows(r).size(), "a move over the cap is not made and not recorded");
            assertEquals(
                    List.of("telegram:Anna [id 1]", "telegram:Anna [id 1]", "api:ops"),
                    rows(r).stream().map(x -> x.get("trigger")).toList(),
                    "newest first");
            assertEquals(
                    3.0,
                    registry.get("pacs_resend_total")
                            .tags("result", "error")
                            .counter()
                            .count());
            assertEquals(
                    0.0,
                    registry.get("pacs_resend_total")
                            .tags("result", "success")
                            .counter()
                            .count(),
                    "every result is registered from the start");

            clock.advance(Duration.ofSeconds(61));
            assertEquals(
                    "failed", r.resendStudy("main", "1.2.3.4", "api:ops").get("answer"), "a minute later: allowed");
        }
    }

    @Test
    void automaticResendWaitsForMinAgeSpacesAttemptsAndStopsAtMaxAttempts() throws Exception {
        try (StateStore store = StateStore.open(null, null, null, dir)) {
            PacsMonitor m = monitor(Map.of(
                    "pacs.forwarding.main.auto-resend",
                    "true",
                    "pacs.forwarding.main.min-age",
                    "PT2H",
                    "pacs.forwarding.main.max-attempts",
                    "2",
                    "pacs.forwarding.main.max-moves-per-minute",
                    "100"));
            PacsResends r = new PacsResends(m, store, registry, clock);
            assertEquals(0, r.autoResend("src->dst"), "first seen an hour ago: younger than min-age");
            clock.advance(Duration.ofHours(1));
            assertEquals(5, r.autoResend("src->dst"));
            assertEquals(0, r.autoResend("src->dst"), "again only min-age after the last move");
            clock.advance(Duration.ofHours(2));
            assertEquals(5, r.autoResend("src->dst"));
            clock.advance(Duration.ofHours(2));
            assertEquals(0, r.autoResend("src->dst"), "max-attempts=2 reached");
            assertEquals(10, rows(r).size());
            assertTrue(rows(r).stream().allMatch(x -> "auto".equals(x.get("trigger"))));
            // a manual re-send is still possible and does not count as an automatic attempt
            assertEquals("failed", r.resendStudy("main", "1.2.3.0", "api:ops").get("answer"));
        }
    }

    @Test
    void withoutTheStoreNothingMovesAndTheAutomaticResendPauses() throws Exception {
        StateStore store = StateStore.open(null, null, null, dir);
        PacsResends r = new PacsResends(
                monitor(Map.of("pacs.forwarding.main.auto-resend", "true", "pacs.forwarding.main.min-age", "PT0S")),
                store,
                registry,
                clock);
        store.close();
        assertThrows(StateUnavailableException.class, () -> r.resendStudy("main", "1.2.3.0", "api:ops"));
        assertEquals(0, r.autoResend("src->dst"));
        assertEquals(
                0.0,
                registry.get("pacs_resend_total")
                        .tags("result", "error")
                        .counter()
                        .count(),
                "no move made");
        assertEquals("unavailable", r.unavailable().get("answer"));
    }
}
