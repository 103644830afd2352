package org.opshub.pacs;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.MeterRegistry;
import org.opshub.dicom.Association;
import org.opshub.dicom.Pdu;
import org.opshub.dicom.DicomClient;
import org.opshub.dicom.DicomException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PACS forwarding monitor's state bean, called by {@code routes/pacs-forwarding.yaml}:
 * C-ECHO of each node, reconciliation of each forwarding check, and the missing-studies report.
 *
 * <p>Failures never escape: a node that is down or fails mid-query sets its {@code pacs_up} to 0
 * and the check's {@code pacs_forwarding_check_success} to 0, keeps the check's other gauges at
 * their last values and logs one line per state change. Associations are always released or
 * aborted, so nothing leaks; the next period retries by itself.
 */
public final class PacsMonitor {
    private static final Logger LOG = LoggerFactory.getLogger(PacsMonitor.class);

    private final PacsSettings settings;
    private final DicomClient client;
    private final StudyFinder finder;
    private final PacsState state = new PacsState();

    /** Creates the monitor and registers its gauges on {@code registry}. */
    public PacsMonitor(PacsSettings settings, MeterRegistry registry) {
        this.settings = settings;
        this.client = new DicomClient(settings.scu());
        this.finder = new StudyFinder(client, settings.includePatient());
        PacsMetrics.register(registry, settings, state);
    }

    public PacsSettings settings() {
        return settings;
    }

    /** Node names, for the echo split. */
    public List<String> nodeNames() {
        return List.copyOf(settings.nodes().keySet());
    }

    /** Check keys ("source->target"), for the reconcile split. */
    public List<String> checkKeys() {
        return settings.checks().stream().map(ForwardingCheck::key).toList();
    }

    /** One line describing the configuration, for the startup log. */
    public String describe() {
        if (settings.nodes().isEmpty()) {
            return "PACS monitor idle: no PACS nodes configured (set pacs.nodes.<name>.host, .port and .ae-title)";
        }
        return "PACS monitor: " + settings.nodes().size() + " node(s) " + settings.nodes().values().stream()
                .map(n -> n.name() + "=" + n.dicom()).collect(Collectors.joining(", "))
                + "; " + settings.checks().size() + " forwarding check(s) " + settings.checks().stream()
                .map(c -> c.key() + " [window " + c.window() + ", settle " + c.settle() + "]")
                .collect(Collectors.joining(", "))
                + "; calling AE " + settings.scu().callingAeTitle() + ", every " + settings.period();
    }

    /** C-ECHOes one node and records {@code pacs_up} and {@code pacs_echo_duration_seconds}. */
    public void echo(String nodeName) {
        PacsNode node = node(nodeName);
        PacsState.Node n = state.node(nodeName);
        String error = null;
        try {
            n.echoSeconds = client.echo(node.dicom()) / 1e9;
        } catch (DicomException e) {
            error = e.getMessage();
        } catch (RuntimeException e) {
            error = e.toString();
        }
        n.echoOk = error == null;
        markNode(node, error);
    }

    /** Reconciles one check ("source->target"), both C-FINDs on fresh associations. */
    public void reconcile(String checkKey) {
        ForwardingCheck check = settings.checks().stream().filter(c -> c.key().equals(checkKey)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no forwarding check " + checkKey));
        PacsState.Check c = state.check(checkKey);
        long start = System.nanoTime();
        ZonedDateTime now = ZonedDateTime.now(settings.zone());
        PacsNode current = node(check.source());
        try {
            StudyFinder.Listing source = list(current, check, now);
            current = node(check.target());
            StudyFinder.Listing target = list(current, check, now);
            c.last = Reconciliation.compare(source.studies(), target.studies(), c.firstSeen, now.toInstant(),
                    check.settle());
            c.truncated = source.truncated() || target.truncated();
            c.durationSeconds = (System.nanoTime() - start) / 1e9;
            c.lastSuccess = Instant.now();
            c.lastError = null;
            c.success = true;
            for (String name : List.of(check.source(), check.target())) {
                if (!state.node(name).queryOk) {
                    state.node(name).queryOk = true;
                    markNode(node(name), null);
                }
            }
            if (!Boolean.TRUE.equals(c.loggedSuccess)) {
                LOG.info("Forwarding check {} {}: {} studies on source, {} missing, {} incomplete",
                        checkKey, c.loggedSuccess == null ? "ok" : "recovered",
                        c.last.sourceStudies(), c.last.missing().size(), c.last.incomplete().size());
                c.loggedSuccess = true;
            }
            LOG.debug("Forwarding check {}: {} source studies, {} missing, {} incomplete, {} in flight, {} queries",
                    checkKey, c.last.sourceStudies(), c.last.missing().size(), c.last.incomplete().size(),
                    c.last.inFlight(), source.queries() + target.queries());
        } catch (DicomException | RuntimeException e) {
            c.durationSeconds = (System.nanoTime() - start) / 1e9;
            c.success = false;
            c.lastError = current.name() + ": " + e.getMessage();
            if (e instanceof DicomException) {
                state.node(current.name()).queryOk = false;
                markNode(current, e.getMessage());
            }
            if (!Boolean.FALSE.equals(c.loggedSuccess)) {
                LOG.warn("Forwarding check {} failing: {}", checkKey, c.lastError);
                c.loggedSuccess = false;
            }
        }
    }

    private StudyFinder.Listing list(PacsNode node, ForwardingCheck check, ZonedDateTime now) throws DicomException {
        Association as = client.openStudyRootFind(node.dicom());
        boolean ok = false;
        try {
            StudyFinder.Listing l = finder.list(as, check.window().studyDateKey(now), node.maxResults());
            if (l.truncated()) {
                LOG.warn("{} returned {} or more studies within one second of StudyTime; its list is incomplete",
                        node.name(), node.maxResults());
            }
            Map<String, StudyRecord> inWindow = new LinkedHashMap<>();
            l.studies().forEach((uid, r) -> {
                if (check.window().contains(r, now)) {
                    inWindow.put(uid, r);
                }
            });
            ok = true;
            return new StudyFinder.Listing(inWindow, l.queries(), l.truncated());
        } finally {
            // released after a complete listing; aborted when anything failed, so nothing leaks
            if (ok) {
                as.release();
            } else {
                as.abort(Pdu.ABORT_SOURCE_USER, 0);
            }
        }
    }

    /**
     * Recomputes a node's {@code pacs_up}: its last C-ECHO succeeded and no query on it failed
     * since its last successful one. Logs only when that changes.
     */
    private void markNode(PacsNode node, String error) {
        PacsState.Node n = state.node(node.name());
        boolean up = n.up();
        if (error != null || up) {
            n.lastError = error;
        }
        if (!Boolean.valueOf(up).equals(n.loggedUp)) {
            if (up) {
                LOG.info("PACS node {} ({}) is {}", node.name(), node.dicom(), n.loggedUp == null ? "up" : "up again");
            } else {
                LOG.warn("PACS node {} ({}) is down: {}", node.name(), node.dicom(), error);
            }
            n.loggedUp = up;
        }
    }

    private PacsNode node(String name) {
        PacsNode node = settings.nodes().get(name);
        if (node == null) {
            throw new IllegalArgumentException("no PACS node " + name);
        }
        return node;
    }

    /**
     * The body of {@code GET /pacs/missing}: per check, the missing and incomplete studies of
     * the last successful reconciliation. Patient identity only with
     * {@code pacs.missing.include-patient=true}.
     */
    public Map<String, Object> missingReport() {
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
            m.put("truncated", c.truncated);
            m.put("missing", r == null ? List.of() : r.missing().stream().map(this::gap).toList());
            m.put("incomplete", r == null ? List.of() : r.incomplete().stream().map(this::gap).toList());
            checks.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("generatedAt", Instant.now().toString());
        out.put("checks", checks);
        return out;
    }

    /** Node and check states for {@code /pacs/status} and the bot's {@code /status}. */
    public Map<String, Object> status() {
        Map<String, Object> nodes = new LinkedHashMap<>();
        for (PacsNode node : settings.nodes().values()) {
            PacsState.Node n = state.node(node.name());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("aeTitle", node.dicom().aeTitle());
            m.put("up", n.loggedUp == null ? null : n.up());
            m.put("echoSeconds", n.echoSeconds);
            m.put("lastError", n.lastError);
            nodes.put(node.name(), m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("nodes", nodes);
        return out;
    }

    private Map<String, Object> gap(Reconciliation.Gap g) {
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
        if (settings.includePatient()) {
            m.put("patientId", s.patientId());
            m.put("patientName", s.patientName());
        }
        return m;
    }
}
