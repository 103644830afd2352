package org.opshub.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The acknowledgement decision as a function of Alertmanager's read and what the store holds; no database. */
class AckDecisionTest {
    private static final long NOW = Instant.parse("2026-12-07T10:00:00Z").toEpochMilli();
    private static final long SILENCE = Duration.ofHours(2).toMillis();

    private static Acks.Ack ack(String fp, long endsAt) {
        return new Acks.Ack(fp, "DiskFull", Map.of("alertname", "DiskFull"), "s-" + fp, endsAt, 1, 0, 7, "ann", 42, 0);
    }

    private static Alert alert(String fp) {
        TreeMap<String, String> labels = new TreeMap<>(Map.of("alertname", "DiskFull", "severity", "critical"));
        return new Alert(
                Alert.FIRING,
                labels,
                new TreeMap<>(),
                Instant.parse("2026-12-07T09:00:00Z"),
                null,
                "http://prometheus/graph",
                fp);
    }

    private static String listed(String fp, boolean silenced) {
        return "{\"fingerprint\":\"" + fp + "\",\"labels\":{\"alertname\":\"DiskFull\"},\"annotations\":{},"
                + "\"startsAt\":\"2026-12-07T09:00:00Z\",\"generatorURL\":\"\",\"status\":{\"state\":\""
                + (silenced ? "suppressed" : "active") + "\",\"silencedBy\":[" + (silenced ? "\"s1\"" : "") + "]}}";
    }

    private static AckDecision decide(String answer, AckStore.Held held, Set<String> absentOnce) {
        return AckDecision.decide(AckDecision.Listed.parse(answer), held, absentOnce, NOW, SILENCE);
    }

    private static AckStore.Held held(
            List<Acks.Ack> acks, List<String> resolvedMuted, List<AlertStore.FiringRow> rows) {
        return new AckStore.Held(acks, resolvedMuted, rows);
    }

    @Test
    void anAcknowledgedAlertStillListedIsExtendedOnlyWhenItsSilenceEndsWithinHalfItsLength() {
        Acks.Ack soon = ack("a", NOW + SILENCE / 2 - 1);
        Acks.Ack later = ack("b", NOW + SILENCE / 2 + 1);
        AckDecision d = decide(
                "[" + listed("a", true) + "," + listed("b", true) + "]",
                held(List.of(soon, later), List.of(), List.of()),
                Set.of());
        assertEquals(List.of(soon), d.extend());
        assertEquals(List.of(), d.expire());
        assertEquals(Set.of(), d.absentNow());
    }

    @Test
    void anAcknowledgedAlertMissingFromOneReadWaitsAndFromTwoReadsResolvesWithOpshubsOwnResolved() {
        Acks.Ack a = ack("a", NOW + SILENCE);
        AlertStore.FiringRow row = new AlertStore.FiringRow("a", false, AlertmanagerPayload.toJson(alert("a")));
        AckDecision first = decide("[]", held(List.of(a), List.of(), List.of(row)), Set.of());
        assertEquals(List.of(), first.expire(), "one read without it could follow an Alertmanager restart");
        assertEquals(List.of(), first.resolved());
        assertEquals(Set.of("a"), first.absentNow());

        AckDecision second = decide("[]", held(List.of(a), List.of(), List.of(row)), first.absentNow());
        assertEquals(List.of(a), second.expire());
        assertEquals(1, second.resolved().size());
        Alert resolved = second.resolved().get(0);
        assertEquals(Alert.RESOLVED, resolved.status());
        assertEquals(Instant.ofEpochMilli(NOW), resolved.endsAt());
        assertEquals(
                alert("a").startsAt(),
                resolved.startsAt(),
                "the same start: the de-duplication key of Alertmanager's own");
        assertEquals(List.of("a"), second.changes().resolvedNow());
    }

    @Test
    void aDeliveredAlertAlertmanagerSilencesIsMarkedMutedAndResolvedByOpshubWhenItGoes() {
        AlertStore.FiringRow row = new AlertStore.FiringRow("m", false, AlertmanagerPayload.toJson(alert("m")));
        AckDecision silenced =
                decide("[" + listed("m", true) + "]", held(List.of(), List.of(), List.of(row)), Set.of());
        assertEquals(List.of("m"), silenced.muted());
        assertEquals(List.of(), silenced.resolved());

        AlertStore.FiringRow mutedRow = new AlertStore.FiringRow("m", true, row.alertJson());
        AckDecision gone = decide("[]", held(List.of(), List.of(), List.of(mutedRow)), Set.of());
        assertEquals(Set.of("m"), gone.absentNow());
        AckDecision goneTwice = decide("[]", held(List.of(), List.of(), List.of(mutedRow)), gone.absentNow());
        assertEquals(
                List.of("m"),
                goneTwice.resolved().stream().map(Alert::fingerprint).toList());
    }

    @Test
    void aDeliveredAlertAnInhibitionRuleHoldsIsMutedAndResolvedByOpshubWhenItGoes() {
        AlertStore.FiringRow row = new AlertStore.FiringRow("i", false, AlertmanagerPayload.toJson(alert("i")));
        String inhibited = "{\"fingerprint\":\"i\",\"labels\":{\"alertname\":\"DiskFull\"},\"annotations\":{},"
                + "\"startsAt\":\"2026-12-07T09:00:00Z\",\"generatorURL\":\"\",\"status\":{\"state\":\"suppressed\","
                + "\"silencedBy\":[],\"inhibitedBy\":[\"4b1f9d2e7c3a4e51\"]}}";
        AckDecision held = decide("[" + inhibited + "]", held(List.of(), List.of(), List.of(row)), Set.of());
        assertEquals(List.of("i"), held.muted(), "Alertmanager will send nothing when it resolves");
        AlertStore.FiringRow mutedRow = new AlertStore.FiringRow("i", true, row.alertJson());
        AckDecision gone = decide("[]", held(List.of(), List.of(), List.of(mutedRow)), Set.of());
        AckDecision goneTwice = decide("[]", held(List.of(), List.of(), List.of(mutedRow)), gone.absentNow());
        assertEquals(
                List.of("i"),
                goneTwice.resolved().stream().map(Alert::fingerprint).toList());
    }

    @Test
    void anAlertNeitherAcknowledgedNorSilencedIsLeftToAlertmanager() {
        AlertStore.FiringRow row = new AlertStore.FiringRow("p", false, AlertmanagerPayload.toJson(alert("p")));
        AckDecision d = decide("[]", held(List.of(), List.of(), List.of(row)), Set.of("p"));
        assertEquals(List.of(), d.resolved(), "Alertmanager sends its own RESOLVED");
        assertEquals(Set.of(), d.absentNow());
    }

    @Test
    void anAlertOpshubResolvedThatIsActiveAgainFiresAgain() {
        AckDecision d = decide(
                "[" + listed("r", false) + "," + listed("q", true) + "]",
                held(List.of(), List.of("r", "q", "gone"), List.of()),
                Set.of());
        assertEquals(
                List.of("r"), d.fired().stream().map(Alert::fingerprint).toList(), "a suppressed alert is not active");
        assertEquals(Alert.FIRING, d.fired().get(0).status());
        assertEquals(List.of("r"), d.changes().firedAgain());
    }

    @Test
    void anAnswerThatIsNotAJsonArrayIsRefused() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> AckDecision.Listed.parse("{\"error\":1}"));
        assertTrue(e.getMessage().contains("not a JSON array"));
        assertThrows(IllegalArgumentException.class, () -> AckDecision.Listed.parse(null));
    }
}
