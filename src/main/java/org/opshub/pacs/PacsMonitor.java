package org.opshub.pacs;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
    private final Clock clock;

    /** Creates the monitor on the system clock and registers its gauges on {@code registry}. */
    public PacsMonitor(PacsSettings settings, MeterRegistry registry) {
        this(settings, registry, Clock.systemUTC());
    }

    /** Creates the monitor and registers its gauges on {@code registry}; {@code clock} dates first sightings. */
    public PacsMonitor(PacsSettings settings, MeterRegistry registry, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.client = new DicomClient(settings.scu());
        this.finder = new StudyFinder(client, settings.includePatient());
        PacsMetrics.register(registry, settings, state);
    }

    public PacsSettings settings() {
        return settings;
    }

    DicomClient client() {
        return client;
    }

    /** The study finder of this monitor's client, for other queries of the capability. */
    StudyFinder finder() {
        return finder;
    }

    PacsState state() {
        return state;
    }

    /** Node names, for the echo split. */
    public List<String> nodeNames() {
        return List.copyOf(settings.nodes().keySet());
    }

    /** Check keys ("source->target"), for the reconcile split. */
    public List<String> checkKeys() {
        return settings.checks().stream().map(ForwardingCheck::key).toList();
    }

    /** One line describing the configuration, for the startup log ({@link PacsReports#describe}). */
    public String describe() {
        return PacsReports.describe(settings);
    }

    /** C-ECHOes one node and records {@code pacs_up} and {@code pacs_echo_duration_seconds}. */
    public void echo(String nodeName) {
        PacsNode node = node(nodeName);
        PacsState.Node n = state.node(nodeName);
        String error = null;
        try {
            n.echoSeconds = (node.dicom() != null ? client.echo(node.dicom()) : qidoEcho(node)) / 1e9;
        } catch (DicomException e) {
            error = e.getMessage();
        } catch (RuntimeException e) {
            error = e.toString();
        }
        n.echoOk = error == null;
        markNode(node, error);
    }

    /**
     * The availability check of a QIDO-RS-only node: one search for a single study
     * ({@code GET /studies?limit=1}), the cheapest query the service answers.
     *
     * @return the round trip in nanoseconds
     */
    private static long qidoEcho(PacsNode node) throws DicomException {
        long start = System.nanoTime();
        node.qido().get("/studies", List.of(Map.entry("limit", "1"), Map.entry("includefield", "0020000D")));
        return System.nanoTime() - start;
    }

    /** Reconciles one check without sharing its source listing; see {@link #reconcile(String, Object)}. */
    public void reconcile(String checkKey) {
        reconcile(checkKey, null);
    }

    /**
     * Reconciles one check ("source->target"): the window's C-FIND on the source (made once per round for
     * every check of that source and window), the pair's {@link ForwardingRule} over it
     * ({@link Expectation}: excluded studies counted, series-level studies judged over their forwarded series
     * only), the window's C-FIND on the target, then (only when some settled expected studies are absent
     * from the target's answer) a confirmation of those candidates on the target by StudyInstanceUID, one
     * C-FIND per batch of UIDs ({@link StudyFinder#confirm}); a candidate found there is present, and counted
     * as a date mismatch when its StudyDate/StudyTime lies outside the window. Finally a SERIES-level C-FIND
     * on both sides for each incomplete study whose counts changed since it was last compared. Each side on
     * one association, released at the end (aborted on failure).
     *
     * @param round what identifies this period's run (the route passes the timer's {@code CamelTimerFiredTime}); checks
     *              of one round with the same source and window share one source listing; null: no sharing
     */
    public void reconcile(String checkKey, Object round) {
        ForwardingCheck check = check(checkKey);
        PacsState.Check c = state.check(checkKey);
        long start = System.nanoTime();
        ZonedDateTime now = ZonedDateTime.now(clock.withZone(settings.zone()));
        PacsNode source = node(check.source());
        PacsNode target = node(check.target());
        PacsNode[] at = {source}; // the node being queried, for the error
        StudyQueries src = null;
        StudyQueries dst = null;
        boolean ok = false;
        try {
            src = new StudyQueries.Lazy(() -> StudyQueries.open(source, client, finder, settings.includePatient()));
            int[] seriesQueries = {0, 0};
            int[] listQueries = {0};
            StudyFinder.Listing s = sourceListing(src, source, check, now, round, listQueries);
            PacsState.Node sn = state.node(source.name());
            Expectation e = Expectation.ofSource(
                    check,
                    s.studies(),
                    sn,
                    Expectation.cached(sn.series, src, seriesQueries, 0, now.toInstant()),
                    settings.zone());
            c.modalitiesFromSeries = check.rule().byModality() && !sn.modalitiesInStudy;
            Instant stale = now.toInstant().minus(settings.period().multipliedBy(3));
            sn.series.values().removeIf(x -> x.used().isBefore(stale));
            at[0] = target;
            dst = StudyQueries.open(target, client, finder, settings.includePatient());
            StudyFinder.Listing t = list(dst, target, check, now);
            Map<String, StudyRecord> onTarget = new LinkedHashMap<>(t.studies());
            List<String> candidates =
                    Reconciliation.candidates(e.studies(), onTarget, c.firstSeen, now.toInstant(), check.settle());
            int confirmQueries = 0;
            int mismatch = 0;
            if (!candidates.isEmpty()) {
                PacsState.Node tn = state.node(target.name());
                StudyFinder.Confirmation conf = dst.confirm(
                        candidates,
                        onTarget.isEmpty() ? null : onTarget.keySet().iterator().next(),
                        tn.listMatching);
                if (tn.listMatching && !conf.listMatching()) {
                    LOG.warn(
                            "PACS node {} does not match lists of StudyInstanceUIDs; confirming one UID per query",
                            target.name());
                }
                tn.listMatching = conf.listMatching();
                confirmQueries = conf.queries();
                for (StudyRecord r : conf.found().values()) {
                    if (!check.window().includes(r, now)) {
                        mismatch++;
                    }
                    onTarget.put(r.studyInstanceUid(), r);
                }
            }
            StudyQueries onDst = dst;
            Map<String, Map<String, StudyFinder.SeriesRecord>> targetSeries = e.judgeTarget(
                    onTarget, Expectation.cached(c.targetSeries, onDst, seriesQueries, 1, now.toInstant()));
            c.targetSeries.values().removeIf(x -> x.used().isBefore(stale));
            Reconciliation r =
                    Reconciliation.compare(e.studies(), onTarget, c.firstSeen, now.toInstant(), check.settle());
            compareSeries(c, r, e, targetSeries, src, dst, seriesQueries, at, source, target);
            if (check.commitment().enabled()) { // what Storage Commitment reads; not kept otherwise
                c.complete = List.copyOf(
                        Reconciliation.complete(e.studies(), onTarget, c.firstSeen, now.toInstant(), check.settle()));
                c.expectedSeries = Map.copyOf(e.series());
                c.expected = Set.copyOf(e.studies().keySet());
            }
            c.last = r;
            c.excluded = Map.copyOf(e.excluded());
            c.seriesLevel = e.series().size();
            c.dateMismatch = mismatch;
            c.sourceQueries = listQueries[0] + seriesQueries[0];
            c.targetQueries = t.queries() + confirmQueries + seriesQueries[1];
            c.truncated = s.truncated() || t.truncated();
            c.durationSeconds = (System.nanoTime() - start) / 1e9;
            c.lastSuccess = clock.instant();
            c.lastError = null;
            c.success = true;
            ok = true;
            for (String name : List.of(check.source(), check.target())) {
                if (!state.node(name).queryOk) {
                    state.node(name).queryOk = true;
                    markNode(node(name), null);
                }
            }
            if (!Boolean.TRUE.equals(c.loggedSuccess)) {
                LOG.info(
                        "Forwarding check {} {}: {} studies on source, {} missing, {} incomplete",
                        checkKey,
                        c.loggedSuccess == null ? "ok" : "recovered",
                        r.sourceStudies(),
                        r.missing().size(),
                        r.incomplete().size());
                c.loggedSuccess = true;
            }
            LOG.debug(
                    "Forwarding check {}: {} source studies, {} missing, {} incomplete, {} in flight, {} candidates"
                            + " confirmed, {} date mismatches, C-FIND requests {} on source, {} on target",
                    checkKey,
                    r.sourceStudies(),
                    r.missing().size(),
                    r.incomplete().size(),
                    r.inFlight(),
                    candidates.size(),
                    mismatch,
                    c.sourceQueries,
                    c.targetQueries);
        } catch (DicomException | RuntimeException e) {
            c.durationSeconds = (System.nanoTime() - start) / 1e9;
            c.success = false;
            c.lastError = at[0].name() + ": " + e.getMessage();
            if (e instanceof DicomException) {
                state.node(at[0].name()).queryOk = false;
                markNode(at[0], e.getMessage());
            }
            if (!Boolean.FALSE.equals(c.loggedSuccess)) {
                LOG.warn("Forwarding check {} failing: {}", checkKey, c.lastError);
                c.loggedSuccess = false;
            }
        } finally {
            // released after a complete reconciliation; aborted when anything failed, so nothing leaks
            for (StudyQueries q : new StudyQueries[] {src, dst}) {
                if (q != null) {
                    q.close(ok);
                }
            }
        }
    }

    /**
     * The series comparison of each incomplete study, by a SERIES-level C-FIND on both sides; kept
     * from the last period while the study's counts on both sides are unchanged. A study the rule expects
     * at SERIES level is compared over its expected series, from the series already read. Sets
     * {@code queries[0]} (source) and {@code queries[1]} (target).
     */
    private void compareSeries(
            PacsState.Check c,
            Reconciliation r,
            Expectation e,
            Map<String, Map<String, StudyFinder.SeriesRecord>> targetSeries,
            StudyQueries src,
            StudyQueries dst,
            int[] queries,
            PacsNode[] at,
            PacsNode source,
            PacsNode target)
            throws DicomException {
        Map<String, PacsState.SeriesGaps> kept = new HashMap<>();
        for (Reconciliation.Gap g : r.incomplete()) {
            String uid = g.study().studyInstanceUid();
            if (e.series().containsKey(uid)) {
                List<PacsState.SeriesGap> gaps =
                        Expectation.gaps(e.series().get(uid).values(), targetSeries.getOrDefault(uid, Map.of()));
                kept.put(uid, new PacsState.SeriesGaps(g.study().instances(), g.targetInstances(), gaps));
                continue;
            }
            PacsState.SeriesGaps cached = c.series.get(uid);
            if (cached != null
                    && Objects.equals(cached.sourceInstances(), g.study().instances())
                    && Objects.equals(cached.targetInstances(), g.targetInstances())) {
                kept.put(uid, cached);
                continue;
            }
            at[0] = source;
            Map<String, StudyFinder.SeriesRecord> onSource = src.series(uid);
            queries[0]++;
            at[0] = target;
            Map<String, StudyFinder.SeriesRecord> onTarget = dst.series(uid);
            queries[1]++;
            kept.put(
                    uid,
                    new PacsState.SeriesGaps(
                            g.study().instances(), g.targetInstances(), Expectation.gaps(onSource.values(), onTarget)));
        }
        c.series.keySet().retainAll(kept.keySet());
        c.series.putAll(kept);
    }

    /**
     * The source's window listing: made once per round for all checks with this source and window (the
     * first check of the round lists, the others reuse it; {@code queries[0]} counts only what this check sent).
     */
    private StudyFinder.Listing sourceListing(
            StudyQueries src, PacsNode source, ForwardingCheck check, ZonedDateTime now, Object round, int[] queries)
            throws DicomException {
        PacsState.Node n = state.node(source.name());
        String window = check.window().studyDateKey(now) + " " + check.window();
        PacsState.SharedListing shared = n.listing;
        if (round != null && shared != null && round.equals(shared.round()) && window.equals(shared.window())) {
            return shared.listing();
        }
        StudyFinder.Listing l = list(src, source, check, now);
        queries[0] = l.queries();
        n.listing = round == null ? null : new PacsState.SharedListing(round, window, l);
        return l;
    }

    private StudyFinder.Listing list(StudyQueries q, PacsNode node, ForwardingCheck check, ZonedDateTime now)
            throws DicomException {
        StudyFinder.Listing l = q.list(check.window().studyDateKey(now), node.maxResults());
        if (l.truncated()) {
            LOG.warn(
                    "{} returned {} or more studies within one second of StudyTime; its list is incomplete",
                    node.name(),
                    node.maxResults());
        }
        Map<String, StudyRecord> inWindow = new LinkedHashMap<>();
        l.studies().forEach((uid, r) -> {
            if (check.window().contains(r, now)) {
                inWindow.put(uid, r);
            }
        });
        return new StudyFinder.Listing(inWindow, l.queries(), l.truncated());
    }

    /** The check of a key ("source->target"). @throws IllegalArgumentException for an unknown one */
    ForwardingCheck check(String checkKey) {
        return settings.checks().stream()
                .filter(c -> c.key().equals(checkKey))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no forwarding check " + checkKey));
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
                LOG.info(
                        "PACS node {} ({}) is {}",
                        node.name(),
                        node.endpoint(),
                        n.loggedUp == null ? "up" : "up again");
            } else {
                LOG.warn("PACS node {} ({}) is down: {}", node.name(), node.endpoint(), error);
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
     * The body of {@code GET /pacs/missing} ({@link PacsReports#missing}): per check, the missing and
     * incomplete studies of the last successful reconciliation.
     */
    public Map<String, Object> missingReport() {
        return PacsReports.missing(settings, state, clock.instant());
    }

    /** Node and check states for {@code /pacs/status} and the bot's {@code /status} ({@link PacsReports#status}). */
    public Map<String, Object> status() {
        return PacsReports.status(settings, state);
    }
}
