package org.opshub.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opshub.state.StateStore;
import org.opshub.telegram.outbox.ChatTopic;
import org.opshub.telegram.outbox.OutboxStore;

/**
 * The rules of dependencies and maintenance windows, probe by probe, without routes: {@link
 * ServiceChecks#record} on a test clock with the state store in a temporary directory. Each probe is
 * handed in as the check routes hand it; what comes back is the notification due (or null).
 */
class DependencyRulesTest {
    @TempDir
    Path dir;

    private StateStore store;
    private ServiceChecks checks;
    private MaintenanceStore windows;
    private CheckChats chats;
    private OutboxStore outbox;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));

    @BeforeEach
    void open() {
        store = StateStore.open(null, null, null, dir);
        windows = new MaintenanceStore(store);
        outbox = new OutboxStore(store, new SimpleMeterRegistry());
        chats = new CheckChats(List.of(new ChatTopic(42, 0)), outbox, windows);
        checks = new ServiceChecks(
                new DefaultCamelContext(),
                new SimpleMeterRegistry(),
                clock,
                NotifyWindow.parse("00:00-24:00", "MON-SUN", ZoneOffset.UTC),
                chats);
        checks.maintenance(new CheckMaintenance(
                windows, List.of(), clock, ZoneOffset.UTC, chats.chats(), outbox, Set.of(), Set::of));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static Check check(String name, int failureThreshold, String dependsOn) {
        Check c = new Check();
        c.setName(name);
        c.setType("tcp");
        c.setTarget(name + ":1");
        c.setFailureThreshold(failureThreshold);
        c.setDependsOn(dependsOn);
        return c;
    }

    /** One probe; a notification due is queued as the check-notify route queues it (its text: the kind). */
    private CheckNotification probe(Check c, boolean ok) {
        clock.advance(Duration.ofSeconds(1));
        CheckNotification n = checks.record(
                "check-" + c.name(), new Check.Probed(c, new ProbeResult(ok, 0.01, ok ? "ok" : "refused")));
        if (n != null) {
            chats.queue(n, kind(n) + " " + n.getDependents(), null);
        }
        return n;
    }

    private static String kind(CheckNotification n) {
        return n == null ? null : n.kind() + (n.isEdit() ? " edit" : "");
    }

    @Test
    void aDependentThatNotifiedDownBeforeItsParentFailedAlwaysGetsItsRecovery() {
        Check gateway = check("gateway", 1, " ");
        Check pacs = check("pacs", 1, "gateway");
        probe(gateway, true);
        assertEquals("DOWN", kind(probe(pacs, false)), "the gateway is fine: pacs's own outage");
        assertEquals("DOWN", kind(probe(gateway, false)));
        assertNull(probe(pacs, false), "no reminder, no second DOWN while the gateway is down");
        assertEquals("RECOVERED", kind(probe(pacs, true)), "its recovery is sent although the gateway is down");
    }

    @Test
    void aDependentWaitsWhileItsParentIsUndecidedAndCountsItsOwnThresholdAfterTheParentIsBack() {
        Check gateway = check("gateway", 2, " ");
        Check pacs = check("pacs", 2, "gateway");
        probe(gateway, true);
        probe(pacs, true);
        assertNull(probe(gateway, false), "one failure of two");
        assertNull(probe(pacs, false));
        assertNull(probe(pacs, false), "pacs is DOWN by its own count, but the gateway is undecided: it waits");
        CheckNotification down = probe(gateway, false);
        assertEquals("DOWN", kind(down));
        assertEquals("And 1 checks behind it: pacs", down.getDependents(), "failing already: in the first message");
        assertNull(probe(pacs, false), "suppressed");
        assertNull(probe(gateway, false), "nothing new to list");
        Check ris = check("ris", 2, "gateway");
        assertNull(probe(ris, false), "a check behind it that fails later");
        CheckNotification listed = probe(gateway, false);
        assertEquals("DOWN edit", kind(listed), "the gateway's message now lists it too");
        assertEquals("And 2 checks behind it: pacs, ris", listed.getDependents());
        assertNull(probe(ris, true));

        CheckNotification back = probe(gateway, true);
        assertEquals("RECOVERED", kind(back));
        assertEquals("Back with it (1): ris\nStill failing (1): pacs", back.getDependents());
        assertNull(probe(pacs, false), "its own threshold counts from the gateway's recovery: one of two");
        assertEquals("DOWN", kind(probe(pacs, false)), "two of two: notified as usual");
    }

    @Test
    void theParentsRecoveryIsEditedAsTheChecksBehindItComeBack() {
        Check gateway = check("gateway", 1, " ");
        Check web = check("web", 1, "gateway");
        Check ris = check("ris", 1, "gateway");
        probe(gateway, true);
        assertEquals("DOWN", kind(probe(gateway, false)));
        assertNull(probe(web, false));
        assertNull(probe(ris, false));
        assertEquals("And 2 checks behind it: ris, web", probe(gateway, false).getDependents());
        CheckNotification up = probe(gateway, true);
        assertEquals("Still failing (2): ris, web", up.getDependents());
        assertNull(probe(web, true), "web never notified DOWN: nothing of its own");
        CheckNotification edit = probe(gateway, true);
        assertEquals("RECOVERED edit", kind(edit));
        assertEquals("Back with it (1): web\nStill failing (1): ris", edit.getDependents());
    }

    @Test
    void duringAMaintenanceWindowNothingIsNotifiedAndAtItsEndACheckStillDownIs() {
        Check pacs = check("pacs", 1, " ");
        long now = clock.millis();
        long id = windows.open("chat", "pacs", List.of("pacs"), now, now + 60_000, "upgrade", "test");
        checks.maintenance().tick();
        assertNull(probe(pacs, false), "DOWN held by the window");
        assertNull(probe(pacs, false));
        assertEquals(1, checks.snapshot().get("maintenance") instanceof List<?> l ? l.size() : -1);
        assertTrue(windows.end(id, clock.millis()));
        assertEquals(1, checks.maintenance().tick().size(), "the end, once");
        assertEquals(
                List.of("DOWN"),
                checks.dueNow(List.of("pacs")).stream()
                        .map(DependencyRulesTest::kind)
                        .toList());
        assertNull(probe(pacs, false), "notified once");
        assertEquals(List.of(), checks.maintenance().tick());
    }

    @Test
    void aConfiguredWindowHoldsFromItsStartAndItsOccurrenceIsAnnouncedOnce() {
        Instant start = clock.instant().plusSeconds(1);
        MaintenancePlan night =
                new MaintenancePlan("night", List.of("pacs"), start, start.plusSeconds(30), null, "backup", List.of());
        checks.maintenance(new CheckMaintenance(
                windows, List.of(night), clock, ZoneOffset.UTC, chats.chats(), null, Set.of(), Set::of));
        Check pacs = check("pacs", 1, " ");
        assertNull(probe(pacs, false), "held from its start, before the first tick read it");
        List<CheckMaintenance.Event> started = checks.maintenance().tick();
        assertEquals(1, started.size());
        assertTrue(started.get(0).start());
        assertEquals("checks.maintenance.night", started.get(0).window().createdBy());
        assertEquals(List.of(), checks.maintenance().tick(), "announced once");
        assertNull(probe(pacs, false));
        clock.advance(Duration.ofSeconds(30));
        List<CheckMaintenance.Event> ended = checks.maintenance().tick();
        assertEquals(1, ended.size());
        assertTrue(!ended.get(0).start());
        assertEquals(List.of(), checks.maintenance().tick());
        assertEquals("DOWN", kind(probe(pacs, false)), "over: the check still DOWN notifies");
    }

    /** The outbox rows of the chat: ref, then text, claimed or not. */
    private List<String> rows() {
        return store.inTransaction(c -> {
            List<String> out = new java.util.ArrayList<>();
            try (var rs = c.createStatement().executeQuery("SELECT ref, text, claimed_by FROM outbox ORDER BY id")) {
                while (rs.next()) {
                    out.add(rs.getString(1).replaceAll(":\\d{10,}", ":T") + " | " + rs.getString(2)
                            + (rs.getString(3) == null ? "" : " | claimed"));
                }
            }
            return out;
        });
    }

    @Test
    void editsOfASentMessageAreOneWaitingEditRewrittenOrANewOneAfterTheOneBeingSent() {
        Check gateway = check("gateway", 1, " ");
        List<Check> behind = List.of(check("a", 1, "gateway"), check("b", 1, "gateway"), check("c", 1, "gateway"));
        probe(gateway, true);
        probe(gateway, false);
        behind.forEach(c -> probe(c, false));
        probe(gateway, false); // the DOWN lists a, b, c (rewritten while waiting)
        CheckNotification up = probe(gateway, true);
        assertEquals(
                List.of(
                        "check:gateway:DOWN:T | DOWN edit And 3 checks behind it: a, b, c",
                        "check:gateway:RECOVERED:T | RECOVERED Still failing (3): a, b, c"),
                rows());
        // both sent: gone from the outbox, their message ids kept
        String ref = CheckChats.ref(up);
        store.inTransaction(c -> StateStore.update(c, "DELETE FROM outbox"));
        chats.sent(new org.opshub.telegram.outbox.OutboxMessage(1, 42, "check", ref, "", "HTML", 0, 0, null), 77L);

        probe(behind.get(0), true);
        assertEquals("RECOVERED edit", kind(probe(gateway, true)));
        probe(behind.get(1), true);
        assertEquals("RECOVERED edit", kind(probe(gateway, true)));
        assertEquals(
                List.of(
                        "check:gateway:RECOVERED:T:edit:T | RECOVERED edit Back with it (2): a, b\nStill failing (1): c"),
                rows(),
                "the waiting edit is rewritten, not queued twice");
        // the edit is being sent: the next one is a new edit after it
        store.inTransaction(c -> StateStore.update(c, "UPDATE outbox SET claimed_by = 'hub-1'"));
        probe(behind.get(2), true);
        assertEquals("RECOVERED edit", kind(probe(gateway, true)));
        assertEquals(
                List.of(
                        "check:gateway:RECOVERED:T:edit:T | RECOVERED edit Back with it (2): a, b\nStill failing (1): c | claimed",
                        "check:gateway:RECOVERED:T:edit:T | RECOVERED edit Back with it (3): a, b, c"),
                rows());
        String extra = store.inTransaction(c -> {
            try (var rs = c.createStatement().executeQuery("SELECT extra FROM outbox ORDER BY id DESC")) {
                rs.next();
                return rs.getString(1);
            }
        });
        assertTrue(extra.contains("\"method\":\"editMessageText\",\"message_id\":77"), extra);
    }
}
