package org.opshub.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opshub.HubRunner;

/**
 * QIDO-RS as a node's query transport (PS3.18 §10.6) against Orthanc with Debian's
 * DICOMweb plugin: a pair whose target is read over QIDO-RS, its mirror (source over QIDO-RS) and the
 * same pair over C-FIND report exactly the same missing and incomplete studies, the ground truth of
 * Orthanc's REST API; a page size below the study count is paged through; a QIDO-RS server that
 * answers 401, 500, HTML or truncated JSON gives a readable reason and no crash.
 */
@Tag("interop")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class PacsQidoInteropTest {
    @TempDir
    static Path dir;

    OrthancPeer src;
    OrthancPeer dst;
    HttpServer broken;
    final String today = LocalDate.now(ZoneOffset.UTC).format(DateTimeFormatter.BASIC_ISO_DATE);
    final Set<String> missing = new TreeSet<>();
    String incomplete;

    static Map<String, Object> dicomWeb() {
        return Map.of(
                "Plugins",
                List.of("/usr/share/orthanc/plugins/libOrthancDicomWeb.so"),
                "DicomWeb",
                Map.of("Enable", true, "Root", "/dicom-web/"));
    }

    @BeforeAll
    void peers() throws Exception {
        src = new OrthancPeer(dir, "SRC", 18054, 14254, dicomWeb(), Map.of());
        dst = new OrthancPeer(dir, "DST", 18055, 14255, dicomWeb(), Map.of());
        src.start();
        dst.start();
        for (int i = 0; i < 7; i++) {
            JsonNode s = src.createInstance(
                    Map.of(
                            "PatientID",
                            "Q" + i,
                            "PatientName",
                            "Кузнецова^Ольга",
                            "StudyDate",
                            today,
                            "StudyTime",
                            String.format("%02d1500", 7 + i),
                            "AccessionNumber",
                            "Q" + i,
                            "Modality",
                            "MR",
                            "SeriesNumber",
                            "1",
                            "SpecificCharacterSet",
                            "ISO_IR 192"),
                    null);
            String uid = src.get("/studies/" + s.get("ParentStudy").asText())
                    .get("MainDicomTags")
                    .get("StudyInstanceUID")
                    .asText();
            if (i < 3) {
                dst.upload(src.file(s.get("ID").asText()));
            } else if (i == 3) { // incomplete: a second series of 2 instances stays on SRC
                JsonNode s2 = src.createInstance(
                        Map.of("Modality", "CT", "SeriesNumber", "2"),
                        s.get("ParentStudy").asText());
                src.createInstance(Map.of(), s2.get("ParentSeries").asText());
                dst.upload(src.file(s.get("ID").asText()));
                incomplete = uid;
            } else {
                missing.add(uid);
            }
        }
        broken = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        broken.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            byte[] body;
            int status = 200;
            String type = "application/dicom+json";
            if (path.startsWith("/401")) {
                status = 401;
                body = "{\"error\":\"unauthorized\"}".getBytes(StandardCharsets.UTF_8);
            } else if (path.startsWith("/500")) {
                status = 500;
                body = "Internal Server Error".getBytes(StandardCharsets.UTF_8);
            } else if (path.startsWith("/html")) {
                type = "text/html";
                body = "<html><body>Please log in</body></html>".getBytes(StandardCharsets.UTF_8);
            } else {
                body = "[{\"0020000D\":{\"vr\":\"UI\",\"Val".getBytes(StandardCharsets.UTF_8);
            }
            ex.getResponseHeaders().set("Content-Type", type);
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        broken.start();
    }

    @AfterAll
    void stop() throws Exception {
        if (broken != null) {
            broken.stop(0);
        }
        if (src != null) {
            src.close();
        }
        if (dst != null) {
            dst.close();
        }
    }

    private static JsonNode pair(JsonNode report, String source, String target) {
        for (JsonNode c : report.get("checks")) {
            if (c.get("source").asText().equals(source)
                    && c.get("target").asText().equals(target)) {
                return c;
            }
        }
        throw new AssertionError(source + "->" + target);
    }

    private static Set<String> uids(JsonNode list) {
        Set<String> out = new TreeSet<>();
        list.forEach(s -> out.add(s.get("studyInstanceUid").asText()));
        return out;
    }

    /** uid -> "series:target/source ..." of the incomplete list, to compare transports. */
    private static Map<String, String> incompleteSeries(JsonNode list) {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode s : list) {
            StringBuilder b = new StringBuilder(s.get("targetInstances").asText() + "/"
                    + s.get("sourceInstances").asText());
            s.path("series")
                    .forEach(x -> b.append(' ')
                            .append(x.get("seriesInstanceUid").asText())
                            .append('=')
                            .append(x.get("modality").asText())
                            .append('#')
                            .append(x.get("seriesNumber").asText())
                            .append(':')
                            .append(x.get("targetInstances").asText())
                            .append('/')
                            .append(x.get("sourceInstances").asText()));
            out.put(s.get("studyInstanceUid").asText(), b.toString());
        }
        return out;
    }

    @Test
    void qidoReportsWhatCFindReportsAndBrokenServersGiveReasons() throws Exception {
        int port = broken.getAddress().getPort();
        Map<String, String> p = new HashMap<>();
        p.put("pacs.period", "PT1S");
        p.put("pacs.timezone", "UTC");
        p.put("pacs.dimse-timeout", "PT5S");
        for (String[] n : new String[][] {{"src", "SRC", "14254", "18054"}, {"dst", "DST", "14255", "18055"}}) {
            p.put("pacs.nodes." + n[0] + ".host", "127.0.0.1");
            p.put("pacs.nodes." + n[0] + ".port", n[2]);
            p.put("pacs.nodes." + n[0] + ".ae-title", n[1]);
            p.put("pacs.nodes." + n[0] + "web.qido-url", "http://127.0.0.1:" + n[3] + "/dicom-web/");
            p.put("pacs.nodes." + n[0] + "web.qido-page-size", "2");
        }
        p.put("pacs.nodes.dstweb.qido-user", "opshub");
        p.put("pacs.nodes.dstweb.qido-password", "hunter2");
        for (String bad : List.of("401", "500", "html", "trunc")) {
            p.put("pacs.nodes.bad" + bad + ".qido-url", "http://127.0.0.1:" + port + "/" + bad + "/dicom-web");
        }
        p.put("pacs.nodes.bad401.qido-token", "sekret-token");
        p.put("pacs.forwarding.dimse.source", "src");
        p.put("pacs.forwarding.dimse.target", "dst");
        p.put("pacs.forwarding.qido.source", "src");
        p.put("pacs.forwarding.qido.target", "dstweb,badtrunc");
        p.put("pacs.forwarding.mirror.source", "srcweb");
        p.put("pacs.forwarding.mirror.target", "dst");
        for (String pair : List.of("dimse", "qido", "mirror")) {
            p.put("pacs.forwarding." + pair + ".settle", "PT0S");
        }
        try (HubRunner hub = new HubRunner(p)) {
            assertTrue(
                    HubRunner.await(
                            Duration.ofSeconds(30),
                            () -> hub.metricOrMinusOne("pacs_forwarding_check_success", "source=\"src\",target=\"dst\"")
                                            == 1
                                    && hub.metricOrMinusOne(
                                                    "pacs_forwarding_check_success", "source=\"src\",target=\"dstweb\"")
                                            == 1
                                    && hub.metricOrMinusOne(
                                                    "pacs_forwarding_check_success", "source=\"srcweb\",target=\"dst\"")
                                            == 1
                                    && hub.metricOrMinusOne("pacs_up", "pacs=\"badhtml\"") == 0),
                    hub.get("/pacs/missing").body());
            Thread.sleep(2500); // the series comparison of the incomplete study is in place on every pair
            JsonNode report = OrthancPeer.JSON.readTree(hub.get("/pacs/missing").body());
            JsonNode overDimse = pair(report, "src", "dst");
            // ground truth from Orthanc's REST API
            assertEquals(missing, uids(overDimse.get("missing")));
            assertEquals(Set.of(incomplete), uids(overDimse.get("incomplete")));
            assertEquals(1, src.instancesOf(incomplete) - 2, "SRC: 3 instances of the incomplete study");
            assertEquals(1, dst.instancesOf(incomplete));
            for (JsonNode other : List.of(pair(report, "src", "dstweb"), pair(report, "srcweb", "dst"))) {
                assertEquals(uids(overDimse.get("missing")), uids(other.get("missing")), other.toString());
                assertEquals(
                        incompleteSeries(overDimse.get("incomplete")),
                        incompleteSeries(other.get("incomplete")),
                        other.toString());
                assertEquals(
                        overDimse.get("sourceStudies").asInt(),
                        other.get("sourceStudies").asInt());
            }
            assertTrue(
                    incompleteSeries(overDimse.get("incomplete"))
                            .get(incomplete)
                            .contains("=CT#2:null/2"),
                    overDimse.toString());
            // DST holds 4 studies of the day: pages of 2 are 2, 2 and an empty one; then one UID list for the
            // candidates
            assertTrue(
                    pair(report, "src", "dstweb").get("queries").get("target").asInt() >= 3, report.toString());
            assertEquals(1.0, hub.metric("pacs_node_info", "pacs=\"dstweb\",transport=\"qido-rs\""));
            assertEquals(1.0, hub.metric("pacs_node_info", "pacs=\"dst\",transport=\"dimse\""));
            assertEquals(1.0, hub.metric("pacs_up", "pacs=\"dstweb\""));
            assertTrue(hub.metric("pacs_echo_duration_seconds", "pacs=\"srcweb\"") > 0);

            // broken servers: readable reasons, the hub keeps running
            JsonNode nodes = report.get("nodes");
            assertTrue(
                    nodes.get("bad401")
                            .get("reason")
                            .asText()
                            .contains("answered 401: check pacs.nodes.bad401.qido-user"),
                    nodes.toString());
            assertTrue(nodes.get("bad500").get("reason").asText().contains("answered 500"), nodes.toString());
            assertTrue(
                    nodes.get("badhtml").get("reason").asText().contains("answered HTML, not DICOM JSON"),
                    nodes.toString());
            assertTrue(nodes.get("badtrunc").get("reason").asText().contains("not valid JSON"), nodes.toString());
            JsonNode truncatedPair = pair(report, "src", "badtrunc");
            assertEquals(false, truncatedPair.get("checkSuccess").asBoolean());
            assertTrue(
                    truncatedPair
                            .get("lastError")
                            .asText()
                            .startsWith("badtrunc: QIDO-RS http://127.0.0.1:" + port
                                    + "/trunc/dicom-web/studies answered something that is not valid JSON"),
                    truncatedPair.toString());
            String all = hub.get("/pacs/missing").body() + hub.get("/metrics").body();
            assertTrue(!all.contains("hunter2") && !all.contains("sekret-token"), "no QIDO-RS secret in answers");
            assertEquals(1.0, hub.metric("pacs_forwarding_check_success", "source=\"src\",target=\"dstweb\""));
        }
    }
}
