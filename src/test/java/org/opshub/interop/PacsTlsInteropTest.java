package org.opshub.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opshub.AllLogs;
import org.opshub.HubRunner;
import org.opshub.pacs.PacsMonitor;
import org.opshub.pacs.PacsResends;
import org.opshub.telegram.FakeBotApi;

/**
 * DICOM TLS (PS3.15 Annex B) against Orthanc with {@code DicomTlsEnabled} and a PKI that
 * openssl makes for the test: a CA, DST's server certificate (SAN localhost, 127.0.0.1), a client
 * certificate the CA signed, and a second CA with a "rogue" client certificate. Echo and reconcile
 * over TLS give the same metrics as over plain DIMSE against the same data (DST restarted without
 * TLS); an untrusted CA, a wrong host name, a missing and a refused client certificate each give their
 * reason and {@code pacs_up=0} while the hub keeps running.
 */
@Tag("interop")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(240)
class PacsTlsInteropTest {
    static final long CHAT = 7101;

    @TempDir
    static Path dir;

    OrthancPeer src;
    OrthancPeer dst;
    final String today = LocalDate.now(ZoneOffset.UTC).format(DateTimeFormatter.BASIC_ISO_DATE);

    private static void openssl(Path cwd, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .directory(cwd.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    }

    /** A CA (key and self-signed certificate). */
    static void ca(Path d, String name, String cn) throws Exception {
        openssl(
                d,
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                name + ".key",
                "-out",
                name + ".pem",
                "-days",
                "2",
                "-subj",
                "/CN=" + cn);
    }

    /** A certificate signed by a CA, with a subjectAltName when {@code san} is not null. */
    static void signed(Path d, String name, String cn, String ca, String san) throws Exception {
        openssl(
                d,
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                name + ".key",
                "-out",
                name + ".csr",
                "-subj",
                "/CN=" + cn);
        List<String> args = new ArrayList<>(List.of(
                "x509",
                "-req",
                "-in",
                name + ".csr",
                "-CA",
                ca + ".pem",
                "-CAkey",
                ca + ".key",
                "-CAcreateserial",
                "-out",
                name + ".crt",
                "-days",
                "2"));
        if (san != null) {
            Files.writeString(d.resolve(name + ".ext"), "subjectAltName=" + san + "\n");
            args.addAll(List.of("-extfile", name + ".ext"));
        }
        openssl(d, args.toArray(String[]::new));
    }

    private OrthancPeer dst(boolean tls) throws Exception {
        Map<String, Object> extra = new LinkedHashMap<>();
        if (tls) {
            extra.put("DicomTlsEnabled", true);
            extra.put("DicomTlsCertificate", dir.resolve("dst.crt").toString());
            extra.put("DicomTlsPrivateKey", dir.resolve("dst.key").toString());
            extra.put("DicomTlsTrustedCertificates", dir.resolve("ca.pem").toString());
            extra.put("DicomTlsRemoteCertificateRequired", true);
        }
        extra.put("DicomAlwaysAllowMove", true);
        return new OrthancPeer(
                dir,
                "DST",
                18053,
                14253,
                extra,
                Map.of("SRC", Map.of("AET", "SRC", "Host", "127.0.0.1", "Port", 14252)));
    }

    @BeforeAll
    void peers() throws Exception {
        ca(dir, "ca", "opshub test CA");
        ca(dir, "other-ca", "some other CA");
        signed(dir, "dst", "dst.test", "ca", "DNS:localhost,IP:127.0.0.1");
        signed(dir, "client", "opshub client", "ca", null);
        signed(dir, "rogue", "rogue client", "other-ca", null);
        src = new OrthancPeer(dir, "SRC", 18052, 14252, Map.of(), Map.of());
        src.start();
        dst = dst(true);
        dst.start();
        // SRC: 4 studies (the second with 2 instances); DST (through its REST API): the first whole, the second with 1
        // of 2
        for (int i = 0; i < 4; i++) {
            JsonNode s = src.createInstance(
                    Map.of(
                            "PatientID",
                            "T" + i,
                            "PatientName",
                            "Test^" + i,
                            "StudyDate",
                            today,
                            "StudyTime",
                            String.format("%02d0000", 8 + i),
                            "AccessionNumber",
                            "T" + i,
                            "Modality",
                            "CT"),
                    null);
            if (i == 1) {
                src.createInstance(Map.of(), s.get("ParentSeries").asText());
            }
            if (i < 2) {
                dst.upload(src.file(s.get("ID").asText()));
            }
        }
        // a study only on DST, for a C-MOVE from DST over TLS
        JsonNode only = dst.createInstance(
                Map.of(
                        "PatientID",
                        "T9",
                        "PatientName",
                        "Test^9",
                        "StudyDate",
                        today,
                        "StudyTime",
                        "170000",
                        "AccessionNumber",
                        "T9",
                        "Modality",
                        "CT"),
                null);
        onlyOnDst = dst.get("/studies/" + only.get("ParentStudy").asText())
                .get("MainDicomTags")
                .get("StudyInstanceUID")
                .asText();
    }

    String onlyOnDst;

    @AfterAll
    void stop() throws Exception {
        if (src != null) {
            src.close();
        }
        if (dst != null) {
            dst.close();
        }
    }

    private Map<String, String> properties(boolean tls) {
        Map<String, String> p = new HashMap<>();
        p.put("pacs.period", "PT1S");
        p.put("pacs.timezone", "UTC");
        p.put("pacs.dimse-timeout", "PT5S");
        p.put("pacs.nodes.src.host", "127.0.0.1");
        p.put("pacs.nodes.src.port", "14252");
        p.put("pacs.nodes.src.ae-title", "SRC");
        p.put("pacs.forwarding.main.source", "src");
        p.put("pacs.forwarding.main.target", "dst");
        p.put("pacs.forwarding.main.settle", "PT0S");
        node(p, "dst", "127.0.0.1", tls ? "ca.pem" : null, "client");
        return p;
    }

    private static void node(Map<String, String> p, String name, String host, String ca, String client) {
        String k = "pacs.nodes." + name + ".";
        p.put(k + "host", host);
        p.put(k + "port", "14253");
        p.put(k + "ae-title", "DST");
        if (ca != null) {
            p.put(k + "tls", "true");
            p.put(k + "tls-ca-file", dir.resolve(ca).toString());
            if (client != null) {
                p.put(k + "tls-cert-file", dir.resolve(client + ".crt").toString());
                p.put(k + "tls-key-file", dir.resolve(client + ".key").toString());
            }
        }
    }

    private static final List<String> METRICS = List.of(
            "pacs_up{pacs=\"dst\"}",
            "pacs_up{pacs=\"src\"}",
            "pacs_forwarding_source_studies",
            "pacs_forwarding_missing_studies",
            "pacs_forwarding_incomplete_studies",
            "pacs_forwarding_date_mismatch_studies",
            "pacs_forwarding_check_success");

    /** The reconcile's metrics once it succeeded twice. */
    private static Map<String, Double> reconciled(HubRunner hub) throws Exception {
        String sd = "source=\"src\",target=\"dst\"";
        assertTrue(
                HubRunner.await(
                        Duration.ofSeconds(30),
                        () -> hub.metricOrMinusOne("pacs_forwarding_check_success", sd) == 1
                                && hub.metricOrMinusOne("pacs_up", "pacs=\"dst\"") == 1),
                hub.get("/pacs/missing").body());
        Thread.sleep(1500);
        Map<String, Double> m = new LinkedHashMap<>();
        for (String name : METRICS) {
            m.put(
                    name,
                    name.contains("{")
                            ? hub.metric(
                                    name.substring(0, name.indexOf('{')),
                                    name.substring(name.indexOf('{') + 1, name.length() - 1))
                            : hub.metric(name, sd));
        }
        return m;
    }

    @Test
    void reconcileOverTlsMatchesPlainDimseAndEachTlsFailureNamesItsReason() throws Exception {
        Map<String, Double> overTls;
        Map<String, String> p = properties(true);
        node(p, "untrusted", "127.0.0.1", "other-ca.pem", "client");
        node(p, "wronghost", "127.0.0.2", "ca.pem", "client");
        node(p, "noclient", "127.0.0.1", "ca.pem", null);
        node(p, "rogue", "127.0.0.1", "ca.pem", "rogue");
        node(p, "lenient", "127.0.0.2", "ca.pem", "client");
        p.put("pacs.nodes.lenient.tls-verify-hostname", "false");
        // DST over TLS as a source: C-MOVE to SRC
        p.put("pacs.forwarding.back.source", "dst");
        p.put("pacs.forwarding.back.target", "src");
        p.put("pacs.forwarding.back.settle", "PT0S");

        try (AllLogs logs = new AllLogs();
                FakeBotApi telegram = new FakeBotApi()) {
            p.putAll(telegram.hubProperties(CHAT));
            try (HubRunner hub = new HubRunner(p)) {
                overTls = reconciled(hub);
                assertEquals(2.0, overTls.get("pacs_forwarding_missing_studies"), overTls.toString());
                assertEquals(1.0, overTls.get("pacs_forwarding_incomplete_studies"), overTls.toString());
                assertEquals(1.0, hub.metric("pacs_node_info", "pacs=\"dst\",transport=\"dimse-tls\""));
                assertEquals(1.0, hub.metric("pacs_node_info", "pacs=\"src\",transport=\"dimse\""));
                assertTrue(hub.metric("pacs_echo_duration_seconds", "pacs=\"dst\"") > 0);
                for (String n : List.of("untrusted", "wronghost", "noclient", "rogue")) {
                    assertTrue(
                            HubRunner.await(
                                    Duration.ofSeconds(15),
                                    () -> hub.metricOrMinusOne("pacs_up", "pacs=\"" + n + "\"") == 0),
                            n);
                }
                JsonNode nodes = OrthancPeer.JSON
                        .readTree(hub.get("/pacs/missing").body())
                        .get("nodes");
                String untrusted = nodes.get("untrusted").get("reason").asText();
                assertTrue(
                        untrusted.contains("is not trusted")
                                && untrusted.contains("CN=dst.test")
                                && untrusted.contains("issuer CN=opshub test CA"),
                        untrusted);
                String wrong = nodes.get("wronghost").get("reason").asText();
                assertTrue(wrong.contains("host name mismatch") && wrong.contains("127.0.0.2"), wrong);
                String noClient = nodes.get("noclient").get("reason").asText();
                assertTrue(
                        noClient.contains("client certificate refused by the peer")
                                && noClient.contains("requires one"),
                        noClient);
                String rogue = nodes.get("rogue").get("reason").asText();
                assertTrue(
                        rogue.contains("client certificate refused by the peer")
                                && rogue.contains("does not trust the certificate of tls-cert-file"),
                        rogue);
                assertEquals(
                        "dimse-tls", nodes.get("untrusted").get("transport").asText());
                assertTrue(nodes.get("dst").get("reason").isNull());

                // the bot's /status names the reasons too
                telegram.userSays(CHAT, "/status");
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(15), () -> !telegram.texts(CHAT).isEmpty()));
                String status = telegram.texts(CHAT).get(0);
                assertTrue(
                        status.contains("untrusted (DST) down: TLS to DST@127.0.0.1:14253: certificate CN=dst.test"),
                        status);
                assertTrue(
                        status.contains("wronghost (DST) down: TLS to DST@127.0.0.2:14253: host name mismatch"),
                        status);

                // one WARN line per state change, not one per period
                Thread.sleep(2500);
                assertEquals(
                        1,
                        logs.from(PacsMonitor.class).stream()
                                .filter(l -> l.contains("PACS node untrusted"))
                                .count(),
                        logs.from(PacsMonitor.class).toString());
                assertEquals(1.0, hub.metric("pacs_up", "pacs=\"dst\""), "the hub keeps running and DST stays up");
                assertEquals(
                        1.0, hub.metric("pacs_up", "pacs=\"lenient\""), "tls-verify-hostname=false accepts 127.0.0.2");

                // C-MOVE over TLS: DST (the source of pair back) sends its own study to SRC
                assertEquals(0, src.instancesOf(onlyOnDst));
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(15),
                        () -> hub.metricOrMinusOne("pacs_forwarding_missing_studies", "source=\"dst\",target=\"src\"")
                                == 1));
                Map<String, Object> moved =
                        hub.bean("pacsResends", PacsResends.class).resendStudy("back", onlyOnDst, "test");
                assertEquals("ok", moved.get("answer"), moved.toString());
                assertEquals(1, src.instancesOf(onlyOnDst), "moved over TLS");
                src.delete("/studies/" + src.studyId(onlyOnDst)); // SRC as it was, for the comparison below
            }
        }
        // the same data without TLS: the same metrics
        dst.stop();
        dst = dst(false);
        dst.start();
        try (HubRunner hub = new HubRunner(properties(false))) {
            assertEquals(overTls, reconciled(hub));
            assertEquals(1.0, hub.metric("pacs_node_info", "pacs=\"dst\",transport=\"dimse\""));
        }
    }
}
