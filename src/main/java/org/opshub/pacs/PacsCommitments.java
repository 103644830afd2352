package org.opshub.pacs;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.opshub.dicom.Association;
import org.opshub.dicom.DicomClient;
import org.opshub.dicom.DicomException;
import org.opshub.dicom.DicomNode;
import org.opshub.dicom.DicomProtocolException;
import org.opshub.dicom.DicomScp;
import org.opshub.dicom.DicomTls;
import org.opshub.dicom.Pdu;
import org.opshub.dicom.StorageCommitment;
import org.opshub.dicom.UID;
import org.opshub.state.StateStore;
import org.opshub.state.StateUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Storage Commitment as the proof of arrival (PS3.4 Annex J), for the checks whose pair sets
 * {@code commitment=true}; bean {@code pacsCommitments}, called by {@code routes/pacs-forwarding.yaml} after
 * each reconciliation. For every study the check expects that the target holds whole and settled, and that
 * is not committed, failed or asked {@code commitment-retries} times already, it lists the SOP instances on
 * the source (IMAGE-level C-FIND; of a series-level study only its expected series), asks the target to commit
 * them (N-ACTION with a new Transaction UID, the request stored first) and takes the N-EVENT-REPORT on that
 * association or on one the target opens to opshub's SCP ({@link DicomScp}, {@code pacs.scp.*}). A study is
 * committed when every expected instance is in the success list; failed when the report names failures or
 * leaves instances out; uncommitted when no report came within {@code commitment-timeout}.
 */
public final class PacsCommitments implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PacsCommitments.class);
    /** Studies asked per check and period at most, so that a first run over a full window stays bounded. */
    static final int MAX_REQUESTS_PER_PERIOD = 100;
    /** How long the requesting association waits for reports the target sends on it. */
    static final Duration SAME_ASSOCIATION_WAIT = Duration.ofSeconds(1);

    /**
     * A check's commitment state over its window's expected studies, for gauges and reports.
     *
     * @param uncommitted per study: StudyInstanceUID, requests made, last request
     * @param failed      per study: StudyInstanceUID and the failed instances with their Failure Reason
     */
    public record Summary(
            int committed, int pending, List<Map<String, Object>> uncommitted, List<Map<String, Object>> failed) {
        static final Summary NONE = new Summary(0, 0, List.of(), List.of());
    }

    private final PacsMonitor monitor;
    private final PacsSettings settings;
    private final CommitmentStore store;
    private final Clock clock;
    private final DicomScp scp;
    private final DicomScp tlsScp;

    /**
     * Registers the gauges of each committing check and starts the SCP when some pair asks for commitment.
     *
     * @throws IllegalArgumentException naming {@code pacs.scp.host}/{@code pacs.scp.port} when the SCP cannot bind
     */
    public PacsCommitments(PacsMonitor monitor, StateStore store, MeterRegistry registry, Clock clock) {
        this.monitor = monitor;
        this.settings = monitor.settings();
        this.store = new CommitmentStore(store);
        this.clock = clock;
        for (ForwardingCheck c : settings.checks()) {
            if (c.commitment().enabled()) {
                PacsMetrics.commitment(registry, c, monitor.state().check(c.key()));
            }
        }
        if (!settings.commitment()) {
            scp = null;
            tlsScp = null;
            return;
        }
        PacsSettings.Scp s = settings.scp();
        DicomScp.Settings listen = new DicomScp.Settings(s.host(), s.port(), s.maxAssociations(), s.idleTimeout());
        scp = new DicomScp(listen, monitor.client().settings(), new KnownNodes(settings, false), this::received);
        tlsScp = s.tlsPort() == 0
                ? null
                : new DicomScp(listen, monitor.client().settings(), new KnownNodes(settings, true), this::received);
        try {
            scp.start();
        } catch (IOException e) {
            throw new IllegalArgumentException("pacs.scp.host=" + s.host() + " / pacs.scp.port=" + s.port()
                    + ": the Storage Commitment SCP cannot listen there: " + e.getMessage());
        }
        if (tlsScp != null) {
            try {
                tlsScp.start(DicomTls.serverSocket(
                        s.tlsCaFile(),
                        s.tlsCertFile(),
                        s.tlsKeyFile(),
                        "pacs.scp.",
                        InetAddress.getByName(s.host()),
                        s.tlsPort()));
            } catch (IOException e) {
                scp.close();
                throw new IllegalArgumentException("pacs.scp.host=" + s.host() + " / pacs.scp.tls-port=" + s.tlsPort()
                        + ": the Storage Commitment SCP cannot listen there: " + e.getMessage());
            }
        }
        LOG.info(
                "Storage Commitment SCP {} listening on {}:{}{} for N-EVENT-REPORT from the configured nodes",
                s.aeTitle(),
                s.host(),
                scp.port(),
                tlsScp == null ? "" : " and, over DICOM TLS for the nodes with tls=true, " + tlsScp.port());
    }

    /**
     * Asks for the commitment of the check's complete studies not yet asked (a no-op unless its pair sets
     * {@code commitment=true}); marks the requests without a report after {@code commitment-timeout}
     * uncommitted. Failures are logged and end this period's requests; nothing throws.
     */
    public void commit(String checkKey) {
        ForwardingCheck check = monitor.check(checkKey);
        if (!check.commitment().enabled()) {
            return;
        }
        PacsState.Check c = monitor.state().check(checkKey);
        long now = clock.millis();
        try {
            store.expire(checkKey, now - check.commitment().timeout().toMillis());
            Map<String, CommitmentStore.Row> latest = latest(checkKey, now);
            List<String> ask = new ArrayList<>();
            for (String uid : c.complete) {
                CommitmentStore.Row r = latest.get(uid);
                if (ask.size() < MAX_REQUESTS_PER_PERIOD
                        && (r == null
                                || r.state().equals("uncommitted")
                                        && r.attempt() < check.commitment().retries())) {
                    ask.add(uid);
                }
            }
            if (!ask.isEmpty()) {
                request(check, c, ask, latest, now);
                latest = latest(checkKey, now); // with the requests just made and any report on their association
            }
            c.commitment = summary(c, latest);
            if (c.commitmentFailing) {
                LOG.info("Storage Commitment of {} works again", checkKey);
                c.commitmentFailing = false;
            }
        } catch (StateUnavailableException e) {
            failing(c, checkKey, "paused: the state store does not answer (" + e.getMessage() + ")");
        } catch (DicomException | RuntimeException e) {
            failing(c, checkKey, e.getMessage());
            try {
                c.commitment = summary(c, latest(checkKey, now));
            } catch (StateUnavailableException ignored) {
                // the summary stays as it was; said above
            }
        }
    }

    /** One WARN line when a check's commitment starts failing, none while it goes on failing. */
    private static void failing(PacsState.Check c, String checkKey, String why) {
        if (!c.commitmentFailing) {
            LOG.warn("Storage Commitment of {} failing: {}", checkKey, why);
            c.commitmentFailing = true;
        }
    }

    /** The latest request per study of the check, over the last eight days. */
    private Map<String, CommitmentStore.Row> latest(String checkKey, long now) {
        Map<String, CommitmentStore.Row> latest = new LinkedHashMap<>();
        for (CommitmentStore.Row r :
                store.since(checkKey, now - Duration.ofDays(8).toMillis())) {
            latest.put(r.studyUid(), r);
        }
        return latest;
    }

    private void request(
            ForwardingCheck check,
            PacsState.Check c,
            List<String> studies,
            Map<String, CommitmentStore.Row> latest,
            long now)
            throws DicomException {
        PacsNode source = monitor.settings().nodes().get(check.source());
        DicomNode target = monitor.settings().nodes().get(check.target()).dicom();
        DicomClient client = monitor.client();
        Map<String, List<StorageCommitment.Reference>> refs = new LinkedHashMap<>();
        StudyQueries src = StudyQueries.open(source, client, monitor.finder(), settings.includePatient());
        boolean ok = false;
        try {
            for (String uid : studies) {
                Map<String, StudyFinder.SeriesRecord> series = c.expectedSeries.get(uid);
                List<StorageCommitment.Reference> list = new ArrayList<>();
                for (StudyFinder.InstanceRecord i : src.instances(uid)) {
                    if (series != null && !series.containsKey(i.seriesInstanceUid())) {
                        continue;
                    }
                    if (i.sopClassUid() == null) {
                        throw new DicomException(check.source() + " returns no SOPClassUID (0008,0016) at IMAGE level;"
                                + " Storage Commitment needs it");
                    }
                    list.add(new StorageCommitment.Reference(i.sopClassUid(), i.sopInstanceUid()));
                }
                if (!list.isEmpty()) {
                    refs.put(uid, list);
                }
            }
            ok = true;
        } finally {
            src.close(ok);
        }
        if (refs.isEmpty()) {
            return;
        }
        Association as = Association.open(target, client.settings(), List.of(UID.StorageCommitmentPushModel));
        try {
            for (Map.Entry<String, List<StorageCommitment.Reference>> e : refs.entrySet()) {
                String tx = StorageCommitment.newTransactionUid();
                CommitmentStore.Row before = latest.get(e.getKey());
                store.requested(new CommitmentStore.Row(
                        tx,
                        check.key(),
                        target.aeTitle(),
                        e.getKey(),
                        before == null ? 1 : before.attempt() + 1,
                        e.getValue().size(),
                        String.join(
                                "\n",
                                e.getValue().stream()
                                        .map(StorageCommitment.Reference::sopInstanceUid)
                                        .toList()),
                        now,
                        "pending",
                        null,
                        null));
                try {
                    StorageCommitment.request(as, client.settings(), tx, e.getValue());
                } catch (DicomException ex) {
                    // refused (a failure status) or broken: the request is not pending; retried up to the limit
                    store.reported(tx, "uncommitted", clock.millis(), "N-ACTION: " + ex.getMessage());
                    throw ex;
                }
            }
            // a target may report on the requesting association while it is open (PS3.4 §J.3.3)
            while (as.isOpen() && as.awaitData(SAME_ASSOCIATION_WAIT)) {
                Association.Message m = as.receive(client.settings().dimseTimeout(), "N-EVENT-REPORT");
                StorageCommitment.Report report;
                try {
                    report = StorageCommitment.report(
                            m, as.context(UID.StorageCommitmentPushModel).explicitVr());
                } catch (DicomProtocolException ex) {
                    as.abort(Pdu.ABORT_SOURCE_PROVIDER, Pdu.ABORT_INVALID_PARAMETER);
                    throw new DicomProtocolException("malformed Storage Commitment report from " + target + ": "
                            + ex.getMessage() + "; association aborted, nothing recorded");
                }
                int status = received(target, report);
                as.send(
                        as.context(UID.StorageCommitmentPushModel),
                        StorageCommitment.reportResponse(m.command(), status),
                        null);
            }
            as.release();
        } catch (DicomException | RuntimeException e) {
            as.abort(Pdu.ABORT_SOURCE_USER, 0);
            throw e;
        }
    }

    /**
     * A report from {@code from} (the SCP, or the requesting association): matched to its request by
     * Transaction UID and recorded. A report from another AE than the one asked, or for an unknown or no
     * longer pending transaction, records nothing (logged).
     *
     * @return the N-EVENT-REPORT-RSP status: 0, or 0x0110 (processing failure) when the store does not answer
     */
    int received(DicomNode from, StorageCommitment.Report report) {
        try {
            CommitmentStore.Row row = store.byTransaction(report.transactionUid());
            if (row == null || !row.targetAe().equals(from.aeTitle())) {
                LOG.warn(
                        "Storage Commitment report from {} for {} transaction {}: nothing recorded",
                        from,
                        row == null ? "unknown" : "another AE's",
                        report.transactionUid());
                return 0;
            }
            Set<String> done = new HashSet<>();
            report.committed().forEach(r -> done.add(r.sopInstanceUid()));
            List<String> failures = new ArrayList<>();
            for (StorageCommitment.Failure f : report.failed()) {
                failures.add(f.sopInstanceUid() + " " + f.reasonText());
                done.add(f.sopInstanceUid());
            }
            for (String uid : row.expected().split("\n")) {
                if (!done.contains(uid)) {
                    failures.add(uid + " not in the report");
                }
            }
            String state = failures.isEmpty() ? "committed" : "failed";
            if (!store.reported(
                    report.transactionUid(),
                    state,
                    clock.millis(),
                    failures.isEmpty() ? null : String.join("\n", failures))) {
                LOG.info(
                        "Storage Commitment report from {} for transaction {} came after its timeout",
                        from,
                        report.transactionUid());
            }
            return 0;
        } catch (StateUnavailableException e) {
            LOG.warn("Storage Commitment report from {} not recorded: {}", from, e.getMessage());
            return 0x0110;
        }
    }

    /** The check's commitment state over the studies of its window the rule expects (their latest request). */
    private static Summary summary(PacsState.Check c, Map<String, CommitmentStore.Row> latest) {
        int committed = 0;
        int pending = 0;
        List<Map<String, Object>> uncommitted = new ArrayList<>();
        List<Map<String, Object>> failed = new ArrayList<>();
        for (CommitmentStore.Row r : latest.values()) {
            if (!c.expected.contains(r.studyUid())) {
                continue; // gone from the window
            }
            switch (r.state()) {
                case "committed" -> committed++;
                case "pending" -> pending++;
                case "uncommitted" ->
                    uncommitted.add(Map.of(
                            "studyInstanceUid", r.studyUid(),
                            "requests", r.attempt(),
                            "lastRequest", Instant.ofEpochMilli(r.requestedAt()).toString()));
                default -> {
                    List<Map<String, String>> instances = new ArrayList<>();
                    for (String line :
                            r.failures() == null ? new String[0] : r.failures().split("\n")) {
                        int sp = line.indexOf(' ');
                        instances.add(Map.of(
                                "sopInstanceUid",
                                line.substring(0, Math.max(0, sp)),
                                "reason",
                                line.substring(sp + 1)));
                    }
                    failed.add(Map.of("studyInstanceUid", r.studyUid(), "instances", instances));
                }
            }
        }
        return new Summary(committed, pending, List.copyOf(uncommitted), List.copyOf(failed));
    }

    @Override
    public void close() {
        for (DicomScp x : new DicomScp[] {scp, tlsScp}) {
            if (x != null) {
                x.close();
            }
        }
    }
}
