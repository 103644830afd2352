package org.opshub.alerts;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.opshub.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook journal ({@code alert_intake}): every accepted request body is committed here before
 * the hub answers 200, and deleted once its alerts are recorded. Durable means on disk before the
 * 200 (H2 with its write delay 0, PostgreSQL with {@code synchronous_commit=on}); recording happens
 * right after the answer, off the request's path, and again for any row a crash or a failure left.
 */
public final class IntakeStore {
    /** A journal row: its id, the request body, and how often recording it failed. */
    /** A journal row: its id, the request body, failed attempts, and when the request arrived (epoch ms). */
    public record Row(long id, byte[] body, int attempts, long receivedAt) {}

    private static final Logger LOG = LoggerFactory.getLogger(IntakeStore.class);
    private final StateStore store;
    private volatile long waiting;
    /** Rows this process is recording now (queued or in progress): never claimed again by its own retry round. */
    private final Set<Long> recording = ConcurrentHashMap.newKeySet();

    /** Marks a row as being recorded by this process. */
    public void recording(long id) {
        recording.add(id);
    }

    /** Forgets that this process records a row (its claim stays until it runs out). */
    public void forget(long id) {
        recording.remove(id);
    }

    public IntakeStore(StateStore store, MeterRegistry registry) {
        this.store = store;
        AlertMetrics.intakeWaiting(registry, () -> waiting);
    }

    /**
     * Commits a request body, claimed by {@code hub} until {@code until} (epoch ms): the receiving hub
     * records it; after that any leading hub does.
     *
     * @return the row's id
     * @throws org.opshub.state.StateUnavailableException when the store fails (answer 503: nothing was stored)
     */
    public long add(byte[] body, String hub, long now, long until) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO alert_intake (body, received_at, attempts, claimed_by,"
                            + " claimed_until) VALUES (?, ?, 0, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, new String(body, StandardCharsets.UTF_8));
                ps.setLong(2, now);
                ps.setString(3, hub);
                ps.setLong(4, until);
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            }
        });
    }

    /**
     * Claims the rows no hub is recording ({@code hub}'s own claims count as free: a hub that
     * restarts takes up what it left), oldest first, until {@code until}.
     */
    public List<Row> claimDue(String hub, long now, long until, int limit) {
        return store.inTransaction(c -> {
            List<Row> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, body, attempts, received_at FROM alert_intake"
                    + " WHERE claimed_until IS NULL OR claimed_until < ? OR claimed_by = ? ORDER BY id")) {
                ps.setLong(1, now);
                ps.setString(2, hub);
                ps.setMaxRows(limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (!recording.contains(rs.getLong(1))) {
                            out.add(new Row(
                                    rs.getLong(1),
                                    rs.getString(2).getBytes(StandardCharsets.UTF_8),
                                    rs.getInt(3),
                                    rs.getLong(4)));
                        }
                    }
                }
            }
            List<Row> claimed = new ArrayList<>();
            for (Row r : out) {
                if (StateStore.update(
                                c,
                                "UPDATE alert_intake SET claimed_by = ?, claimed_until = ? WHERE id = ?"
                                        + " AND (claimed_until IS NULL OR claimed_until < ? OR claimed_by = ?)",
                                hub,
                                until,
                                r.id(),
                                now,
                                hub)
                        == 1) {
                    claimed.add(r);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM alert_intake");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                waiting = rs.getLong(1);
            }
            return claimed;
        });
    }

    /** Rows whose alerts are recorded, deleted together at the next {@link #flush}. */
    private final List<Long> finished = new ArrayList<>();

    private long lastFlush = System.currentTimeMillis();
    /** Recorded rows waiting for their DELETE that start a flush. */
    static final int FLUSH_ROWS = 64;
    /** A recorded row waits at most this long (ms, while requests come in) before its DELETE. */
    static final long FLUSH_MS = 250;

    /**
     * The row's alerts are recorded: it is deleted, together with the rows recorded just before it
     * (one commit per {@value #FLUSH_ROWS} rows or {@value #FLUSH_MS} ms instead of one per request,
     * which under load halves the commits of recording). A row not deleted yet when the process dies is
     * recorded again after the restart: its alerts are then duplicates ({@code alert_seen}) and queue
     * nothing.
     */
    public void done(long id) {
        // inside a group commit (OneCommitPolicy) the row counts as recorded only once that commits;
        // when it does not, its alerts were not stored and the next retry round records it again
        store.afterCommit(() -> finished(id), () -> recording.remove(id));
    }

    private void finished(long id) {
        boolean due;
        synchronized (finished) {
            finished.add(id);
            due = finished.size() >= FLUSH_ROWS || System.currentTimeMillis() - lastFlush >= FLUSH_MS;
        }
        if (due) {
            flush();
        }
    }

    /** Deletes every recorded row not deleted yet (the retry round calls it first). */
    public void flush() {
        List<Long> batch;
        synchronized (finished) {
            batch = new ArrayList<>(finished);
            finished.clear();
            lastFlush = System.currentTimeMillis();
        }
        if (!batch.isEmpty()) {
            delete(batch);
        }
    }

    private void delete(List<Long> ids) {
        try {
            store.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM alert_intake WHERE id = ?")) {
                    for (long id : ids) {
                        ps.setLong(1, id);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                return null;
            });
            recording.removeAll(ids);
        } catch (RuntimeException e) {
            // recorded already: kept marked as recording so no round records them again in this process;
            // the next flush tries the DELETE again
            synchronized (finished) {
                finished.addAll(0, ids);
            }
            LOG.warn(
                    "{} recorded webhook requests not deleted from the journal yet, tried again at the next flush: {}",
                    ids.size(),
                    e.getMessage());
        }
    }

    /** Recording failed: counted, and free for the next round after {@code until} (epoch ms). */
    public void failed(long id, long until) {
        try {
            store.inTransaction(c -> StateStore.update(
                    c,
                    "UPDATE alert_intake SET attempts = attempts + 1, claimed_until = ?" + " WHERE id = ?",
                    until,
                    id));
        } finally {
            recording.remove(id);
        }
    }
}
