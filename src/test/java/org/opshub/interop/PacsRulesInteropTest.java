package org.opshub.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.opshub.HubRunner;

/**
 * Forwarding rules against real peers, as a hospital configures them: Orthanc SRC holds a CT, an MR, a
 * CR, two CT+SR studies and a CT acquired before the rule's {@code since}; Orthanc A gets CT and MR
 * (whole studies), Orthanc B gets only CT series. dcmtk's dcmqrscp holds the same files and, like many
 * archives, returns no ModalitiesInStudy: the series-level fallback must give the same answer. Three
 * pairs share SRC as their source: one window C-FIND per period, counted at SRC by an Orthanc Lua
 * callback. Run inside a private network namespace by scripts/test.sh.
 */
@Tag("interop")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PacsRulesInteropTest {
    @TempDir
    static Path dir;

    OrthancPeer src;
    OrthancPeer a;
    OrthancPeer b;
    Process qrscp;
    final String today = LocalDate.now(ZoneOffset.UTC).format(DateTimeFormatter.BASIC_ISO_DATE);
    /** StudyInstanceUID by name: ct, mr, cr, mix1, mix2, early. */
    final Map<String, String> uid = new LinkedHashMap<>();

    String mix2CtSeries;

    /** Every C-FIND a peer gets, one log line each (Orthanc's IncomingFindRequestFilter Lua callback). */
    static final String COUNTING_LUA = """
            function IncomingFindRequestFilter(query, origin)
              print('C-FIND level=' .. tostring(query['0008,0052']) .. ' date=' .. tostring(query['0008,0020'])
                .. ' uid=' .. tostring(query['0020,000d']) .. ' from=' .. origin['RemoteAet'])
              return query
            end
            """;

    @BeforeAll
    void peers() throws Exception {
        Path lua = dir.resolve("count-find.lua");
        Files.writeString(lua, COUNTING_LUA);
        Map<String, Object> counting = Map.of("LuaScripts", List.of(lua.toString()));
        src = new OrthancPeer(
                dir,
                "SRC",
                18062,
                14262,
                counting,
                Map.of(
                        "A", Map.of("AET", "A", "Host", "127.0.0.1", "Port", 14263),
                        "B", Map.of("AET", "B", "Host", "127.0.0.1", "Port", 14264)));
        a = new OrthancPeer(dir, "A", 18063, 14263, Map.of(), Map.of());
        b = new OrthancPeer(dir, "B", 18064, 14264, counting, Map.of());
        src.start();
        a.start();
        b.start();

        List<String> files = new ArrayList<>();
        Map<String, JsonNode> first = new LinkedHashMap<>();
        String[][] studies = {
            {"ct", "090000", "CT", "CT Chest"},
            {"mr", "100000", "MR", "MR Head"},
            {"cr", "110000", "CR", "Chest X-ray"},
            {"mix1", "120000", "CT", "CT Abdomen"},
            {"mix2", "130000", "CT", "CT Pelvis"},
            {"early", "010000", "CT", "CT Night"}
        };
        for (String[] s : studies) {
            Map<String, String> tags = new HashMap<>();
            tags.put("PatientID", "P-" + s[0]);
            tags.put("StudyDate", today);
            tags.put("StudyTime", s[1]);
            tags.put("Modality", s[2]);
            tags.put("StudyDescription", s[3]);
            tags.put("AccessionNumber", "ACC-" + s[0]);
            JsonNode i = src.createInstance(tags, null);
            src.createInstance(Map.of(), i.get("ParentSeries").asText()); // two instances per first series
            first.put(s[0], i);
            uid.put(
                    s[0],
                    src.get("/studies/" + i.get("ParentStudy").asText())
                            .get("MainDicomTags")
                            .get("StudyInstanceUID")
                            .asText());
        }
        // the CT+SR studies: an SR series beside the CT one
        Map<String, String> sr = new LinkedHashMap<>();
        for (String mix : List.of("mix1", "mix2")) {
            JsonNode s = src.createInstance(
                    Map.of("Modality", "SR", "SeriesDescription", "Dose report"),
                    first.get(mix).get("ParentStudy").asText());
            sr.put(mix, s.get("ParentSeries").asText());
        }
        mix2CtSeries = src.get(
                        "/series/" + first.get("mix2").get("ParentSeries").asText())
                .get("MainDicomTags")
                .get("SeriesInstanceUID")
                .asText();
        for (JsonNode id : src.get("/instances")) {
            Path f = dir.resolve("i" + files.size() + ".dcm");
            Files.write(f, src.file(id.asText()));
            files.add(f.toString());
        }

        // A: CT and MR studies whole, but the MR study never arrived; the CR and the early CT are not its
        src.store("A", study(first, "ct"), study(first, "mix1"), study(first, "mix2"));
        // B: CT series only; of mix2 only the SR series arrived (its CT series is lost)
        src.store(
                "B",
                study(first, "ct"),
                study(first, "early"),
                first.get("mix1").get("ParentSeries").asText(),
                sr.get("mix2"));
        qrscp = QrScp.start(dir, 14265, List.of(), files);
    }

    private static String study(Map<String, JsonNode> first, String name) {
        return first.get(name).get("ParentStudy").asText();
    }

    @AfterAll
    void stop() throws Exception {
        if (qrscp != null) {
            qrscp.destroy();
            qrscp.waitFor();
        }
        for (OrthancPeer p : new OrthancPeer[] {src, a, b}) {
            if (p != null) {
                p.close();
            }
        }
    }

    @Test
    void onlyWhatEachRuleForwardsIsExpectedAndASourceWithoutModalitiesGivesTheSameAnswer() throws Exception {
        Map<String, String> p = new HashMap<>();
        p.put("pacs.period", "PT2S");
        p.put("pacs.timezone", "UTC");
        p.put("pacs.dimse-timeout", "PT5S");
        node(p, "src", "SRC", 14262);
        node(p, "a", "A", 14263);
        node(p, "b", "B", 14264);
        node(p, "qr", "QRSCP", 14265);
        String since = LocalDate.now(ZoneOffset.UTC) + "T02:00:00Z";
        // three pairs from SRC; two from dcmqrscp with the same rules
        pair(p, "toa", "src", "a", "modalities", "CT,MR", "since", since);
        pair(p, "tob", "src", "b", "modalities", "CT");
        pair(p, "toqr", "src", "qr");
        pair(p, "qra", "qr", "a", "modalities", "CT,MR", "since", since);
        pair(p, "qrb", "qr", "b", "modalities", "CT");
        Map<String, JsonNode> checks = new TreeMap<>();
        try (HubRunner hub = new HubRunner(p)) {
            assertTrue(
                    HubRunner.await(Duration.ofSeconds(40), () -> everyCheckSucceededTwice(hub)),
                    () -> body(hub, "/pacs/missing"));
            for (JsonNode c :
                    OrthancPeer.JSON.readTree(hub.get("/pacs/missing").body()).get("checks")) {
                checks.put(c.get("source").asText() + "->" + c.get("target").asText(), c);
            }
            String aLabels = "source=\"src\",target=\"a\"";
            assertEquals(2.0, hub.metric("pacs_forwarding_excluded_studies", aLabels));
            assertEquals(1.0, hub.metric("pacs_forwarding_missing_studies", aLabels));
            assertEquals(2.0, hub.metric("pacs_forwarding_excluded_studies", "source=\"src\",target=\"b\""));
            assertEquals(1.0, hub.metric("pacs_forwarding_incomplete_studies", "source=\"src\",target=\"b\""));
        }

        // A expects CT and MR acquired since 02:00: the MR study is missing; the CR study and the early CT are
        // excluded and counted by condition, never reported
        for (String key : List.of("src->a", "qr->a")) {
            JsonNode c = checks.get(key);
            assertEquals(List.of(uid.get("mr")), uids(c.get("missing")), key);
            assertEquals(List.of(), uids(c.get("incomplete")), key);
            assertEquals(2, c.get("excluded").asInt(), key);
            assertEquals(1, c.get("excludedBy").get("modalities").asInt(), key + " the CR study");
            assertEquals(1, c.get("excludedBy").get("since").asInt(), key + " the early CT");
        }
        // B expects CT series only: mix2's CT series is reported by SeriesInstanceUID and Modality; the SR series
        // that B never gets is not
        for (String key : List.of("src->b", "qr->b")) {
            JsonNode c = checks.get(key);
            assertEquals(List.of(), uids(c.get("missing")), key);
            assertEquals(List.of(uid.get("mix2")), uids(c.get("incomplete")), key);
            JsonNode series = c.get("incomplete").get(0).get("series");
            assertEquals(1, series.size(), key + ": " + series);
            assertEquals(mix2CtSeries, series.get(0).get("seriesInstanceUid").asText(), key);
            assertEquals("CT", series.get(0).get("modality").asText(), key);
            assertEquals(2, c.get("excludedBy").get("modalities").asInt(), key + " the MR and CR studies");
            assertEquals(2, c.get("seriesLevel").asInt(), key + " the two CT+SR studies");
        }
        // the fallback is said in the report, for dcmqrscp only
        assertTrue(checks.get("qr->a").get("note").asText().contains("no ModalitiesInStudy"), checks.toString());
        assertFalse(checks.get("src->a").has("note"));

        // three pairs from SRC, one window C-FIND per period: B (target of two pairs) got twice as many
        int atSrc = windowQueries("src");
        int atB = windowQueries("b");
        assertTrue(atSrc >= 2, "rounds: " + atSrc);
        assertEquals(2 * atSrc, atB, "one source C-FIND per period for three pairs (SRC " + atSrc + ", B " + atB + ")");
    }

    private boolean everyCheckSucceededTwice(HubRunner hub) {
        try {
            JsonNode r = OrthancPeer.JSON.readTree(hub.get("/pacs/missing").body());
            int ok = 0;
            for (JsonNode c : r.get("checks")) {
                ok += c.get("checkSuccess").asBoolean() ? 1 : 0;
            }
            // each rule's series are read in the first period; the second one is the steady state
            return ok == 5 && windowQueries("src") >= 2;
        } catch (Exception e) {
            return false;
        }
    }

    private static String body(HubRunner hub, String path) {
        try {
            return hub.get(path).body();
        } catch (Exception e) {
            return e.toString();
        }
    }

    /** Window C-FINDs (STUDY level with a StudyDate) the peer logged from opshub. */
    private static int windowQueries(String peer) throws Exception {
        int n = 0;
        for (String line : Files.readAllLines(dir.resolve(peer + ".log"))) {
            if (line.contains("C-FIND level=STUDY date=2") && line.contains("from=OPSHUB")) {
                n++;
            }
        }
        return n;
    }

    private static List<String> uids(JsonNode gaps) {
        List<String> out = new ArrayList<>();
        gaps.forEach(g -> out.add(g.get("studyInstanceUid").asText()));
        return out;
    }

    private static void node(Map<String, String> p, String name, String aet, int port) {
        p.put("pacs.nodes." + name + ".host", "127.0.0.1");
        p.put("pacs.nodes." + name + ".port", Integer.toString(port));
        p.put("pacs.nodes." + name + ".ae-title", aet);
    }

    private static void pair(Map<String, String> p, String pair, String source, String target, String... rule) {
        p.put("pacs.forwarding." + pair + ".source", source);
        p.put("pacs.forwarding." + pair + ".target", target);
        p.put("pacs.forwarding." + pair + ".settle", "PT0S");
        for (int i = 0; i < rule.length; i += 2) {
            p.put("pacs.forwarding." + pair + "." + rule[i], rule[i + 1]);
        }
    }
}
