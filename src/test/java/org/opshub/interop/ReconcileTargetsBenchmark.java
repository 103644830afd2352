package org.opshub.interop;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import org.opshub.pacs.PacsMonitor;
import org.opshub.pacs.PacsSettings;

/**
 * Benchmark (scripts/bench-reconcile.sh [studies] [targets], not a test): one source and N targets with a
 * forwarding rule on ({@code modalities=CT,MR}; 70 % CT, 20 % MR, 10 % CR on the source, every CT and MR
 * study forwarded). The N targets are one Orthanc answering under N AE titles, so that the load stays
 * one store: the hub's queries are the same as to N archives. Measures, interleaved, one period of the hub
 * (N reconciliations sharing the source's window C-FIND) beside the equivalent findscu runs (one on the
 * source, one per target, and the set differences), and prints the hub JVM's peak RSS (VmHWM).
 */
public final class ReconcileTargetsBenchmark {
    public static void main(String[] args) throws Exception {
        int studies = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int targets = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        int runs = 5;
        Path dir = Files.createTempDirectory("opshub-bench");
        String today = LocalDate.now(ZoneOffset.UTC).format(DateTimeFormatter.BASIC_ISO_DATE);
        try (OrthancPeer src = new OrthancPeer(
                        dir,
                        "SRC",
                        18042,
                        14242,
                        Map.of(),
                        Map.of("DST", Map.of("AET", "DST", "Host", "127.0.0.1", "Port", 14243)));
                OrthancPeer dst =
                        new OrthancPeer(dir, "DST", 18043, 14243, Map.of("DicomCheckCalledAet", false), Map.of())) {
            src.start();
            dst.start();
            long t0 = System.nanoTime();
            List<String> forwarded = load(src, studies, today);
            for (int i = 0; i < forwarded.size(); i += 250) { // one synchronous store job per part
                src.store(
                        "DST",
                        forwarded
                                .subList(i, Math.min(forwarded.size(), i + 250))
                                .toArray());
            }
            System.out.printf(
                    "loaded %d studies on SRC, forwarded the %d CT and MR ones in %.1f s%n",
                    studies, forwarded.size(), (System.nanoTime() - t0) / 1e9);

            Map<String, String> p = new HashMap<>(Map.of(
                    "pacs.timezone", "UTC",
                    "pacs.nodes.src.host", "127.0.0.1",
                    "pacs.nodes.src.port", "14242",
                    "pacs.nodes.src.ae-title", "SRC"));
            List<String> keys = new ArrayList<>();
            for (int t = 1; t <= targets; t++) {
                p.put("pacs.nodes.t" + t + ".host", "127.0.0.1");
                p.put("pacs.nodes.t" + t + ".port", "14243");
                p.put("pacs.nodes.t" + t + ".ae-title", "T" + t);
                p.put("pacs.forwarding.p" + t + ".source", "src");
                p.put("pacs.forwarding.p" + t + ".target", "t" + t);
                p.put("pacs.forwarding.p" + t + ".settle", "PT0S");
                p.put("pacs.forwarding.p" + t + ".modalities", "CT,MR");
                keys.add("src->t" + t);
            }
            PacsMonitor hub = new PacsMonitor(PacsSettings.from(p.keySet(), p::get), new SimpleMeterRegistry());

            double[] hubTimes = new double[runs];
            double[] findscuTimes = new double[runs];
            int findscuMissing = -1;
            for (int i = 0; i < runs; i++) { // interleaved, so both see the same machine state
                long s = System.nanoTime();
                Object round = "round-" + i;
                for (String k : keys) {
                    hub.reconcile(k, round);
                }
                hubTimes[i] = (System.nanoTime() - s) / 1e9;
                s = System.nanoTime();
                Set<String> a = ReconcileBenchmark.findscu("SRC", 14242, today);
                for (int t = 1; t <= targets; t++) {
                    Set<String> missing = new HashSet<>(a);
                    missing.removeAll(ReconcileBenchmark.findscu("T" + t, 14243, today));
                    findscuMissing = missing.size();
                }
                findscuTimes[i] = (System.nanoTime() - s) / 1e9;
            }
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> checks =
                    (List<Map<String, Object>>) hub.missingReport().get("checks");
            Map<String, Object> first = checks.get(0);
            double hub50 = ReconcileBenchmark.median(hubTimes);
            double findscu50 = ReconcileBenchmark.median(findscuTimes);
            System.out.println();
            System.out.printf(
                    "| %d studies, %d target(s), rule modalities=CT,MR | missing | excluded | C-FIND requests (source, target) | seconds (median of %d) |%n",
                    studies, targets, runs);
            System.out.println("|---|---|---|---|---|");
            System.out.printf(
                    "| opshub: one period, %d reconciliation(s) sharing the source's C-FIND | %s | %s | %s | %.3f |%n",
                    targets,
                    ((List<?>) first.get("missing")).size(),
                    first.get("excluded"),
                    sourceAndTargetQueries(checks),
                    hub50);
            System.out.printf(
                    "| findscu: 1 on the source + %d on the target(s), set differences | %d | (all CR counted missing) | %d, %d | %.3f |%n",
                    targets, findscuMissing, 1, targets, findscu50);
            System.out.printf("ratio hub / findscu = %.2f%n", hub50 / findscu50);
            System.out.printf("hub JVM peak RSS (VmHWM) = %s%n", peakRss());
        }
    }

    /** "1, N" summed over the checks: window, confirmation and series C-FINDs on each side. */
    private static String sourceAndTargetQueries(List<Map<String, Object>> checks) {
        int source = 0;
        int target = 0;
        for (Map<String, Object> c : checks) {
            @SuppressWarnings("unchecked")
            Map<String, Object> q = (Map<String, Object>) c.get("queries");
            source += (Integer) q.get("source");
            target += (Integer) q.get("target");
        }
        return source + ", " + target;
    }

    private static String peakRss() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                long kb = Long.parseLong(line.replaceAll("\\D", ""));
                return String.format("%.0f MiB", kb / 1024.0);
            }
        }
        return "?";
    }

    /** Studies on SRC: 70 % CT, 20 % MR, 10 % CR; returns Orthanc's ids of the CT and MR ones. */
    private static List<String> load(OrthancPeer src, int n, String today) throws Exception {
        IntFunction<String> modality = k -> k % 10 == 9 ? "CR" : k % 10 >= 7 ? "MR" : "CT";
        List<String> all = ReconcileBenchmark.load(src, n, today, modality);
        List<String> forwarded = new ArrayList<>();
        for (int k = 0; k < all.size(); k++) {
            if (!modality.apply(k).equals("CR")) {
                forwarded.add(all.get(k));
            }
        }
        return forwarded;
    }
}
