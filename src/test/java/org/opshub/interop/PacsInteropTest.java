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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.opshub.HubRunner;
import org.opshub.dicom.Association;
import org.opshub.dicom.Attributes;
import org.opshub.dicom.DicomClient;
import org.opshub.dicom.DicomNode;
import org.opshub.dicom.ScuSettings;
import org.opshub.dicom.Vr;
import org.opshub.pacs.StudyFinder;
import org.opshub.telegram.FakeBotApi;

/**
 * The PACS monitor against real peers from Debian packages: Orthanc SRC (capped C-FIND answers,
 * UTF-8), Orthanc DST (answers in ISO_IR 144) and dcmtk's dcmqrscp (ISO_IR 192). Run inside a
 * private network namespace by scripts/test.sh (the peers bind every interface).
 */
@Tag("interop")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PacsInteropTest {
    static final String IVANOV = "Иванов^Иван";
    static final String PETROVA = "Петрова^Анна";
    static final String[] TIMES = {"010000", "040000", "080000", "110000", "140000", "170000", "210000"};

    @TempDir
    static Path dir;

    OrthancPeer src;
    OrthancPeer dst;
    Process qrscp;
    final String today = LocalDate.now(ZoneOffset.UTC).format(DateTimeFormatter.BASIC_ISO_DATE);
    final List<String> studyUids = new ArrayList<>();
    final DicomNode srcNode = new DicomNode("SRC", "127.0.0.1", 14242);
    final DicomNode dstNode = new DicomNode("DST", "127.0.0.1", 14243);
    final DicomNode qrNode = new DicomNode("QRSCP", "127.0.0.1", 14244);
    final DicomClient client = new DicomClient(ScuSettings.defaults("OPSHUB"));

    @BeforeAll
    void peers() throws Exception {
        src = new OrthancPeer(
                dir,
                "SRC",
                18042,
                14242,
                Map.of("LimitFindResults", 3),
                Map.of("DST", Map.of("AET", "DST", "Host", "127.0.0.1", "Port", 14243)));
        dst = new OrthancPeer(dir, "DST", 18043, 14243, Map.of("DefaultEncoding", "Cyrillic"), Map.of());
        src.start();
        dst.start();
        List<String> toForward = new ArrayList<>();
        List<String> qrFiles = new ArrayList<>();
        for (int i = 0; i < TIMES.length; i++) {
            Map<String, String> tags = new HashMap<>();
            tags.put("SpecificCharacterSet", i % 2 == 0 ? "ISO_IR 192" : "ISO_IR 144");
            tags.put("PatientID", "P" + i);
            tags.put("PatientName", i % 2 == 0 ? IVANOV : PETROVA);
            tags.put("StudyDate", today);
            tags.put("StudyTime", TIMES[i]);
            tags.put("AccessionNumber", "ACC" + i);
            tags.put("Modality", "OT");
            JsonNode first = src.createInstance(tags, null);
            String study = first.get("ParentStudy").asText();
            studyUids.add(src.get("/studies/" + study)
                    .get("MainDicomTags")
                    .get("StudyInstanceUID")
                    .asText());
            if (i < 3) {
                toForward.add(study);
            }
            if (i == 3) { // forwarded incomplete: 2 instances on SRC, 1 on DST
                src.createInstance(Map.of(), first.get("ParentSeries").asText());
                toForward.add(first.get("ID").asText());
            }
            if (i < 2) {
                Path f = dir.resolve("qr" + i + ".dcm");
                Files.write(f, src.file(first.get("ID").asText()));
                qrFiles.add(f.toString());
            }
        }
        src.store("DST", toForward.toArray());
        qrscp = QrScp.start(dir, 14244, List.of(), qrFiles);
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

    private Map<String, String> names(DicomNode node) throws Exception {
        Map<String, String> names = new HashMap<>();
        Association as = client.openStudyRootFind(node);
        try {
            Attributes keys = new Attributes()
                    .setString(org.opshub.dicom.Tag.QueryRetrieveLevel, Vr.CS, "STUDY")
                    .setString(org.opshub.dicom.Tag.StudyDate, Vr.DA, today)
                    .setString(org.opshub.dicom.Tag.StudyInstanceUID, Vr.UI, null)
                    .setString(org.opshub.dicom.Tag.PatientName, Vr.PN, null);
            client.find(as, keys, a -> {
                names.put(
                        a.getString(org.opshub.dicom.Tag.StudyInstanceUID),
                        a.getString(org.opshub.dicom.Tag.PatientName));
                return true;
            });
        } finally {
            as.release();
        }
        return names;
    }

    @Test
    @Order(1)
    void scuEchoesAndDecodesCyrillicFromEveryPeer() throws Exception {
        for (DicomNode n : List.of(srcNode, dstNode, qrNode)) {
            assertTrue(client.echo(n) > 0);
        }
        Map<String, String> fromDst = names(dstNode); // ISO_IR 144 answers
        assertEquals(4, fromDst.size());
        assertEquals(IVANOV, fromDst.get(studyUids.get(0)));
        assertEquals(PETROVA, fromDst.get(studyUids.get(1)));
        Map<String, String> fromQr = names(qrNode); // ISO_IR 192 answers
        assertEquals(Map.of(studyUids.get(0), IVANOV, studyUids.get(1), PETROVA), fromQr);
    }

    @Test
    @Order(2)
    void cappedNodeIsQueriedInStudyTimeHalvesUntilComplete() throws Exception {
        Association as = client.openStudyRootFind(srcNode);
        try {
            StudyFinder.Listing l = new StudyFinder(client, false).list(as, today, 3);
            assertEquals(new TreeSet<>(studyUids), new TreeSet<>(l.studies().keySet()));
            assertTrue(l.queries() > 1, "split queries: " + l.queries());
            assertFalse(l.truncated());
        } finally {
            as.release();
        }
        // without the split the cap hides studies: the reason for max-results
        Association as2 = client.openStudyRootFind(srcNode);
        try {
            assertEquals(
                    3,
                    new StudyFinder(client, false).list(as2, today, 0).studies().size());
        } finally {
            as2.release();
        }
    }

    private static double value(HubRunner hub, String name, String labels) {
        try {
            Double d = hub.metric(name, labels);
            return d == null ? Double.NaN : d;
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    @Test
    @Order(3)
    void metricsAndMissingListMatchOrthancGroundTruthThroughAnOutage() throws Exception {
        // ground truth from Orthanc's REST API
        Map<String, Integer> srcCounts = instanceCounts(src);
        Map<String, Integer> dstCounts = instanceCounts(dst);
        Set<String> missing = new TreeSet<>(srcCounts.keySet());
        missing.removeAll(dstCounts.keySet());
        Set<String> incomplete = new TreeSet<>();
        dstCounts.forEach((uid, n) -> {
            if (srcCounts.containsKey(uid) && n < srcCounts.get(uid)) {
                incomplete.add(uid);
            }
        });
        assertEquals(3, missing.size());
        assertEquals(1, incomplete.size());

        Map<String, String> p = new HashMap<>();
        p.put("pacs.period", "PT1S");
        p.put("pacs.timezone", "UTC");
        p.put("pacs.legacy-metrics", "true");
        p.put("pacs.dimse-timeout", "PT5S");
        p.put("pacs.nodes.src.host", "127.0.0.1");
        p.put("pacs.nodes.src.port", "14242");
        p.put("pacs.nodes.src.ae-title", "SRC");
        p.put("pacs.nodes.src.max-results", "3");
        p.put("pacs.nodes.dst.host", "127.0.0.1");
        p.put("pacs.nodes.dst.port", "14243");
        p.put("pacs.nodes.dst.ae-title", "DST");
        p.put("pacs.nodes.qr.host", "127.0.0.1");
        p.put("pacs.nodes.qr.port", "14244");
        p.put("pacs.nodes.qr.ae-title", "QRSCP");
        p.put("pacs.forwarding.main.source", "src");
        p.put("pacs.forwarding.main.target", "dst,qr");
        p.put("pacs.forwarding.main.settle", "PT0S");
        FakeBotApi telegram = new FakeBotApi();
        p.putAll(telegram.hubProperties(CHAT));
        try (telegram;
                HubRunner hub = new HubRunner(p)) {
            String sd = "source=\"src\",target=\"dst\"";
            String sq = "source=\"src\",target=\"qr\"";
            assertTrue(
                    HubRunner.await(
                            Duration.ofSeconds(30),
                            () -> value(hub, "pacs_forwarding_check_success", sd) == 1
                                    && value(hub, "pacs_forwarding_check_success", sq) == 1),
                    hub.get("/metrics").body());
            for (String n : List.of("src", "dst", "qr")) {
                assertEquals(1.0, hub.metric("pacs_up", "pacs=\"" + n + "\""), n);
                assertTrue(hub.metric("pacs_echo_duration_seconds", "pacs=\"" + n + "\"") > 0);
            }
            assertEquals(srcCounts.size(), hub.metric("pacs_forwarding_source_studies", sd));
            assertEquals(missing.size(), hub.metric("pacs_forwarding_missing_studies", sd));
            assertEquals(incomplete.size(), hub.metric("pacs_forwarding_incomplete_studies", sd));
            assertEquals(5.0, hub.metric("pacs_forwarding_missing_studies", sq));
            assertEquals(0.0, hub.metric("pacs_forwarding_incomplete_studies", sq));
            assertTrue(hub.metric("pacs_forwarding_oldest_missing_age_seconds", sd) >= 0);
            assertTrue(hub.metric("pacs_forwarding_last_success_timestamp_seconds", sd) > 1.7e9);
            assertEquals(8.0, hub.metric("count_not_sended_study", ""));
            assertEquals(1.0, hub.metric("pacs_server_up", "AET=\"DST\",IP=\"127.0.0.1\",port=\"14243\""));
            String metrics = hub.get("/metrics").body();
            assertFalse(
                    metrics.contains("Иванов") || metrics.contains("ACC0") || metrics.contains(studyUids.get(0)),
                    "no patient or study data in metrics");

            JsonNode report = OrthancPeer.JSON.readTree(hub.get("/pacs/missing").body());
            JsonNode main = report.get("checks").get(0);
            assertEquals("dst", main.get("target").asText());
            Set<String> reported = new TreeSet<>();
            main.get("missing")
                    .forEach(m -> reported.add(m.get("studyInstanceUid").asText()));
            assertEquals(missing, reported);
            JsonNode inc = main.get("incomplete").get(0);
            assertEquals(
                    incomplete.iterator().next(), inc.get("studyInstanceUid").asText());
            assertEquals(2, inc.get("sourceInstances").asInt());
            assertEquals(1, inc.get("targetInstances").asInt());
            assertEquals("ACC3", inc.get("accessionNumber").asText());
            assertFalse(report.toString().contains("patientName"), "patient identity only with include-patient");

            // the bot: /missing lists the same studies, /status the nodes and pairs
            // by default Telegram gets counts and ages only: nothing that identifies a study or a patient
            String missingText = ask(telegram, "/missing");
            assertTrue(
                    missingText.startsWith("<b>src \u2192 dst</b> (today): 3 missing, 1 incomplete, oldest for "),
                    missingText);
            assertTrue(
                    missingText.contains("<b>src \u2192 qr</b> (today): 5 missing, 0 incomplete, oldest for "),
                    missingText);
            for (String uid : srcCounts.keySet()) {
                assertFalse(missingText.contains(uid), uid + " in " + missingText);
            }
            assertFalse(missingText.contains("ACC"), "no accession numbers by default: " + missingText);
            assertFalse(
                    missingText.contains("Иванов") || missingText.contains("Петрова"),
                    "no patient identity by default");
            String status = ask(telegram, "/status");
            assertTrue(
                    status.startsWith("PACS nodes:\n\uD83D\uDFE2 dst (DST) up\n\uD83D\uDFE2 qr (QRSCP) up\n"
                            + "\uD83D\uDFE2 src (SRC) up\nsrc \u2192 dst: " + srcCounts.size()
                            + " studies, 3 missing, 1 incomplete\n"
                            + "src \u2192 qr: " + srcCounts.size() + " studies, 5 missing, 0 incomplete"),
                    status);

            // outage: DST stops; its gauges go to 0, the pair keeps its last counts, the hub keeps running
            dst.stop();
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(30),
                    () -> value(hub, "pacs_up", "pacs=\"dst\"") == 0
                            && value(hub, "pacs_forwarding_check_success", sd) == 0));
            assertEquals(3.0, hub.metric("pacs_forwarding_missing_studies", sd));
            assertEquals(1.0, hub.metric("pacs_forwarding_check_success", sq));
            assertEquals(1.0, hub.metric("pacs_up", "pacs=\"src\""));
            assertTrue(
                    hub.get("/pacs/missing").body().contains("\"lastError\":\"dst: connection to DST@127.0.0.1:14243"),
                    hub.get("/pacs/missing").body());
            assertTrue(ask(telegram, "/status").contains("\uD83D\uDD34 dst (DST) down"));
            assertTrue(ask(telegram, "/missing")
                    .contains("\u26A0\uFE0F last check failed: dst: connection to DST@127.0.0.1:14243"));

            dst.start();
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(30),
                    () -> value(hub, "pacs_up", "pacs=\"dst\"") == 1
                            && value(hub, "pacs_forwarding_check_success", sd) == 1));
            assertEquals(3.0, hub.metric("pacs_forwarding_missing_studies", sd));
        }

        // telegram.missing-details=true: the studies, still without patients
        p.put("telegram.missing-details", "true");
        String missingText = missingWith(p)[0];
        assertTrue(missingText.startsWith("<b>src \u2192 dst</b> (today): 3 missing, 1 incomplete"), missingText);
        for (String uid : missing) {
            assertTrue(missingText.contains("\u2022 missing <code>" + uid + "</code>"), uid + " in " + missingText);
        }
        assertTrue(
                missingText.contains("\u2022 incomplete <code>"
                        + incomplete.iterator().next() + "</code> acc ACC3 " + today + ", 1/2 instances"),
                missingText);
        assertFalse(missingText.contains("Иванов") || missingText.contains("Петрова"), "no patient identity");

        // pacs.missing.include-patient=true alone: /pacs/missing (authenticated) has the patients, Telegram does not
        p.put("telegram.missing-details", "false");
        p.put("pacs.missing.include-patient", "true");
        String[] alone = missingWith(p);
        assertTrue(alone[1].contains("patientName"));
        assertFalse(
                alone[0].contains("Иванов") || alone[0].contains("Петрова") || alone[0].contains("<code>"), alone[0]);

        // both switches on: /missing names the patients too
        p.put("telegram.missing-details", "true");
        String[] both = missingWith(p);
        for (JsonNode m :
                OrthancPeer.JSON.readTree(both[1]).get("checks").get(0).get("missing")) {
            String who =
                    m.get("patientName").asText() + " (" + m.get("patientId").asText() + ")";
            assertTrue(
                    both[0].contains("<code>" + m.get("studyInstanceUid").asText() + "</code>")
                            && both[0].contains(who),
                    who + " in " + both[0]);
        }
    }

    /** A hub with these properties and a fresh fake Bot API: {the bot's /missing, GET /pacs/missing} once src→dst reconciled. */
    private static String[] missingWith(Map<String, String> p) throws Exception {
        try (FakeBotApi bot = new FakeBotApi()) {
            p.put("telegram.api-url", bot.url());
            try (HubRunner hub = new HubRunner(p)) {
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(30),
                        () -> value(hub, "pacs_forwarding_check_success", "source=\"src\",target=\"dst\"") == 1));
                return new String[] {
                    ask(bot, "/missing"), hub.get("/pacs/missing").body()
                };
            }
        }
    }

    private static final long CHAT = 5150;

    /** Sends a command from the allowed chat and returns the bot's reply. */
    private static String ask(FakeBotApi telegram, String command) throws InterruptedException {
        return ask(telegram, CHAT, command);
    }

    /** Sends a command from {@code chat} and returns the bot's reply. */
    static String ask(FakeBotApi telegram, long chat, String command) throws InterruptedException {
        int before = telegram.texts(chat).size();
        telegram.userSays(chat, command);
        assertTrue(
                HubRunner.await(
                        Duration.ofSeconds(15), () -> telegram.texts(chat).size() > before),
                "no reply to " + command);
        return telegram.texts(chat).get(before);
    }

    private Map<String, Integer> instanceCounts(OrthancPeer peer) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        for (JsonNode s : peer.studies(today)) {
            int n = peer.get("/studies/" + s.get("ID").asText() + "/instances").size();
            counts.put(s.get("MainDicomTags").get("StudyInstanceUID").asText(), n);
        }
        return counts;
    }
}
