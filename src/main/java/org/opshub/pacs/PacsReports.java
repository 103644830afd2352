package org.opshub.pacs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The PACS monitor's reports as JSON-ready maps, functions of its settings and state: {@code GET
 * /pacs/missing} and {@code GET /pacs/status} (and the bot's {@code /missing} and {@code /status}).
 */
final class PacsReports {
    private PacsReports() {}

    /**
     * The body of {@code GET /pacs/missing}: per check, the missing and incomplete studies of
     * the last successful reconciliation. Patient identity only with
     * {@code pacs.missing.include-patient=true}.
     */
    static Map<String, Object> missing(PacsSettings settings, PacsState state, Instant now) {
        List<Object> checks = new ArrayList<>();
        for (ForwardingCheck check : settings.checks()) {
            PacsState.Check c = state.check(check.key());
            Reconciliation r = c.last;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("pair", check.pair());
            m.put("source", check.source());
            m.put("target", check.target());
            m.put("window", check.window().toString());
            m.put("checkSuccess", c.success);
            m.put("lastError", c.lastError);
            m.put("lastSuccess", c.lastSuccess == null ? null : c.lastSuccess.toString());
            m.put("sourceStudies", r == null ? null : r.sourceStudies());
            m.put("inFlight", r == null ? null : r.inFlight());
            // what the pair's rule leaves out, by condition; how many it expects at SERIES level only
            m.put(
                    "excluded",
                    c.excluded.values().stream().mapToInt(Integer::intValue).sum());
            m.put("excludedBy", c.excluded);
            m.put("seriesLevel", c.seriesLevel);
            if (c.modalitiesFromSeries) {
                m.put(
                        "note",
                        check.source() + " returns no ModalitiesInStudy: the rule reads the Modality of each"
                                + " study's series (SERIES-level C-FIND)");
            }
            if (check.commitment().enabled()) {
                PacsCommitments.Summary cs = c.commitment == null ? PacsCommitments.Summary.NONE : c.commitment;
                Map<String, Object> cm = new LinkedHashMap<>();
                cm.put("committed", cs.committed());
                cm.put("pending", cs.pending());
                cm.put("uncommitted", cs.uncommitted());
                cm.put("failed", cs.failed());
                m.put("commitment", cm);
            }
            m.put("truncated", c.truncated);
            m.put("dateMismatch", c.dateMismatch);
            m.put("queries", Map.of("source", c.sourceQueries, "target", c.targetQueries));
            m.put(
                    "missing",
                    r == null
                            ? List.of()
                            : r.missing().stream()
                                    .map(g -> gap(settings, g, null))
                                    .toList());
            m.put(
                    "incomplete",
                    r == null
                            ? List.of()
                            : r.incomplete().stream()
                                    .map(g -> gap(
                                            settings, g, c.series.get(g.study().studyInstanceUid())))
                                    .toList());
            checks.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("generatedAt", now.toString());
        out.put("checks", checks);
        Map<String, Object> nodes = new LinkedHashMap<>();
        for (PacsNode node : settings.nodes().values()) {
            PacsState.Node n = state.node(node.name());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("transport", node.transport());
            m.put("up", n.loggedUp == null ? null : n.up());
            m.put("reason", n.loggedUp == null || n.up() ? null : n.lastError);
            nodes.put(node.name(), m);
        }
        out.put("nodes", nodes);
        return out;
    }

    /** One line describing the configuration, for the startup log. */
    static String describe(PacsSettings settings) {
        if (settings.nodes().isEmpty()) {
            return "PACS monitor idle: no PACS nodes configured (set pacs.nodes.<name>.host, .port and .ae-title)";
        }
        return "PACS monitor: " + settings.nodes().size() + " node(s) "
                + settings.nodes().values().stream()
                        .map(n -> n.name() + "=" + n.endpoint())
                        .collect(Collectors.joining(", "))
                + "; " + settings.checks().size() + " forwarding check(s) "
                + settings.checks().stream()
                        .map(c -> c.key() + " [window " + c.window() + ", settle " + c.settle()
                                + c.rule().describe() + "]")
                        .collect(Collectors.joining(", "))
                + "; calling AE " + settings.scu().callingAeTitle() + ", every " + settings.period();
    }

    /** Node and check states for {@code /pacs/status} and the bot's {@code /status}. */
    static Map<String, Object> status(PacsSettings settings, PacsState state) {
        Map<String, Object> nodes = new LinkedHashMap<>();
        for (PacsNode node : settings.nodes().values()) {
            PacsState.Node n = state.node(node.name());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("aeTitle", node.dicom() == null ? null : node.dicom().aeTitle());
            m.put("transport", node.transport());
            m.put("up", n.loggedUp == null ? null : n.up());
            m.put("echoSeconds", n.echoSeconds);
            m.put("lastError", n.lastError);
            nodes.put(node.name(), m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("nodes", nodes);
        return out;
    }

    private static Map<String, Object> gap(PacsSettings settings, Reconciliation.Gap g, PacsState.SeriesGaps series) {
        StudyRecord s = g.study();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("studyInstanceUid", s.studyInstanceUid());
        m.put("studyDate", s.studyDate());
        m.put("studyTime", s.studyTime());
        m.put("accessionNumber", s.accessionNumber());
        m.put("modalities", s.modalities());
        m.put("sourceInstances", s.instances());
        m.put("targetInstances", g.targetInstances());
        m.put("firstSeen", g.firstSeen().toString());
        if (series != null) {
            m.put(
                    "series",
                    series.gaps().stream()
                            .map(sg -> {
                                Map<String, Object> x = new LinkedHashMap<>();
                                x.put("seriesInstanceUid", sg.seriesInstanceUid());
                                x.put("modality", sg.modality());
                                x.put("seriesNumber", sg.seriesNumber());
                                x.put("sourceInstances", sg.sourceInstances());
                                x.put("targetInstances", sg.targetInstances());
                                return x;
                            })
                            .toList());
        }
        if (settings.includePatient()) {
            m.put("patientId", s.patientId());
            m.put("patientName", s.patientName());
        }
        return m;
    }
}
