package org.opshub.pacs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReconciliationTest {
    static StudyRecord study(String uid, Integer n) {
        return new StudyRecord(uid, "20261121", "101500", "A" + uid, "CT", null, n, null, null);
    }

    static Map<String, StudyRecord> of(StudyRecord... s) {
        Map<String, StudyRecord> m = new HashMap<>();
        for (StudyRecord r : s) {
            m.put(r.studyInstanceUid(), r);
        }
        return m;
    }

    @Test
    void missingByUidIncompleteByInstanceCountAfterSettle() {
        Map<String, Instant> seen = new HashMap<>();
        Instant t0 = Instant.parse("2026-11-21T10:00:00Z");
        Map<String, StudyRecord> src = of(study("1", 5), study("2", 5), study("3", 5), study("4", null));
        Map<String, StudyRecord> dst = of(study("1", 5), study("2", 3), study("4", 1));
        Reconciliation r = Reconciliation.compare(src, dst, seen, t0, Duration.ofMinutes(5));
        assertEquals(4, r.sourceStudies());
        assertEquals(0, r.missing().size(), "not settled yet");
        assertEquals(2, r.inFlight());

        r = Reconciliation.compare(src, dst, seen, t0.plusSeconds(300), Duration.ofMinutes(5));
        assertEquals(
                List.of("3"),
                r.missing().stream().map(g -> g.study().studyInstanceUid()).toList());
        assertEquals(
                List.of("2"),
                r.incomplete().stream().map(g -> g.study().studyInstanceUid()).toList());
        assertEquals(3, r.incomplete().get(0).targetInstances());
        assertEquals(t0, r.oldestMissing());

        // a study gone from the source window is forgotten
        Reconciliation.compare(of(study("1", 5)), dst, seen, t0.plusSeconds(600), Duration.ZERO);
        assertEquals(1, seen.size());
    }

    @Test
    void rollingWindowQueriesADateRangeAndCutsByTime() {
        StudyWindow w = StudyWindow.parse("PT24H");
        ZonedDateTime now = ZonedDateTime.of(2026, 11, 21, 9, 0, 0, 0, ZoneId.of("Europe/Moscow"));
        assertEquals("20261120-20261121", w.studyDateKey(now));
        assertTrue(w.contains(new StudyRecord("1", "20261120", "093000", null, null, null, null, null, null), now));
        assertFalse(w.contains(new StudyRecord("1", "20261120", "085959", null, null, null, null, null, null), now));
        assertTrue(w.contains(new StudyRecord("1", "20261120", "", null, null, null, null, null, null), now));
        assertEquals("20261121", StudyWindow.parse("today").studyDateKey(now));
        assertThrows(IllegalArgumentException.class, () -> StudyWindow.parse("yesterday"));
    }

    @Test
    void settingsNameTheBadProperty() {
        Map<String, String> p = new HashMap<>(Map.of(
                "pacs.nodes.src.host",
                "10.0.0.1",
                "pacs.nodes.src.ae-title",
                "SRC",
                "pacs.nodes.a.host",
                "10.0.0.2",
                "pacs.nodes.a.ae-title",
                "A",
                "pacs.nodes.a.max-results",
                "500",
                "pacs.nodes.b.host",
                "10.0.0.3",
                "pacs.nodes.b.ae-title",
                "B",
                "pacs.forwarding.main.source",
                "src",
                "pacs.forwarding.main.target",
                "a, b",
                "pacs.forwarding.main.window",
                "PT12H"));
        PacsSettings s = PacsSettings.from(p.keySet(), p::get);
        assertEquals(
                List.of("src->a", "src->b"),
                s.checks().stream().map(ForwardingCheck::key).toList());
        assertEquals(104, s.nodes().get("src").dicom().port());
        assertEquals(500, s.nodes().get("a").maxResults());
        assertEquals(Duration.ofMinutes(5), s.checks().get(0).settle());
        assertEquals("OPSHUB", s.scu().callingAeTitle());

        p.put("pacs.forwarding.main.target", "archive");
        assertEquals(
                "pacs.forwarding.main.target=archive names no node of pacs.nodes.* (known: [a, b, src])",
                assertThrows(IllegalArgumentException.class, () -> PacsSettings.from(p.keySet(), p::get))
                        .getMessage());
        p.put("pacs.forwarding.main.target", "a");
        p.put("pacs.nodes.a.port", "70000");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PacsSettings.from(p.keySet(), p::get))
                .getMessage()
                .startsWith("pacs.nodes.a: port 70000"));
    }

    @Test
    void resendSettingsDefaultAndNameTheBadProperty() {
        Map<String, String> p = new HashMap<>(Map.of(
                "pacs.nodes.src.host",
                "10.0.0.1",
                "pacs.nodes.src.ae-title",
                "SRC",
                "pacs.nodes.dst.host",
                "10.0.0.2",
                "pacs.nodes.dst.ae-title",
                "ARCHIVE",
                "pacs.forwarding.main.source",
                "src",
                "pacs.forwarding.main.target",
                "dst"));
        ForwardingCheck.Resend r =
                PacsSettings.from(p.keySet(), p::get).checks().get(0).resend();
        assertEquals(
                new ForwardingCheck.Resend("ARCHIVE", false, 3, Duration.ofMinutes(15), 5),
                r,
                "the target's AE title, no automatic re-send, 3 attempts, 15 minutes, 5 moves a minute");
        assertEquals(
                Duration.ofMinutes(10), PacsSettings.from(p.keySet(), p::get).moveTimeout());
        p.put("pacs.forwarding.main.move-destination", "ARCHIVE_VIA_ROUTER");
        assertEquals(
                "pacs.forwarding.main.move-destination=ARCHIVE_VIA_ROUTER: invalid AE title 'ARCHIVE_VIA_ROUTER':"
                        + " 1-16 printable ASCII characters, no backslash",
                assertThrows(IllegalArgumentException.class, () -> PacsSettings.from(p.keySet(), p::get))
                        .getMessage());
        p.put("pacs.forwarding.main.move-destination", "DST_IN");
        assertEquals(
                "DST_IN",
                PacsSettings.from(p.keySet(), p::get).checks().get(0).resend().moveDestination());
        p.put("pacs.forwarding.main.max-moves-per-minute", "0");
        assertEquals(
                "pacs.forwarding.main.max-moves-per-minute=0 must be at least 1",
                assertThrows(IllegalArgumentException.class, () -> PacsSettings.from(p.keySet(), p::get))
                        .getMessage());
        p.remove("pacs.forwarding.main.max-moves-per-minute");
        p.put("pacs.forwarding.main.auto-resend", "yes");
        assertEquals(
                "pacs.forwarding.main.auto-resend=yes is not true or false",
                assertThrows(IllegalArgumentException.class, () -> PacsSettings.from(p.keySet(), p::get))
                        .getMessage());
        p.put("pacs.forwarding.main.auto-resend", "true");
        p.put("pacs.forwarding.main.min-age", "an hour");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PacsSettings.from(p.keySet(), p::get))
                .getMessage()
                .startsWith("pacs.forwarding.main.min-age=an hour is not"));
    }

    @Test
    void aStudyFoundByUidOutsideTheWindowIsADateMismatch() {
        ZonedDateTime now = ZonedDateTime.parse("2026-11-21T12:00:00Z");
        StudyWindow today = StudyWindow.parse("today");
        assertTrue(today.includes(new StudyRecord("1", "20261121", "0815", null, null, null, null, null, null), now));
        assertFalse(today.includes(new StudyRecord("1", "20261011", "0815", null, null, null, null, null, null), now));
        StudyWindow rolling = StudyWindow.parse("PT24H");
        assertTrue(
                rolling.includes(new StudyRecord("1", "20261120", "130000", null, null, null, null, null, null), now));
        assertFalse(
                rolling.includes(new StudyRecord("1", "20261120", "110000", null, null, null, null, null, null), now),
                "a day inside the date range, a time before the window");
        assertTrue(
                today.includes(new StudyRecord("1", "", null, null, null, null, null, null, null), now),
                "no readable date: not counted as a mismatch");
    }

    @Test
    void candidatesAreTheSettledStudiesAbsentFromTheTargetListing() {
        Instant t0 = Instant.parse("2026-11-21T10:00:00Z");
        Map<String, Instant> firstSeen = new HashMap<>(Map.of("old", t0.minusSeconds(600)));
        Map<String, StudyRecord> source = new LinkedHashMap<>();
        for (String uid : List.of("old", "new", "there")) {
            source.put(uid, new StudyRecord(uid, "20261121", null, null, null, null, 1, null, null));
        }
        Map<String, StudyRecord> target = Map.of("there", source.get("there"));
        assertEquals(
                List.of("old"),
                Reconciliation.candidates(source, target, firstSeen, t0, Duration.ofMinutes(5)),
                "'new' is in flight, 'there' is on the target");
        assertEquals(t0, firstSeen.get("new"));
        assertEquals(
                List.of(),
                Reconciliation.candidates(Map.of("there", source.get("there")), target, firstSeen, t0, Duration.ZERO),
                "no candidates: nothing to confirm");
    }

    @Test
    void qidoSettingsNameTheBadProperty() {
        Map<String, String> p = new HashMap<>(Map.of("pacs.nodes.web.qido-url", "https://archive.example/dicom-web/"));
        PacsNode web = PacsSettings.from(p.keySet(), p::get).nodes().get("web");
        assertEquals("qido-rs", web.transport());
        assertEquals(
                "https://archive.example/dicom-web",
                web.qido().settings().baseUrl().toString(),
                "no trailing slash");
        assertEquals(1000, web.qido().settings().pageSize());
        assertEquals(null, web.dicom(), "QIDO-RS only: no DIMSE address");
        p.put("pacs.nodes.web.qido-url", "ftp://archive.example/dicom-web");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PacsSettings.from(p.keySet(), p::get))
                .getMessage()
                .startsWith("pacs.nodes.web.qido-url must be an http:// or https:// URL"));
        p.put("pacs.nodes.web.qido-url", "https://user:pw@archive.example/dicom-web");
        assertEquals(
                "pacs.nodes.web.qido-url must not carry credentials: use pacs.nodes.web.qido-user and"
                        + " pacs.nodes.web.qido-password",
                assertThrows(IllegalArgumentException.class, () -> PacsSettings.from(p.keySet(), p::get))
                        .getMessage());
        p.put("pacs.nodes.web.qido-url", "https://archive.example/dicom-web");
        p.put("pacs.nodes.web.qido-user", "u");
        p.put("pacs.nodes.web.qido-token", "t");
        assertEquals(
                "pacs.nodes.web.qido-user and pacs.nodes.web.qido-token exclude each other (basic or bearer)",
                assertThrows(IllegalArgumentException.class, () -> PacsSettings.from(p.keySet(), p::get))
                        .getMessage());
        p.remove("pacs.nodes.web.qido-user");
        p.put("pacs.nodes.web.qido-page-size", "0");
        assertEquals(
                "pacs.nodes.web.qido-page-size must be at least 1",
                assertThrows(IllegalArgumentException.class, () -> PacsSettings.from(p.keySet(), p::get))
                        .getMessage());
        Map<String, String> q =
                Map.of("pacs.nodes.a.host", "h", "pacs.nodes.a.ae-title", "A", "pacs.nodes.a.qido-token", "t");
        assertEquals(
                "pacs.nodes.a.qido-token is set but pacs.nodes.a.qido-url is not",
                assertThrows(IllegalArgumentException.class, () -> PacsSettings.from(q.keySet(), q::get))
                        .getMessage());
        Map<String, String> none = Map.of("pacs.nodes.a.port", "104");
        assertEquals(
                "pacs.nodes.a.host and pacs.nodes.a.ae-title are required (or pacs.nodes.a.qido-url)",
                assertThrows(IllegalArgumentException.class, () -> PacsSettings.from(none.keySet(), none::get))
                        .getMessage());
    }
}
