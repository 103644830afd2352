package org.opshub.interop;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.opshub.dicom.Association;
import org.opshub.dicom.Attributes;
import org.opshub.dicom.DicomClient;
import org.opshub.dicom.DicomNode;
import org.opshub.dicom.ScuSettings;
import org.opshub.dicom.Tag;
import org.opshub.dicom.Vr;
import org.opshub.pacs.PacsMonitor;
import org.opshub.pacs.PacsSettings;

/**
 * Benchmark (scripts/bench-reconcile.sh, not a test): 5,000 studies on Orthanc SRC, 650 on DST.
 * Measures, side by side in one run, the hub's reconcile against (a) two findscu C-FINDs plus a
 * set difference and (b) one fresh association + C-FIND per study (the old exporter's algorithm).
 */
public final class ReconcileBenchmark {
    public static void main(String[] args) throws Exception {
        int studies = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int forwarded = args.length > 1 ? Integer.parseInt(args[1]) : 650;
        int runs = 5;
        Path dir = Files.createTempDirectory("opshub-bench");
        String today = LocalDate.now(ZoneOffset.UTC).format(DateTimeFormatter.BASIC_ISO_DATE);
        try (OrthancPeer src = new OrthancPeer(
                        dir,
                        "SRC",
                        18042,
                        14242,
                        PacsQidoInteropTest.dicomWeb(),
                        Map.of("DST", Map.of("AET", "DST", "Host", "127.0.0.1", "Port", 14243)));
                OrthancPeer dst = new OrthancPeer(dir, "DST", 18043, 14243, PacsQidoInteropTest.dicomWeb(), Map.of())) {
            src.start();
            dst.start();
            long t0 = System.nanoTime();
            List<String> ids = load(src, studies, today);
            src.store("DST", ids.subList(0, forwarded).toArray());
            System.out.printf(
                    "loaded %d studies on SRC, forwarded %d to DST in %.1f s%n",
                    studies, forwarded, (System.nanoTime() - t0) / 1e9);

            Map<String, String> p = new HashMap<>(Map.of(
                    "pacs.timezone",
                    "UTC",
                    "pacs.nodes.src.host",
                    "127.0.0.1",
                    "pacs.nodes.src.port",
                    "14242",
                    "pacs.nodes.src.ae-title",
                    "SRC",
                    "pacs.nodes.dst.host",
                    "127.0.0.1",
                    "pacs.nodes.dst.port",
                    "14243",
                    "pacs.nodes.dst.ae-title",
                    "DST",
                    "pacs.forwarding.main.source",
                    "src",
                    "pacs.forwarding.main.target",
                    "dst"));
            p.put("pacs.forwarding.main.settle", "PT0S");
            PacsMonitor hub = new PacsMonitor(PacsSettings.from(p.keySet(), p::get), new SimpleMeterRegistry());

            double[] hubTimes = new double[runs];
            double[] findscuTimes = new double[runs];
            int findscuMissing = -1;
            for (int i = 0; i < runs; i++) { // interleaved, so both see the same machine state
                long s = System.nanoTime();
                hub.reconcile("src->dst");
                hubTimes[i] = (System.nanoTime() - s) / 1e9;
                s = System.nanoTime();
                Set<String> a = findscu("SRC", 14242, today);
                Set<String> b = findscu("DST", 14243, today);
                a.removeAll(b);
                findscuMissing = a.size();
                findscuTimes[i] = (System.nanoTime() - s) / 1e9;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> check =
                    (Map<String, Object>) ((List<Object>) hub.missingReport().get("checks")).get(0);
            @SuppressWarnings("unchecked")
            List<Object> missing = (List<Object>) check.get("missing");
            Object candidateQueries = check.get("queries");

            // (b) the old algorithm: a fresh association and a C-FIND per source study
            DicomClient client = new DicomClient(ScuSettings.defaults("OPSHUB"));
            Set<String> srcUids = findscu("SRC", 14242, today);
            long s = System.nanoTime();
            int oldMissing = 0;
            for (String uid : srcUids) {
                Association as = client.openStudyRootFind(new DicomNode("DST", "127.0.0.1", 14243));
                int[] n = {0};
                client.find(
                        as,
                        new Attributes()
                                .setString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY")
                                .setString(Tag.StudyInstanceUID, Vr.UI, uid),
                        m -> ++n[0] > 0);
                as.release();
                oldMissing += n[0] == 0 ? 1 : 0;
            }
            double perStudy = (System.nanoTime() - s) / 1e9;
            // (b) as the old exporter ran it: a separate SCU run (findscu) per source study
            s = System.nanoTime();
            int oldMissingFindscu = 0;
            for (String uid : srcUids) {
                oldMissingFindscu += findscuOne("DST", 14243, uid) ? 0 : 1;
            }
            double perStudyFindscu = (System.nanoTime() - s) / 1e9;

            // no candidates: every study forwarded, so the hub sends no confirmation C-FIND
            long f0 = System.nanoTime();
            for (int i = forwarded; i < ids.size(); i += 250) { // in parts: one synchronous store job each
                src.store("DST", ids.subList(i, Math.min(ids.size(), i + 250)).toArray());
            }
            System.out.printf(
                    "forwarded the other %d in %.1f s%n", ids.size() - forwarded, (System.nanoTime() - f0) / 1e9);
            double[] hubClean = new double[runs];
            double[] findscuClean = new double[runs];
            for (int i = 0; i < runs; i++) {
                long c = System.nanoTime();
                hub.reconcile("src->dst");
                hubClean[i] = (System.nanoTime() - c) / 1e9;
                c = System.nanoTime();
                Set<String> a = findscu("SRC", 14242, today);
                a.removeAll(findscu("DST", 14243, today));
                findscuClean[i] = (System.nanoTime() - c) / 1e9;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> clean =
                    (Map<String, Object>) ((List<Object>) hub.missingReport().get("checks")).get(0);

            double hubMedian = median(hubTimes);
            double findscuMedian = median(findscuTimes);
            System.out.println();
            System.out.printf("| method (%d on SRC, %d on DST) | missing found | seconds |%n", studies, forwarded);
            System.out.println("|---|---|---|");
            System.out.printf(
                    "| opshub reconcile, %d candidates confirmed by UID (median of %d) | %d | %.3f |%n",
                    studies - forwarded, runs, missing.size(), hubMedian);
            System.out.printf(
                    "| (a) 2 x findscu + set difference (median of %d) | %d | %.3f |%n",
                    runs, findscuMissing, findscuMedian);
            System.out.printf(
                    "| (b) findscu per study: process + association + C-FIND (once) | %d | %.3f |%n",
                    oldMissingFindscu, perStudyFindscu);
            System.out.printf(
                    "| (b') opshub SCU per study: association + C-FIND (once) | %d | %.3f |%n", oldMissing, perStudy);
            System.out.printf(
                    "| opshub reconcile, all %d forwarded, no candidates (median of %d) | %d | %.3f |%n",
                    studies, runs, ((List<?>) clean.get("missing")).size(), median(hubClean));
            System.out.printf(
                    "| (a) 2 x findscu + set difference, all forwarded (median of %d) | 0 | %.3f |%n",
                    runs, median(findscuClean));
            System.out.println();
            System.out.printf(
                    "C-FIND requests of the hub: %s with candidates, %s without%n",
                    candidateQueries, clean.get("queries"));
            System.out.printf(
                    "ratio hub / (a), no candidates = %.2f   (target <= 1.2)%n",
                    median(hubClean) / median(findscuClean));
            System.out.printf(
                    "ratio hub / (a), %d candidates = %.2f%n", studies - forwarded, hubMedian / findscuMedian);
            System.out.printf("ratio (b) / hub = %.0f   (target >= 100)%n", perStudyFindscu / hubMedian);
            System.out.printf("ratio (b') / hub = %.0f%n", perStudy / hubMedian);

            // the same no-candidate reconcile over QIDO-RS (both sides), then over DIMSE-TLS
            Map<String, String> q = new HashMap<>(Map.of(
                    "pacs.timezone",
                    "UTC",
                    "pacs.nodes.src.qido-url",
                    "http://127.0.0.1:18042/dicom-web",
                    "pacs.nodes.dst.qido-url",
                    "http://127.0.0.1:18043/dicom-web",
                    "pacs.forwarding.main.source",
                    "src",
                    "pacs.forwarding.main.target",
                    "dst",
                    "pacs.forwarding.main.settle",
                    "PT0S"));
            PacsMonitor overQido = new PacsMonitor(PacsSettings.from(q.keySet(), q::get), new SimpleMeterRegistry());
            double[][] qido = interleaved(runs, overQido, () -> {
                Set<String> a = findscu("SRC", 14242, today);
                a.removeAll(findscu("DST", 14243, today));
            });
            // the server's own share: the same QIDO-RS pages fetched as plain HTTP, no parsing (as curl would)
            double[][] raw = interleaved(runs, overQido, () -> {
                for (int port : new int[] {18042, 18043}) {
                    for (int offset = 0; ; offset += 1000) {
                        String body = HttpClient.newHttpClient()
                                .send(
                                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                                        + port + "/dicom-web/studies?StudyDate=" + today
                                                        + "&includefield=0020000D&includefield=00080020&includefield=00080030&includefield=00080050"
                                                        + "&includefield=00080061&includefield=00201208&limit=1000&offset="
                                                        + offset))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .body();
                        if (body.length() < 100) {
                            break;
                        }
                    }
                }
            });
            @SuppressWarnings("unchecked")
            Map<String, Object> qidoCheck = (Map<String, Object>)
                    ((List<Object>) overQido.missingReport().get("checks")).get(0);

            Path pki = Files.createDirectories(dir.resolve("pki"));
            PacsTlsInteropTest.ca(pki, "ca", "bench CA");
            for (String n : List.of("src", "dst")) {
                PacsTlsInteropTest.signed(pki, n, n + ".bench", "ca", "DNS:localhost,IP:127.0.0.1");
            }
            src.stop();
            dst.stop();
            double[][] tls;
            Map<String, Object> tlsCheck;
            try (OrthancPeer tsrc = new OrthancPeer(dir, "SRC", 18042, 14242, tlsConfig(pki, "src"), Map.of());
                    OrthancPeer tdst = new OrthancPeer(dir, "DST", 18043, 14243, tlsConfig(pki, "dst"), Map.of())) {
                tsrc.start();
                tdst.start();
                Map<String, String> t = new HashMap<>(p);
                for (String n : List.of("src", "dst")) {
                    t.put("pacs.nodes." + n + ".tls", "true");
                    t.put(
                            "pacs.nodes." + n + ".tls-ca-file",
                            pki.resolve("ca.pem").toString());
                }
                PacsMonitor overTls = new PacsMonitor(PacsSettings.from(t.keySet(), t::get), new SimpleMeterRegistry());
                String ca = pki.resolve("ca.pem").toString();
                tls = interleaved(runs, overTls, () -> {
                    Set<String> a = findscu("SRC", 14242, today, "+tla", "+cf", ca);
                    a.removeAll(findscu("DST", 14243, today, "+tla", "+cf", ca));
                });
                @SuppressWarnings("unchecked")
                Map<String, Object> c = (Map<String, Object>)
                        ((List<Object>) overTls.missingReport().get("checks")).get(0);
                tlsCheck = c;
            }
            System.out.println();
            System.out.printf(
                    "| transport (all %d forwarded, no candidates; median of %d) | missing | opshub s | 2 x findscu s | ratio |%n",
                    studies, runs);
            System.out.println("|---|---|---|---|---|");
            System.out.printf(
                    "| DIMSE | %d | %.3f | %.3f | %.2f |%n",
                    ((List<?>) clean.get("missing")).size(),
                    median(hubClean),
                    median(findscuClean),
                    median(hubClean) / median(findscuClean));
            System.out.printf(
                    "| DIMSE over TLS (findscu +tla) | %d | %.3f | %.3f | %.2f |%n",
                    ((List<?>) tlsCheck.get("missing")).size(),
                    median(tls[0]),
                    median(tls[1]),
                    median(tls[0]) / median(tls[1]));
            System.out.printf(
                    "| QIDO-RS, both sides (findscu over DIMSE) | %d | %.3f | %.3f | %.2f |%n",
                    ((List<?>) qidoCheck.get("missing")).size(),
                    median(qido[0]),
                    median(qido[1]),
                    median(qido[0]) / median(qido[1]));
            System.out.printf(
                    "| QIDO-RS, both sides (the same pages as plain HTTP GETs, no parsing) | - | %.3f | %.3f | %.2f |%n",
                    median(raw[0]), median(raw[1]), median(raw[0]) / median(raw[1]));
            System.out.printf(
                    "QIDO-RS requests: %s; DIMSE-TLS C-FINDs: %s%n", qidoCheck.get("queries"), tlsCheck.get("queries"));
        }
    }

    /** A step of the findscu side of a comparison. */
    interface Step {
        void run() throws Exception;
    }

    /** {hub seconds per run, findscu seconds per run}, interleaved so both see the same machine state. */
    private static double[][] interleaved(int runs, PacsMonitor hub, Step findscu) throws Exception {
        double[][] out = new double[2][runs];
        for (int i = 0; i < runs; i++) {
            long s = System.nanoTime();
            hub.reconcile("src->dst");
            out[0][i] = (System.nanoTime() - s) / 1e9;
            s = System.nanoTime();
            findscu.run();
            out[1][i] = (System.nanoTime() - s) / 1e9;
        }
        return out;
    }

    /** Orthanc's DICOM TLS settings, no client certificate required. */
    private static Map<String, Object> tlsConfig(Path pki, String name) {
        return Map.of(
                "DicomTlsEnabled",
                true,
                "DicomTlsCertificate",
                pki.resolve(name + ".crt").toString(),
                "DicomTlsPrivateKey",
                pki.resolve(name + ".key").toString(),
                "DicomTlsTrustedCertificates",
                pki.resolve("ca.pem").toString(),
                "DicomTlsRemoteCertificateRequired",
                false);
    }

    private static List<String> load(OrthancPeer src, int n, String today) throws Exception {
        return load(src, n, today, k -> "CT");
    }

    /**
     * Creates {@code n} one-instance studies of {@code today} on {@code src} over its REST API, 8 at a time;
     * study {@code k} has the modality {@code modality.apply(k)}.
     *
     * @return Orthanc's ids of the studies, in order
     */
    static List<String> load(OrthancPeer src, int n, String today, IntFunction<String> modality) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<String>> f = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = i;
            f.add(pool.submit(() -> {
                Map<String, String> tags = Map.of(
                        "PatientID",
                        "P" + k,
                        "PatientName",
                        "Bench^" + k,
                        "StudyDate",
                        today,
                        "StudyTime",
                        String.format("%02d%02d%02d", k % 24, k % 60, k / 60 % 60),
                        "AccessionNumber",
                        "B" + k,
                        "Modality",
                        modality.apply(k));
                for (int attempt = 1; ; attempt++) { // Orthanc drops idle keep-alive connections
                    try {
                        return src.createInstance(tags, null).get("ParentStudy").asText();
                    } catch (IOException e) {
                        if (attempt == 3) {
                            throw e;
                        }
                    }
                }
            }));
        }
        List<String> ids = new ArrayList<>();
        for (Future<String> x : f) {
            ids.add(x.get());
        }
        pool.shutdown();
        return ids;
    }

    /** A StudyInstanceUID line of findscu -v output; the value may carry its padding (NUL, PS3.5 §6.2, or a space). */
    private static final Pattern UID = Pattern.compile("\\(0020,000d\\) UI \\[([0-9.]+)[\\x00 ]*\\]");

    static Set<String> findscu(String aet, int port, String date, String... options) throws Exception {
        String out = runFindscu(
                aet, port, options, "StudyDate=" + date, "StudyInstanceUID", "NumberOfStudyRelatedInstances");
        Set<String> uids = new HashSet<>();
        Matcher m = UID.matcher(out);
        while (m.find()) {
            uids.add(m.group(1));
        }
        if (uids.isEmpty()) { // say why rather than print a ratio of nothing
            System.err.println("findscu found no study on " + aet + "; its output begins:\n"
                    + out.substring(0, Math.min(out.length(), 1500)));
        }
        return uids;
    }

    static boolean findscuOne(String aet, int port, String uid) throws Exception {
        return runFindscu(aet, port, new String[0], "StudyInstanceUID=" + uid).contains("(0020,000d)");
    }

    /** One dcmtk findscu run at STUDY level with the given {@code -k} keys; its output. */
    private static String runFindscu(String aet, int port, String[] options, String... keys) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("findscu", "-S"));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of(
                "-aet", "MONITOR", "-aec", aet, "127.0.0.1", Integer.toString(port), "-k", "QueryRetrieveLevel=STUDY"));
        for (String k : keys) {
            cmd.add("-k");
            cmd.add(k);
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("TCP_NODELAY", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        p.waitFor();
        return out;
    }

    static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }
}
