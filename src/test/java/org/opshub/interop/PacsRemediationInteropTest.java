package org.opshub.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opshub.HubRunner;
import org.opshub.checks.MutableClock;
import org.opshub.pacs.PacsMonitor;
import org.opshub.pacs.PacsResends;
import org.opshub.pacs.PacsSettings;
import org.opshub.state.StateStore;
import org.opshub.telegram.FakeBotApi;

/**
 * PACS remediation against real peers (Debian's Orthanc and dcmtk's dcmqrscp): candidates confirmed by
 * StudyInstanceUID before they count as missing (DST holds some studies under another StudyDate),
 * the series of an incomplete study named from SERIES-level C-FINDs, and re-sends by C-MOVE from the
 * API, the bot's buttons and by themselves, each checked on DST through its REST API. Run inside a
 * private network namespace by scripts/test.sh.
 */
@Tag("interop")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class PacsRemediationInteropTest {
    static final long CHAT = 7001; // in telegram.resend-chats
    static final long OTHER_CHAT = 7002; // allowed, not in telegram.resend-chats
    static final String PASSWORD = "radiology pw";

    @TempDir
    static Path dir;

    OrthancPeer src;
    OrthancPeer dst;
    Process qrscp;
    final String today = LocalDate.now(ZoneOffset.UTC).format(DateTimeFormatter.BASIC_ISO_DATE);
    final String longAgo = LocalDate.now(ZoneOffset.UTC).minusDays(40).format(DateTimeFormatter.BASIC_ISO_DATE);
    final List<String> present = new ArrayList<>();
    final List<String> rewritten = new ArrayList<>();
    final List<String> missing = new ArrayList<>();
    final List<String> onQrOnly = new ArrayList<>();
    String incomplete;
    final Map<String, String> seriesByNumber = new TreeMap<>();
    int studyNo;

    @BeforeAll
    void peers() throws Exception {
        src = new OrthancPeer(
                dir,
                "SRC",
                18046,
                14246,
                Map.of("DicomAlwaysAllowMove", true),
                Map.of("DST", Map.of("AET", "DST", "Host", "127.0.0.1", "Port", 14247)));
        dst = new OrthancPeer(dir, "DST", 18047, 14247, Map.of(), Map.of());
        src.start();
        dst.start();
        for (int i = 0; i < 3; i++) {
            JsonNode s = study();
            present.add(uid(s));
            src.store("DST", s.get("ParentStudy").asText());
        }
        // DST coerces the StudyDate of two studies on receipt: same UIDs, another date
        for (int i = 0; i < 2; i++) {
            JsonNode s = study();
            rewritten.add(uid(s));
            dst.upload(src.postForBytes(
                    "/instances/" + s.get("ID").asText() + "/modify",
                    Map.of(
                            "Replace",
                            Map.of("StudyDate", longAgo),
                            "Keep",
                            List.of("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"),
                            "Force",
                            true)));
        }
        for (int i = 0; i < 4; i++) {
            missing.add(uid(study()));
        }
        // incomplete: series 1 (CT, 2 instances) whole on DST, series 2 (MR, 1) absent, series 3 (OT, 3) with 1
        JsonNode first = src.createInstance(tags("CT", "1"), null);
        String studyId = first.get("ParentStudy").asText();
        incomplete = uid(first);
        JsonNode s1b = src.createInstance(Map.of(), first.get("ParentSeries").asText());
        JsonNode s2 = src.createInstance(Map.of("Modality", "MR", "SeriesNumber", "2"), studyId);
        JsonNode s3 = src.createInstance(Map.of("Modality", "OT", "SeriesNumber", "3"), studyId);
        src.createInstance(Map.of(), s3.get("ParentSeries").asText());
        src.createInstance(Map.of(), s3.get("ParentSeries").asText());
        for (JsonNode x : List.of(first, s2, s3)) {
            seriesByNumber.put(
                    src.get("/series/" + x.get("ParentSeries").asText())
                            .path("MainDicomTags")
                            .path("SeriesNumber")
                            .asText(),
                    src.get("/series/" + x.get("ParentSeries").asText())
                            .path("MainDicomTags")
                            .path("SeriesInstanceUID")
                            .asText());
        }
        src.store(
                "DST",
                first.get("ID").asText(),
                s1b.get("ID").asText(),
                s3.get("ID").asText());
        assertEquals(6, src.instancesOf(incomplete));
        assertEquals(3, dst.instancesOf(incomplete));
        // two studies only on dcmqrscp (loaded from files, then deleted from SRC)
        List<String> files = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            JsonNode s = study();
            onQrOnly.add(uid(s));
            Path f = dir.resolve("qr" + i + ".dcm");
            Files.write(f, src.file(s.get("ID").asText()));
            files.add(f.toString());
            src.delete("/studies/" + s.get("ParentStudy").asText());
        }
        qrscp = QrScp.start(dir, 14248, List.of("DST = (DST, 127.0.0.1, 14247)"), files);
    }

    private Map<String, String> tags(String modality, String seriesNumber) {
        Map<String, String> t = new HashMap<>();
        t.put("SpecificCharacterSet", "ISO_IR 192");
        t.put("PatientID", "R" + studyNo);
        t.put("PatientName", "Сидоров^Пётр");
        t.put("StudyDate", today);
        t.put("StudyTime", String.format("%02d%02d00", 1 + studyNo / 60 % 20, studyNo % 60));
        t.put("AccessionNumber", "RA" + studyNo++);
        t.put("Modality", modality);
        t.put("SeriesNumber", seriesNumber);
        return t;
    }

    private JsonNode study() throws Exception {
        return src.createInstance(tags("OT", "1"), null);
    }

    private String uid(JsonNode created) throws Exception {
        return src.get("/studies/" + created.get("ParentStudy").asText())
                .get("MainDicomTags")
                .get("StudyInstanceUID")
                .asText();
    }

    @AfterAll
    void stop() throws Exception {
        if (qrscp != null) {
            qrscp.destroy();
            qrscp.waitFor();
        }
        if (src != null) {
            src.close();
        }
        if (dst != null) {
            dst.close();
        }
    }

    private static void node(Map<String, String> p, String name, int port, String aeTitle) {
        p.put("pacs.nodes." + name + ".host", "127.0.0.1");
        p.put("pacs.nodes." + name + ".port", Integer.toString(port));
        p.put("pacs.nodes." + name + ".ae-title", aeTitle);
    }

    /** Nodes src and dst (the Orthancs). */
    private static void nodes(Map<String, String> p) {
        node(p, "src", 14246, "SRC");
        node(p, "dst", 14247, "DST");
    }

    private Map<String, String> hubProperties(FakeBotApi telegram) throws Exception {
        Map<String, String> p = new HashMap<>();
        p.put("pacs.period", "PT1S");
        p.put("pacs.timezone", "UTC");
        p.put("pacs.dimse-timeout", "PT5S");
        nodes(p);
        node(p, "qr", 14248, "QRSCP");
        p.put("pacs.forwarding.main.source", "src");
        p.put("pacs.forwarding.main.target", "dst");
        p.put("pacs.forwarding.main.settle", "PT0S");
        p.put("pacs.forwarding.main.max-moves-per-minute", "50");
        p.put("pacs.forwarding.archive.source", "qr");
        p.put("pacs.forwarding.archive.target", "dst");
        p.put("pacs.forwarding.archive.settle", "PT0S");
        p.putAll(telegram.hubProperties(CHAT, OTHER_CHAT));
        p.put("telegram.resend-chats", Long.toString(CHAT));
        Path web = dir.resolve("web.yml");
        Files.writeString(
                web,
                "basic_auth_users:\n  radiology: " + BCrypt.withDefaults().hashToString(10, PASSWORD.toCharArray())
                        + "\n");
        p.put("opshub.web-config-file", web.toString());
        return p;
    }

    private static final String[] AUTH = {
        "Authorization",
        "Basic " + Base64.getEncoder().encodeToString(("radiology:" + PASSWORD).getBytes(StandardCharsets.UTF_8))
    };

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return OrthancPeer.JSON.readTree(r.body());
    }

    private static JsonNode report(HubRunner hub, String pair) throws Exception {
        for (JsonNode c : json(hub.get("/pacs/missing", AUTH)).get("checks")) {
            if (c.get("pair").asText().equals(pair)) {
                return c;
            }
        }
        throw new AssertionError("no pair " + pair);
    }

    private static Set<String> uids(JsonNode list) {
        Set<String> out = new TreeSet<>();
        list.forEach(s -> out.add(s.get("studyInstanceUid").asText()));
        return out;
    }

    /** A metric sample, the web config's user authenticating the scrape; NaN when absent. */
    private static double metric(HubRunner hub, String name, String labels) {
        try {
            String body = hub.get("/metrics", AUTH).body();
            Matcher m = Pattern.compile(
                            "^" + Pattern.quote(name)
                                    + (labels.isEmpty() ? "" : "\\{" + Pattern.quote(labels) + ",?\\}")
                                    + " (\\S+)$",
                            Pattern.MULTILINE)
                    .matcher(body);
            return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    /** Waits for two more successful reconciliations of the pair after now. */
    private static void nextPeriods(HubRunner hub, String pair) throws Exception {
        Instant after = Instant.now().plusMillis(1100);
        assertTrue(
                HubRunner.await(Duration.ofSeconds(30), () -> {
                    try {
                        JsonNode c = report(hub, pair);
                        return c.get("checkSuccess").asBoolean()
                                && Instant.parse(c.get("lastSuccess").asText()).isAfter(after);
                    } catch (Exception e) {
                        return false;
                    }
                }),
                pair + " reconciled again");
    }

    @Test
    @Order(1)
    void confirmationSeriesApiAndBotResendAgainstOrthancAndDcmqrscp() throws Exception {
        try (FakeBotApi telegram = new FakeBotApi();
                HubRunner hub = new HubRunner(hubProperties(telegram))) {
            String sd = "source=\"src\",target=\"dst\"";
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(30),
                    () -> metric(hub, "pacs_forwarding_check_success", sd) == 1
                            && metric(hub, "pacs_forwarding_check_success", "source=\"qr\",target=\"dst\"") == 1));
            nextPeriods(hub, "main");

            // 1. the rewritten studies are not in DST's window answer, but DST has them: present, counted as mismatches
            JsonNode main = report(hub, "main");
            assertEquals(new TreeSet<>(missing), uids(main.get("missing")), "only the truly missing studies");
            assertEquals(2, main.get("dateMismatch").asInt());
            assertEquals(2.0, metric(hub, "pacs_forwarding_date_mismatch_studies", sd));
            assertEquals(
                    present.size() + rewritten.size() + missing.size() + 1,
                    main.get("sourceStudies").asInt());
            // C-FIND requests per period: source 1 (window); target 1 (window) + 1 (the candidates' UID list);
            // the series of the incomplete study were compared in an earlier period and are cached
            assertEquals(1, main.get("queries").get("source").asInt(), main.toString());
            assertEquals(2, main.get("queries").get("target").asInt(), main.toString());
            assertEquals(3.0, metric(hub, "pacs_forwarding_check_find_requests", sd));

            // 2. the incomplete study names its absent and its short series, with both sides' counts
            JsonNode inc = main.get("incomplete");
            assertEquals(1, inc.size());
            assertEquals(incomplete, inc.get(0).get("studyInstanceUid").asText());
            assertEquals(6, inc.get(0).get("sourceInstances").asInt());
            assertEquals(3, inc.get(0).get("targetInstances").asInt());
            Map<String, String> series = new TreeMap<>();
            inc.get(0)
                    .get("series")
                    .forEach(x -> series.put(
                            x.get("seriesInstanceUid").asText(),
                            x.get("modality").asText()
                                    + " #" + x.get("seriesNumber").asText() + " "
                                    + x.get("targetInstances").asText() + "/"
                                    + x.get("sourceInstances").asText()));
            assertEquals(Map.of(seriesByNumber.get("2"), "MR #2 null/1", seriesByNumber.get("3"), "OT #3 1/3"), series);

            // 3. POST .../resend: needs a user; a study that is not missing is 404
            String path = "/pacs/missing/main/" + missing.get(0) + "/resend";
            assertEquals(401, hub.post(path, new byte[0]).statusCode());
            assertEquals(
                    404,
                    hub.post("/pacs/missing/main/" + present.get(0) + "/resend", new byte[0], AUTH)
                            .statusCode());
            assertEquals(
                    404,
                    hub.post("/pacs/missing/nosuchpair/" + missing.get(0) + "/resend", new byte[0], AUTH)
                            .statusCode());
            assertEquals(0, dst.instancesOf(missing.get(0)));
            HttpResponse<String> r = hub.post(path, new byte[0], AUTH);
            assertEquals(200, r.statusCode(), r.body());
            JsonNode move = json(r).get("moves").get(0);
            assertEquals("ok", json(r).get("answer").asText());
            assertEquals("success", move.get("result").asText());
            assertEquals("STUDY", move.get("level").asText());
            assertEquals(1, move.get("completed").asInt());
            assertEquals("api:radiology", move.get("trigger").asText());
            assertEquals(1, dst.instancesOf(missing.get(0)), "DST has the study now");

            // the incomplete study: only its two missing series are moved (SERIES level)
            r = hub.post("/pacs/missing/main/" + incomplete + "/resend", new byte[0], AUTH);
            assertEquals(200, r.statusCode(), r.body());
            move = json(r).get("moves").get(0);
            assertEquals("SERIES", move.get("level").asText());
            assertEquals(2, move.get("series").asInt());
            assertEquals(6, dst.instancesOf(incomplete), "DST has every instance now");

            nextPeriods(hub, "main");
            main = report(hub, "main");
            assertFalse(uids(main.get("missing")).contains(missing.get(0)));
            assertEquals(0, main.get("incomplete").size());
            assertEquals(2.0, metric(hub, "pacs_resend_total", "result=\"success\",source=\"src\",target=\"dst\""));
            // the missing study's one instance, then series 2 (1) and series 3 whole (3, one DST already had)
            assertEquals(1.0 + 1.0 + 3.0, metric(hub, "pacs_resend_instances_total", sd));

            // dcmqrscp as the C-MOVE source: it sends to DST, which it knows from its HostTable
            JsonNode archive = report(hub, "archive");
            assertTrue(uids(archive.get("missing")).containsAll(onQrOnly), archive.toString());
            r = hub.post("/pacs/missing/archive/" + onQrOnly.get(0) + "/resend", new byte[0], AUTH);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(1, dst.instancesOf(onQrOnly.get(0)));

            // 4. the bot: /missing in a chat of telegram.resend-chats has a Resend button per study
            telegram.userSays(OTHER_CHAT, "/missing");
            telegram.userSays(CHAT, "/missing");
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(15),
                    () -> telegram.keyboards(CHAT).size() == 1
                            && telegram.texts(OTHER_CHAT).size() == 1));
            assertTrue(telegram.keyboards(OTHER_CHAT).isEmpty(), "no buttons outside telegram.resend-chats");
            JsonNode keyboard = telegram.keyboards(CHAT).get(0);
            String text = keyboard.get("text").asText();
            assertFalse(
                    text.contains(missing.get(1)), "no study identifiers without telegram.missing-details: " + text);
            int number = -1;
            String[] lines = text.split("\n");
            for (String line : lines) { // the last one: a study of main (archive's are listed first, one just re-sent)
                if (line.startsWith("#") && line.contains("missing")) {
                    number = Integer.parseInt(line.substring(1, line.indexOf(' ')));
                }
            }
            assertTrue(number > 0, text);
            String data = null;
            for (JsonNode row : keyboard.get("reply_markup").get("inline_keyboard")) {
                for (JsonNode b : row) {
                    if (b.get("text").asText().endsWith("#" + number)) {
                        data = b.get("callback_data").asText();
                    }
                }
            }
            assertTrue(data != null, keyboard.toString());
            int resendsBefore =
                    json(hub.get("/pacs/resends", AUTH)).get("resends").size();
            // the button pressed in another chat: refused, nothing moves
            telegram.userPresses(OTHER_CHAT, 1, data);
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(10),
                    () -> telegram.calls("answerCallbackQuery").size() == 1));
            Thread.sleep(1500);
            assertEquals(
                    resendsBefore,
                    json(hub.get("/pacs/resends", AUTH)).get("resends").size(),
                    "nothing moved");
            assertTrue(telegram.calls("editMessageText").isEmpty());
            // pressed in the chat it was sent to: the study is moved and the message edited with the outcome
            telegram.userPresses(CHAT, 1, data);
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(30),
                    () -> telegram.calls("editMessageText").size() == 1));
            String edited =
                    telegram.calls("editMessageText").get(0).body().get("text").asText();
            assertTrue(
                    edited.contains("#" + number + " by Anna Petrova (@anna_oncall) [id 777]: sent, 1 instance"),
                    edited);
            assertEquals(
                    resendsBefore + 1,
                    json(hub.get("/pacs/resends", AUTH)).get("resends").size());
            JsonNode last = json(hub.get("/pacs/resends", AUTH)).get("resends").get(0);
            assertEquals(
                    "telegram:Anna Petrova (@anna_oncall) [id 777]",
                    last.get("trigger").asText());
            assertEquals(1, dst.instancesOf(last.get("studyInstanceUid").asText()));

            // 5. a missing-studies alert (labels source, target) carries "Resend missing" in the resend chat:
            // every study still missing on src -> dst is moved, the alert message edited with the outcome
            telegram.userSays(CHAT, "/subscribe *");
            telegram.userSays(OTHER_CHAT, "/subscribe *");
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(10),
                    () -> telegram.texts(CHAT).size() >= 2
                            && telegram.texts(OTHER_CHAT).size() >= 2));
            List<String> left = new ArrayList<>();
            for (String uid : uids(report(hub, "main").get("missing"))) {
                left.add(uid);
            }
            assertEquals(2, left.size(), left.toString());
            String alert = "{\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"StudiesNotForwarded\\\"}\","
                    + "\"status\":\"firing\",\"receiver\":\"opshub\",\"alerts\":[{\"status\":\"firing\","
                    + "\"labels\":{\"alertname\":\"StudiesNotForwarded\",\"source\":\"src\",\"target\":\"dst\"},"
                    + "\"annotations\":{\"summary\":\"studies not forwarded\"},\"startsAt\":\"" + Instant.now()
                    + "\",\"endsAt\":\"0001-01-01T00:00:00Z\",\"fingerprint\":\"a1b2c3d4e5f60718\"}]}";
            assertEquals(
                    200,
                    hub.postAlerts(alert.getBytes(StandardCharsets.UTF_8), AUTH).statusCode());
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(15),
                    () -> telegram.keyboards(CHAT).size() == 2
                            && telegram.texts(OTHER_CHAT).stream().anyMatch(t -> t.contains("StudiesNotForwarded"))));
            assertTrue(telegram.keyboards(OTHER_CHAT).isEmpty(), "no Resend button outside telegram.resend-chats");
            JsonNode button = telegram.keyboards(CHAT)
                    .get(1)
                    .get("reply_markup")
                    .get("inline_keyboard")
                    .get(0)
                    .get(0);
            assertEquals(
                    "\u21BB Resend missing (src \u2192 dst)", button.get("text").asText());
            telegram.userPresses(CHAT, 2, button.get("callback_data").asText());
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(30),
                    () -> telegram.calls("editMessageText").size() == 2));
            edited = telegram.calls("editMessageText").get(1).body().get("text").asText();
            assertTrue(
                    edited.startsWith(
                            telegram.keyboards(CHAT).get(1).get("text").asText()),
                    edited);
            assertTrue(
                    edited.contains(
                            "Resend missing by Anna Petrova (@anna_oncall) [id 777]: sent, 2 instances in 2 moves"),
                    edited);
            for (String uid : left) {
                assertEquals(1, dst.instancesOf(uid), uid);
            }
            // the next test needs a study missing on DST again
            dst.delete("/studies/" + dst.studyId(left.get(1)));
        }
    }

    @Test
    @Order(2)
    void aSourceThatDoesNotKnowTheDestinationFailsReadablyWithoutARetryStorm() throws Exception {
        List<String> stillMissing = new ArrayList<>();
        for (String uid : missing) {
            if (dst.instancesOf(uid) == 0) {
                stillMissing.add(uid);
            }
        }
        if (dst.instancesOf(incomplete) < src.instancesOf(incomplete)) {
            stillMissing.add(incomplete); // still incomplete: re-sent too
        }
        assertFalse(stillMissing.isEmpty());
        try (FakeBotApi telegram = new FakeBotApi()) {
            Map<String, String> p = hubProperties(telegram);
            p.put("pacs.forwarding.main.move-destination", "NOWHERE");
            p.put("pacs.forwarding.main.auto-resend", "true");
            p.put("pacs.forwarding.main.min-age", "PT0S");
            p.put("pacs.forwarding.main.max-attempts", "2");
            p.put("pacs.forwarding.main.max-moves-per-minute", Integer.toString(2 * stillMissing.size() + 1));
            p.remove("pacs.forwarding.archive.source");
            p.remove("pacs.forwarding.archive.target");
            p.remove("pacs.forwarding.archive.settle");
            try (HubRunner hub = new HubRunner(p)) {
                assertTrue(HubRunner.await(Duration.ofSeconds(30), () -> {
                    try {
                        return json(hub.get("/pacs/resends", AUTH))
                                        .get("resends")
                                        .size()
                                >= 2 * stillMissing.size();
                    } catch (Exception e) {
                        return false;
                    }
                }));
                Thread.sleep(3000); // three more periods: no further attempt
                JsonNode resends = json(hub.get("/pacs/resends", AUTH)).get("resends");
                assertEquals(2 * stillMissing.size(), resends.size(), "max-attempts=2 per study: " + resends);
                for (JsonNode m : resends) {
                    assertEquals("failed", m.get("result").asText(), m.toString());
                    assertEquals("auto", m.get("trigger").asText());
                    assertTrue(m.get("reason").asText().contains("move destination AE NOWHERE"), m.toString());
                }
                assertEquals(
                        2.0 * stillMissing.size(),
                        metric(hub, "pacs_resend_total", "result=\"failed\",source=\"src\",target=\"dst\""));
                // by the API too: 502 with the reason; the study stays missing
                HttpResponse<String> r =
                        hub.post("/pacs/missing/main/" + stillMissing.get(0) + "/resend", new byte[0], AUTH);
                assertEquals(502, r.statusCode(), r.body());
                assertTrue(json(r).get("moves").get(0).get("reason").asText().contains("NOWHERE"), r.body());
                // the cap of the minute is used up (the automatic attempts and this one): 429, nothing moved
                r = hub.post("/pacs/missing/main/" + stillMissing.get(0) + "/resend", new byte[0], AUTH);
                assertEquals(429, r.statusCode(), r.body());
                assertEquals("60", r.headers().firstValue("Retry-After").orElse(null));
                assertEquals("rate-limited", json(r).get("answer").asText());
                assertEquals(
                        2 * stillMissing.size() + 1,
                        json(hub.get("/pacs/resends", AUTH)).get("resends").size());
                nextPeriods(hub, "main");
                assertTrue(uids(report(hub, "main").get("missing")).containsAll(stillMissing));
                assertEquals(0, dst.instancesOf(stillMissing.get(0)));
            }
        }
    }

    @Test
    @Order(3)
    void automaticResendKeepsTheCapOnATestClockAndEveryStudyArrives() throws Exception {
        List<String> forty = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            forty.add(uid(study()));
        }
        Map<String, String> p = new HashMap<>();
        p.put("pacs.timezone", "UTC");
        nodes(p);
        p.put("pacs.forwarding.main.source", "src");
        p.put("pacs.forwarding.main.target", "dst");
        p.put("pacs.forwarding.main.settle", "PT0S");
        p.put("pacs.forwarding.main.auto-resend", "true");
        p.put("pacs.forwarding.main.min-age", "PT1M");
        p.put("pacs.forwarding.main.max-moves-per-minute", "10");
        MutableClock clock = new MutableClock(Instant.now());
        try (StateStore store = StateStore.open(null, null, null, Files.createDirectories(dir.resolve("auto-state")))) {
            PacsMonitor monitor =
                    new PacsMonitor(PacsSettings.from(p.keySet(), p::get), new SimpleMeterRegistry(), clock);
            PacsResends resends = new PacsResends(monitor, store, new SimpleMeterRegistry(), clock);
            monitor.reconcile("src->dst");
            Map<?, ?> first = (Map<?, ?>) ((List<?>) monitor.missingReport().get("checks")).get(0);
            int missingAtStart = ((List<?>) first.get("missing")).size() + ((List<?>) first.get("incomplete")).size();
            assertTrue(missingAtStart >= 40);
            assertEquals(0, resends.autoResend("src->dst"), "younger than min-age: nothing moves");
            for (int period = 0; period < 60; period++) { // one period every 10 s of the test clock
                clock.advance(Duration.ofSeconds(10));
                monitor.reconcile("src->dst");
                resends.autoResend("src->dst");
                // every study missing or incomplete at the start (the forty, and any an earlier test left), in
                // whatever order the source listed them
                Map<?, ?> now = (Map<?, ?>) ((List<?>) monitor.missingReport().get("checks")).get(0);
                if (forty.stream().allMatch(u -> instances(u) == 1)
                        && ((List<?>) now.get("missing")).isEmpty()
                        && ((List<?>) now.get("incomplete")).isEmpty()) {
                    break;
                }
            }
            for (String u : forty) {
                assertEquals(1, instances(u), "arrived: " + u);
            }
            List<Map<String, Object>> rows =
                    (List<Map<String, Object>>) resends.recent().get("resends");
            List<Instant> starts = rows.stream()
                    .map(r -> Instant.parse((String) r.get("startedAt")))
                    .sorted()
                    .toList();
            assertEquals(missingAtStart, starts.size(), "one move per study (each succeeded)");
            for (Instant t : starts) {
                long inMinute = starts.stream()
                        .filter(x -> !x.isBefore(t) && x.isBefore(t.plusSeconds(60)))
                        .count();
                assertTrue(inMinute <= 10, inMinute + " moves in the minute from " + t);
            }
            Map<String, Long> perStudy = new HashMap<>();
            rows.forEach(r -> perStudy.merge((String) r.get("studyInstanceUid"), 1L, Long::sum));
            assertTrue(perStudy.values().stream().allMatch(n -> n <= 3), "max-attempts: " + perStudy);
            assertTrue(
                    Duration.between(starts.get(0), starts.get(starts.size() - 1))
                                    .toSeconds()
                            >= 180,
                    "40 studies at 10 per minute take at least 3 minutes of the clock");
            monitor.reconcile("src->dst");
            assertEquals(
                    0,
                    ((List<?>) ((Map<?, ?>) ((List<?>) monitor.missingReport().get("checks")).get(0)).get("missing"))
                            .size());
        }
    }

    private int instances(String uid) {
        try {
            return dst.instancesOf(uid);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
