package org.opshub.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
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
import org.opshub.dicom.DicomClient;
import org.opshub.dicom.DicomException;
import org.opshub.dicom.DicomNode;
import org.opshub.dicom.ScuSettings;
import org.opshub.state.StateStore;
import org.opshub.telegram.FakeBotApi;

/**
 * Storage Commitment against Orthanc as the SCP (Debian's 1.10): it answers N-ACTION and sends the
 * N-EVENT-REPORT on a new association to opshub's SCP, registered in its {@code DicomModalities}. Orthanc T
 * commits what it holds; T also holds a study whose instance count matches the source's but one of whose
 * instances was replaced (deleted after arrival, another stored): the count says complete, the commitment
 * names the missing instance. Orthanc Q has opshub's SCP at a port nobody listens on, so it never reports.
 * Run inside a private network namespace by scripts/test.sh.
 */
@Tag("interop")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PacsCommitmentInteropTest {
    static final int SCP_PORT = 14279;
    static final int SCP_TLS_PORT = 14280;
    static final long CHAT = 5151;

    @TempDir
    static Path dir;

    OrthancPeer src;
    OrthancPeer t;
    OrthancPeer q;
    final String today = LocalDate.now(ZoneOffset.UTC).format(DateTimeFormatter.BASIC_ISO_DATE);
    final List<String> studies = new ArrayList<>();
    String lostInstance;

    @BeforeAll
    void peers() throws Exception {
        src = new OrthancPeer(
                dir,
                "SRC",
                18072,
                14272,
                Map.of(),
                Map.of(
                        "T", Map.of("AET", "T", "Host", "127.0.0.1", "Port", 14273),
                        "Q", Map.of("AET", "Q", "Host", "127.0.0.1", "Port", 14274)));
        t = new OrthancPeer(
                dir,
                "T",
                18073,
                14273,
                Map.of(),
                Map.of("OPSHUB", Map.of("AET", "OPSHUB", "Host", "127.0.0.1", "Port", SCP_PORT)));
        // Q reports to a port nobody listens on: its reports never arrive
        q = new OrthancPeer(
                dir,
                "Q",
                18074,
                14274,
                Map.of(),
                Map.of("OPSHUB", Map.of("AET", "OPSHUB", "Host", "127.0.0.1", "Port", 14299)));
        src.start();
        t.start();
        q.start();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            JsonNode first = src.createInstance(
                    Map.of(
                            "PatientID",
                            "C" + i,
                            "StudyDate",
                            today,
                            "StudyTime",
                            "0" + (8 + i) + "0000",
                            "Modality",
                            "CT"),
                    null);
            src.createInstance(Map.of(), first.get("ParentSeries").asText());
            src.createInstance(Map.of(), first.get("ParentSeries").asText());
            ids.add(first.get("ParentStudy").asText());
            studies.add(src.get("/studies/" + first.get("ParentStudy").asText())
                    .get("MainDicomTags")
                    .get("StudyInstanceUID")
                    .asText());
        }
        src.store("T", ids.toArray());
        src.store("Q", ids.toArray());
        // on T, one instance of the second study is lost after arrival and another one stands in its place
        String onT = t.studyId(studies.get(1));
        JsonNode instances = t.get("/studies/" + onT + "/instances");
        JsonNode victim = instances.get(0);
        lostInstance = victim.get("MainDicomTags").get("SOPInstanceUID").asText();
        t.delete("/instances/" + victim.get("ID").asText());
        t.createInstance(Map.of(), victim.get("ParentSeries").asText());
        assertEquals(3, t.instancesOf(studies.get(1)), "the count on T still matches the source's");
    }

    @AfterAll
    void stop() throws Exception {
        for (OrthancPeer p : new OrthancPeer[] {src, t, q}) {
            if (p != null) {
                p.close();
            }
        }
    }

    @Test
    void committedFailedWithTheLostInstanceUncommittedAfterTheTimeoutAndStrangersRejected() throws Exception {
        Map<String, String> p = new HashMap<>();
        p.put("pacs.period", "PT1S");
        p.put("pacs.timezone", "UTC");
        p.put("pacs.scp.host", "127.0.0.1");
        p.put("pacs.scp.port", Integer.toString(SCP_PORT));
        for (String[] n : new String[][] {{"src", "SRC", "14272"}, {"t", "T", "14273"}, {"q", "Q", "14274"}}) {
            p.put("pacs.nodes." + n[0] + ".host", "127.0.0.1");
            p.put("pacs.nodes." + n[0] + ".port", n[2]);
            p.put("pacs.nodes." + n[0] + ".ae-title", n[1]);
        }
        p.put("pacs.forwarding.main.source", "src");
        p.put("pacs.forwarding.main.target", "t,q");
        p.put("pacs.forwarding.main.settle", "PT0S");
        p.put("pacs.forwarding.main.commitment", "true");
        p.put("pacs.forwarding.main.commitment-timeout", "PT3S");
        p.put("pacs.forwarding.main.commitment-retries", "2");
        Path state = Files.createDirectories(dir.resolve("state"));
        p.put("state.directory", state.toString());
        FakeBotApi telegram = new FakeBotApi();
        p.putAll(telegram.hubProperties(CHAT));
        try (telegram;
                HubRunner hub = new HubRunner(p)) {
            String onT = "source=\"src\",target=\"t\"";
            String onQ = "source=\"src\",target=\"q\"";
            assertTrue(
                    HubRunner.await(
                            Duration.ofSeconds(40),
                            () -> hub.metricOrMinusOne("pacs_forwarding_committed_studies", onT) == 1
                                    && hub.metricOrMinusOne("pacs_forwarding_commitment_failed_studies", onT) == 1
                                    && hub.metricOrMinusOne("pacs_forwarding_uncommitted_studies", onQ) == 2),
                    () -> body(hub));
            JsonNode checks =
                    OrthancPeer.JSON.readTree(hub.get("/pacs/missing").body()).get("checks");
            JsonNode ct = checks.get(0).get("commitment");
            assertEquals(0, checks.get(0).get("missing").size(), "by counts, everything arrived");
            assertEquals(0, checks.get(0).get("incomplete").size());
            JsonNode failed = ct.get("failed").get(0);
            assertEquals(studies.get(1), failed.get("studyInstanceUid").asText());
            assertEquals(1, failed.get("instances").size(), failed.toString());
            assertEquals(
                    lostInstance,
                    failed.get("instances").get(0).get("sopInstanceUid").asText());
            assertTrue(failed.get("instances").get(0).get("reason").asText().startsWith("0x0112"), failed.toString());
            // the bot's /missing gives the counts
            String missing = PacsInteropTest.ask(telegram, CHAT, "/missing");
            assertTrue(missing.contains("Storage Commitment: 1 committed, 0 uncommitted, 1 failed"), missing);
            JsonNode cq = checks.get(1).get("commitment");
            assertEquals(2, cq.get("uncommitted").size(), cq.toString());
            // retried up to commitment-retries, then left uncommitted
            assertTrue(HubRunner.await(Duration.ofSeconds(30), () -> body(hub).contains("\"requests\":2")));
            Thread.sleep(5000);
            for (JsonNode u : OrthancPeer.JSON
                    .readTree(hub.get("/pacs/missing").body())
                    .get("checks")
                    .get(1)
                    .get("commitment")
                    .get("uncommitted")) {
                assertEquals(2, u.get("requests").asInt(), u.toString());
            }

            // opshub's SCP: C-ECHO from a configured node is answered; from an AE title no node has, refused
            DicomClient asT = new DicomClient(ScuSettings.defaults("T"));
            assertTrue(asT.echo(new DicomNode("OPSHUB", "127.0.0.1", SCP_PORT)) > 0);
            DicomClient stranger = new DicomClient(ScuSettings.defaults("INTRUDER"));
            DicomException e = assertThrows(
                    DicomException.class, () -> stranger.echo(new DicomNode("OPSHUB", "127.0.0.1", SCP_PORT)));
            assertTrue(e.getMessage().contains("rejected"), e.getMessage());
        }
        Map<String, Integer> before = requests(state);
        assertEquals(
                Map.of("src->t", 2, "src->q", 4), before, "T: one request per study; Q: two per study: " + rows(state));

        // a restart asks again for nothing: committed and failed are stored, Q is at commitment-retries
        try (HubRunner again = new HubRunner(p)) {
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(30),
                    () -> again.metricOrMinusOne("pacs_forwarding_committed_studies", "source=\"src\",target=\"t\"")
                            == 1));
            Thread.sleep(4000); // a few more periods
            assertEquals(
                    1.0,
                    again.metricOrMinusOne("pacs_forwarding_commitment_failed_studies", "source=\"src\",target=\"t\""));
        }
        assertEquals(before, requests(state), "no request after the restart");
    }

    /** What a query's rows become. */
    @FunctionalInterface
    interface Rows<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** A query of the embedded state store the hub used, opened as the hub opens it. */
    private static <T> T query(Path state, String sql, Rows<T> rows) {
        try (StateStore store = StateStore.open(null, null, null, state)) {
            return store.inTransaction(c -> {
                try (Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery(sql)) {
                    return rows.read(rs);
                }
            });
        }
    }

    /** The requests as the store holds them, for messages. */
    private static String rows(Path state) {
        return query(
                state,
                "SELECT check_key, study_uid, attempt, state, requested_at, reported_at"
                        + " FROM pacs_commitment ORDER BY requested_at",
                rs -> {
                    StringBuilder b = new StringBuilder();
                    while (rs.next()) {
                        b.append("\n")
                                .append(rs.getString(1))
                                .append(' ')
                                .append(rs.getString(2))
                                .append(" #")
                                .append(rs.getInt(3))
                                .append(' ')
                                .append(rs.getString(4))
                                .append(' ')
                                .append(rs.getLong(5))
                                .append(' ')
                                .append(rs.getObject(6));
                    }
                    return b.toString();
                });
    }

    /** Storage Commitment requests per check, as the embedded state store holds them. */
    private static Map<String, Integer> requests(Path state) {
        return query(state, "SELECT check_key, COUNT(*) FROM pacs_commitment GROUP BY check_key", rs -> {
            Map<String, Integer> out = new TreeMap<>();
            while (rs.next()) {
                out.put(rs.getString(1), rs.getInt(2));
            }
            return out;
        });
    }

    @Test
    void aNodeWithTlsReportsOverDicomTlsToTheScpsTlsPortAndNotToItsPlainOne() throws Exception {
        Path pki = Files.createDirectories(dir.resolve("pki"));
        PacsTlsInteropTest.ca(pki, "ca", "commitment CA");
        PacsTlsInteropTest.signed(pki, "s", "archive-s", "ca", "DNS:localhost,IP:127.0.0.1");
        PacsTlsInteropTest.signed(pki, "opshub", "opshub-scp", "ca", "DNS:localhost,IP:127.0.0.1");
        Map<String, Object> tls = Map.of(
                "DicomTlsEnabled", true,
                "DicomTlsCertificate", pki.resolve("s.crt").toString(),
                "DicomTlsPrivateKey", pki.resolve("s.key").toString(),
                "DicomTlsTrustedCertificates", pki.resolve("ca.pem").toString(),
                "DicomTlsRemoteCertificateRequired", false);
        try (OrthancPeer archive = new OrthancPeer(
                dir,
                "S",
                18075,
                14275,
                tls,
                Map.of(
                        "OPSHUB",
                        Map.of("AET", "OPSHUB", "Host", "127.0.0.1", "Port", SCP_TLS_PORT, "UseDicomTls", true)))) {
            archive.start();
            // the first study of SRC, as the archive holds it: the same file
            String study = src.studyId(studies.get(0));
            for (JsonNode i : src.get("/studies/" + study + "/instances")) {
                archive.upload(src.file(i.get("ID").asText()));
            }
            Map<String, String> p = new HashMap<>();
            p.put("pacs.period", "PT1S");
            p.put("pacs.timezone", "UTC");
            p.put("pacs.scp.host", "127.0.0.1");
            p.put("pacs.scp.port", Integer.toString(SCP_PORT));
            p.put("pacs.scp.tls-port", Integer.toString(SCP_TLS_PORT));
            p.put("pacs.scp.tls-ca-file", pki.resolve("ca.pem").toString());
            p.put("pacs.scp.tls-cert-file", pki.resolve("opshub.crt").toString());
            p.put("pacs.scp.tls-key-file", pki.resolve("opshub.key").toString());
            p.put("pacs.nodes.src.host", "127.0.0.1");
            p.put("pacs.nodes.src.port", "14272");
            p.put("pacs.nodes.src.ae-title", "SRC");
            p.put("pacs.nodes.s.host", "127.0.0.1");
            p.put("pacs.nodes.s.port", "14275");
            p.put("pacs.nodes.s.ae-title", "S");
            p.put("pacs.nodes.s.tls", "true");
            p.put("pacs.nodes.s.tls-ca-file", pki.resolve("ca.pem").toString());
            p.put("pacs.forwarding.main.source", "src");
            p.put("pacs.forwarding.main.target", "s");
            p.put("pacs.forwarding.main.settle", "PT0S");
            p.put("pacs.forwarding.main.commitment", "true");
            // only the study S holds (08:00) is expected: the other one (09:00) is outside the rule's schedule
            p.put("pacs.forwarding.main.schedule", "00:00-08:30");
            try (HubRunner hub = new HubRunner(p)) {
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(40),
                                () -> hub.metricOrMinusOne(
                                                "pacs_forwarding_committed_studies", "source=\"src\",target=\"s\"")
                                        == 1),
                        () -> body(hub));
                // S's AE title on the plain port: refused, it has tls=true
                DicomException e = assertThrows(
                        DicomException.class,
                        () -> new DicomClient(ScuSettings.defaults("S"))
                                .echo(new DicomNode("OPSHUB", "127.0.0.1", SCP_PORT)));
                assertTrue(e.getMessage().contains("rejected"), e.getMessage());
            }
        }
    }

    private static String body(HubRunner hub) {
        try {
            return hub.get("/pacs/missing").body();
        } catch (Exception e) {
            return e.toString();
        }
    }
}
