package org.opshub.pacs;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.opshub.state.StateStore;
import org.opshub.state.StateUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-sends missing and incomplete studies from the source to the target by C-MOVE (PS3.4 §C.4.2,
 * Study Root Query/Retrieve Information Model - MOVE): the source is asked to C-STORE the study (or,
 * for an incomplete study whose series were compared, only the series absent or short on the
 * target, one C-MOVE per series) to {@code pacs.forwarding.<pair>.move-destination}.
 *
 * <p>One code path for the three triggers: {@code POST /pacs/missing/{pair}/{studyInstanceUid}/resend}
 * ({@link #resendStudy}), the bot's Resend buttons (the same, and {@link #resendCheck} on a missing-studies
 * alert) and the automatic re-send ({@link #autoResend}). Every move is a row of {@code pacs_resend}
 * (written when it starts, completed when it ends). Moves from one source are capped at
 * {@code max-moves-per-minute} in any minute, counted from those rows whoever triggered them; a move
 * over the cap is not made ({@code rate-limited}) and not recorded. Only studies in the last
 * reconciliation's missing or incomplete lists can be re-sent.
 *
 * <p>Metrics: {@code pacs_resend_total{source,target,result}} (result {@code success}, {@code partial},
 * {@code failed}, {@code timeout}, {@code error}) and {@code pacs_resend_instances_total{source,target}}
 * (completed sub-operations). Logs at INFO name the pair, the trigger and the outcome, never a study
 * or a patient; the StudyInstanceUID is at DEBUG.
 */
public final class PacsResends {
    private static final Logger LOG = LoggerFactory.getLogger(PacsResends.class);
    /** The outcomes of a move, the {@code result} label. */
    public static final List<String> RESULTS = List.of("success", "partial", "failed", "timeout", "error");

    private static final int LISTED = 100;

    private final PacsMonitor monitor;
    private final ResendMover mover;
    private final ResendLog log;
    private final Clock clock;
    private final MeterRegistry registry;
    private final Map<String, Object> sourceLocks = new ConcurrentHashMap<>();
    private volatile String autoError;

    public PacsResends(PacsMonitor monitor, StateStore store, MeterRegistry registry, Clock clock) {
        this.monitor = monitor;
        this.mover = new ResendMover(monitor.client(), monitor.settings());
        this.log = new ResendLog(store);
        this.clock = clock;
        this.registry = registry;
        for (ForwardingCheck c : monitor.settings().checks()) {
            for (String r : RESULTS) {
                PacsMetrics.resend(registry, c, r);
            }
            PacsMetrics.resentInstances(registry, c);
        }
    }

    /**
     * Re-sends one study of a pair to each target of the pair where the last reconciliation has it
     * missing or incomplete.
     *
     * @return {@code pair}, {@code studyInstanceUid}, {@code moves} (each {@link Move#toMap()}) and
     *         {@code answer}: {@code ok} (every move succeeded), {@code partial}, {@code failed},
     *         {@code rate-limited} (with {@code retryAfterSeconds}), {@code not-missing} or {@code unknown-pair}
     */
    public Map<String, Object> resendStudy(String pair, String studyInstanceUid, String trigger) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("pair", pair);
        out.put("studyInstanceUid", studyInstanceUid);
        List<ForwardingCheck> checks = monitor.settings().checks().stream()
                .filter(c -> c.pair().equals(pair))
                .toList();
        List<Move> moves = new ArrayList<>();
        if (!checks.isEmpty()) {
            for (ForwardingCheck c : checks) {
                Reconciliation.Gap gap = gap(c, studyInstanceUid);
                if (gap != null) {
                    moves.add(move(c, gap, false, trigger));
                }
            }
        }
        out.put("answer", checks.isEmpty() ? "unknown-pair" : answer(moves));
        out.put("moves", moves.stream().map(Move::toMap).toList());
        if ("rate-limited".equals(out.get("answer"))) {
            out.put("retryAfterSeconds", 60);
        }
        return out;
    }

    /**
     * Re-sends every study missing or incomplete on one check (a missing-studies alert's button), as far
     * as the per-source cap allows; the rest are left for later.
     *
     * @return as {@link #resendStudy}, with {@code left}: studies not moved because of the cap
     */
    public Map<String, Object> resendCheck(String checkKey, String trigger) {
        ForwardingCheck c = monitor.check(checkKey);
        List<Move> moves = new ArrayList<>();
        int left = 0;
        for (Reconciliation.Gap g : gaps(c)) {
            if (left > 0) {
                left++;
                continue;
            }
            Move m = move(c, g, false, trigger);
            if (m.result().equals("rate-limited")) {
                left++;
            } else {
                moves.add(m);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("pair", c.pair());
        out.put("check", checkKey);
        out.put("answer", moves.isEmpty() && left > 0 ? "rate-limited" : answer(moves));
        out.put("moves", moves.stream().map(Move::toMap).toList());
        out.put("left", left);
        return out;
    }

    /**
     * The automatic re-send of one check ({@code pacs.forwarding.<pair>.auto-resend=true}): each
     * missing or incomplete study first seen at least {@code min-age} ago, whose last move is at least
     * {@code min-age} old and that was moved automatically fewer than {@code max-attempts} times, is
     * moved, oldest first, until the per-source cap is reached.
     *
     * @return the moves made
     */
    public int autoResend(String checkKey) {
        ForwardingCheck c = monitor.check(checkKey);
        if (!c.resend().auto()) {
            return 0;
        }
        try {
            int made = autoResend(c);
            autoError = null;
            return made;
        } catch (StateUnavailableException e) {
            // without the store the cap cannot be kept: nothing moves until it answers again
            if (autoError == null) {
                LOG.warn("Automatic re-send paused: {}", e.getMessage());
            }
            autoError = e.getMessage();
            return 0;
        }
    }

    /**
     * The outcome of a re-send that could not start because the state store does not answer (the cap and
     * the record need it): {@code answer} {@code unavailable}, nothing moved.
     */
    public Map<String, Object> unavailable() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("answer", "unavailable");
        out.put("moves", List.of());
        out.put("error", "the state store does not answer; nothing was moved");
        return out;
    }

    private int autoResend(ForwardingCheck c) {
        List<Reconciliation.Gap> gaps = gaps(c);
        if (gaps.isEmpty()) {
            return 0;
        }
        // the history is one query per run (not one per study), made only when a study is old enough
        List<Reconciliation.Gap> due = due(gaps, () -> history(c), clock.instant(), c.resend());
        int made = 0;
        for (Reconciliation.Gap g : due) {
            Move m = move(c, g, true, "auto");
            if (m.result().equals("rate-limited")) {
                break;
            }
            made++;
        }
        return made;
    }

    /**
     * The automatic re-send's decision, a function without effects: of a check's missing and
     * incomplete studies (oldest first seen first), those first seen at least {@code min-age} before
     * {@code now}, moved automatically fewer than {@code max-attempts} times, and whose last move (if
     * any) is at least {@code min-age} old; in the same order. The caller moves them until the per-source
     * cap says stop.
     *
     * @param history per StudyInstanceUID: {automatic moves, epoch ms of its last move} ({@link ResendLog#history}),
     *     asked for only when a study is old enough
     */
    static List<Reconciliation.Gap> due(
            List<Reconciliation.Gap> gaps,
            Supplier<Map<String, long[]>> history,
            Instant now,
            ForwardingCheck.Resend resend) {
        List<Reconciliation.Gap> out = new ArrayList<>();
        Map<String, long[]> moved = null;
        for (Reconciliation.Gap g : gaps) {
            if (Duration.between(g.firstSeen(), now).compareTo(resend.minAge()) < 0) {
                continue;
            }
            if (moved == null) {
                moved = history.get();
            }
            long[] h = moved.getOrDefault(g.study().studyInstanceUid(), new long[] {0, 0});
            boolean tooOften = h[0] >= resend.maxAttempts();
            boolean tooSoon =
                    h[1] > 0 && now.toEpochMilli() - h[1] < resend.minAge().toMillis();
            if (!tooOften && !tooSoon) {
                out.add(g);
            }
        }
        return out;
    }

    /**
     * The trigger of an API re-send: {@code api:<user>}, the user the access layer verified
     * ({@link org.opshub.web.HttpAccess#USER_HEADER}; never a header the client wrote).
     */
    public String apiTrigger(String verifiedUser) {
        return "api:" + (verifiedUser == null || verifiedUser.isBlank() ? "?" : verifiedUser);
    }

    /** The body of {@code GET /pacs/resends}: the latest 100 moves, newest first. */
    public Map<String, Object> recent() {
        List<Map<String, Object>> list =
                log.recent(LISTED).stream().map(Move::toMap).toList();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("resends", list);
        return out;
    }

    private Reconciliation.Gap gap(ForwardingCheck c, String uid) {
        for (Reconciliation.Gap g : gaps(c)) {
            if (g.study().studyInstanceUid().equals(uid)) {
                return g;
            }
        }
        return null;
    }

    /** The check's missing then incomplete studies of the last reconciliation, oldest first seen first. */
    private List<Reconciliation.Gap> gaps(ForwardingCheck c) {
        Reconciliation r = monitor.state().check(c.key()).last;
        if (r == null) {
            return List.of();
        }
        List<Reconciliation.Gap> all = new ArrayList<>(r.missing());
        all.addAll(r.incomplete());
        all.sort((a, b) -> a.firstSeen().compareTo(b.firstSeen()));
        return all;
    }

    /** Per StudyInstanceUID moved on this check: {automatic moves, epoch ms of its last move}. */
    private Map<String, long[]> history(ForwardingCheck c) {
        return log.history(c.source(), c.target());
    }

    private static String answer(List<Move> moves) {
        if (moves.isEmpty()) {
            return "not-missing";
        }
        if (moves.stream().anyMatch(m -> m.result().equals("rate-limited"))) {
            return "rate-limited";
        }
        if (moves.stream().allMatch(m -> m.result().equals("success"))) {
            return "ok";
        }
        return moves.stream()
                        .anyMatch(
                                m -> m.result().equals("success") || m.result().equals("partial"))
                ? "partial"
                : "failed";
    }

    /**
     * The one code path: checks the per-source cap and records the start (under a lock per source), then
     * associates with the source, sends the C-MOVE(s), records and counts the outcome.
     */
    Move move(ForwardingCheck c, Reconciliation.Gap gap, boolean automatic, String trigger) {
        String uid = gap.study().studyInstanceUid();
        PacsState.SeriesGaps sg = gap.targetInstances() == null
                ? null
                : monitor.state().check(c.key()).series.get(uid);
        List<String> series = sg == null || sg.gaps().isEmpty()
                ? List.of()
                : sg.gaps().stream().map(PacsState.SeriesGap::seriesInstanceUid).toList();
        String level = series.isEmpty() ? "STUDY" : "SERIES";
        Instant started = clock.instant();
        Move.Start start = new Move.Start(c, uid, level, series.size(), trigger, started);
        Long id;
        synchronized (sourceLocks.computeIfAbsent(c.source(), k -> new Object())) {
            long since = started.toEpochMilli() - 60_000;
            id = log.start(
                    c.pair(),
                    c.source(),
                    c.target(),
                    uid,
                    level,
                    series.size(),
                    trigger,
                    automatic,
                    started.toEpochMilli(),
                    since,
                    c.resend().maxMovesPerMinute());
        }
        if (id == null) {
            LOG.debug(
                    "Re-send {} of {} not made: {} moves from {} in the last minute (max-moves-per-minute)",
                    c.key(),
                    uid,
                    c.resend().maxMovesPerMinute(),
                    c.source());
            return start.ended(
                    "rate-limited",
                    null,
                    0,
                    0,
                    0,
                    0,
                    "pacs.forwarding." + c.pair() + ".max-moves-per-minute="
                            + c.resend().maxMovesPerMinute() + " moves from " + c.source()
                            + " were made in the last minute",
                    0);
        }
        Move m = mover.move(start, series);
        try {
            log.finish(id, started.toEpochMilli() + m.durationMs(), m);
        } catch (RuntimeException e) {
            // the move was made: its outcome is still answered and counted; the row stays 'running'
            LOG.warn(
                    "Re-send {} by {} ended {} but could not be recorded: {}",
                    c.key(),
                    trigger,
                    m.result(),
                    e.getMessage());
        }
        PacsMetrics.resend(registry, c, m.result()).increment();
        PacsMetrics.resentInstances(registry, c).increment(m.completed());
        String line = "Re-send {} (pair {}, {} level) by {}: {} (instances sent {}, failed {}){}";
        Object[] args = {
            c.key(),
            c.pair(),
            level,
            trigger,
            m.result(),
            m.completed(),
            m.failed(),
            m.reason() == null ? "" : "; " + m.reason()
        };
        if (m.result().equals("success")) {
            LOG.info(line, args);
        } else {
            LOG.warn(line, args);
        }
        LOG.debug("Re-send {} by {} was of StudyInstanceUID {}", c.key(), trigger, uid);
        return m;
    }
}
