package org.opshub.pacs;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.opshub.state.StateStore;

/**
 * The re-send log in the state store ({@code pacs_resend}): one row per C-MOVE re-send of a missing
 * or incomplete study, whoever triggered it, written when it starts and again when it ends. All of
 * its SQL; {@link PacsResends} decides what to move.
 *
 * @throws org.opshub.state.StateUnavailableException from every method when the store does not answer
 */
final class ResendLog {
    private final StateStore store;

    ResendLog(StateStore store) {
        this.store = store;
    }

    /**
     * Records the start of a move, unless {@code maxPerMinute} moves from {@code source} started
     * after {@code since} (epoch ms): then nothing is written.
     *
     * @return the row's id, or null when the per-source cap holds
     */
    Long start(
            String pair,
            String source,
            String target,
            String studyUid,
            String level,
            int series,
            String trigger,
            boolean automatic,
            long startedAt,
            long since,
            int maxPerMinute) {
        return store.inTransaction(conn -> {
            try (PreparedStatement ps =
                    conn.prepareStatement("SELECT COUNT(*) FROM pacs_resend WHERE source = ? AND started_at > ?")) {
                ps.setString(1, source);
                ps.setLong(2, since);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) >= maxPerMinute) {
                        return null;
                    }
                }
            }
            try (PreparedStatement ps = conn.prepareStatement(
                    "INSERT INTO pacs_resend (pair, source, target,"
                            + " study_uid, level, series, trigger_by, automatic, started_at, result, completed, failed, warning,"
                            + " remaining) VALUES (?,?,?,?,?,?,?,?,?,'running',0,0,0,0)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, pair);
                ps.setString(2, source);
                ps.setString(3, target);
                ps.setString(4, studyUid);
                ps.setString(5, level);
                ps.setInt(6, series);
                ps.setString(7, ResendMover.clip(trigger, 255));
                ps.setBoolean(8, automatic);
                ps.setLong(9, startedAt);
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            }
        });
    }

    /** Records the outcome of the move {@code id}, ended at {@code finishedAt} (epoch ms). */
    void finish(long id, long finishedAt, Move m) {
        store.inTransaction(conn -> StateStore.update(
                conn,
                "UPDATE pacs_resend SET finished_at = ?, result = ?,"
                        + " status = ?, completed = ?, failed = ?, warning = ?, remaining = ?, reason = ? WHERE id = ?",
                finishedAt,
                m.result(),
                m.status(),
                m.completed(),
                m.failed(),
                m.warning(),
                m.remaining(),
                ResendMover.clip(m.reason(), 1000),
                id));
    }

    /** The latest {@code limit} moves, newest first (a move still running has duration -1). */
    List<Move> recent(int limit) {
        return store.inTransaction(conn -> {
            List<Move> rows = new ArrayList<>();
            try (PreparedStatement ps = conn.prepareStatement("SELECT pair, source, target, study_uid, level, series,"
                    + " trigger_by, result, status, completed, failed, warning, remaining, reason, started_at, finished_at"
                    + " FROM pacs_resend ORDER BY id DESC")) {
                ps.setMaxRows(limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int status = rs.getInt(9);
                        Integer st = rs.wasNull() ? null : status;
                        long finished = rs.getLong(16);
                        long duration = rs.wasNull() ? -1 : finished - rs.getLong(15);
                        rows.add(new Move(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getString(4),
                                rs.getString(5),
                                rs.getInt(6),
                                rs.getString(7),
                                rs.getString(8),
                                st,
                                rs.getInt(10),
                                rs.getInt(11),
                                rs.getInt(12),
                                rs.getInt(13),
                                rs.getString(14),
                                Instant.ofEpochMilli(rs.getLong(15)),
                                duration));
                    }
                }
            }
            return rows;
        });
    }

    /** Per StudyInstanceUID moved from {@code source} to {@code target}: {automatic moves, epoch ms of its last move}. */
    Map<String, long[]> history(String source, String target) {
        return store.inTransaction(conn -> {
            Map<String, long[]> out = new HashMap<>();
            try (PreparedStatement ps = conn.prepareStatement("SELECT study_uid,"
                    + " SUM(CASE WHEN automatic THEN 1 ELSE 0 END), MAX(started_at)"
                    + " FROM pacs_resend WHERE source = ? AND target = ? GROUP BY study_uid")) {
                ps.setString(1, source);
                ps.setString(2, target);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
                    }
                }
            }
            return out;
        });
    }
}
