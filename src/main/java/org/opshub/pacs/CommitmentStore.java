package org.opshub.pacs;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.opshub.state.StateStore;

/**
 * Storage Commitment requests and their results in the state store ({@code pacs_commitment}): one row per
 * N-ACTION, keyed by the Transaction UID opshub generated for it. All of its SQL; {@link PacsCommitments}
 * decides what to ask and what a report means.
 *
 * @throws org.opshub.state.StateUnavailableException from every method when the store does not answer
 */
final class CommitmentStore {
    private final StateStore store;

    CommitmentStore(StateStore store) {
        this.store = store;
    }

    /**
     * One request and what became of it.
     *
     * @param expected the SOP Instance UIDs asked for, one per line
     * @param state    pending, committed, failed or uncommitted
     * @param failures the failed instances, one {@code uid reason} per line, or null
     */
    record Row(
            String transactionUid,
            String checkKey,
            String targetAe,
            String studyUid,
            int attempt,
            int instances,
            String expected,
            long requestedAt,
            String state,
            Long reportedAt,
            String failures) {}

    /** Records a request just sent. */
    void requested(Row r) {
        store.inTransaction(conn -> StateStore.update(
                conn,
                "INSERT INTO pacs_commitment (transaction_uid, check_key, target_ae, study_uid, attempt, instances,"
                        + " expected, requested_at, state) VALUES (?,?,?,?,?,?,?,?,'pending')",
                r.transactionUid(),
                r.checkKey(),
                r.targetAe(),
                r.studyUid(),
                r.attempt(),
                r.instances(),
                r.expected(),
                r.requestedAt()));
    }

    /** The request of a Transaction UID, or null. */
    Row byTransaction(String transactionUid) {
        return store.inTransaction(conn -> {
            List<Row> rows = select(conn.prepareStatement(SELECT + " WHERE transaction_uid = ?"), transactionUid);
            return rows.isEmpty() ? null : rows.get(0);
        });
    }

    /**
     * Records a report of a pending request.
     *
     * @return false when the request is not pending any more (reported before, or timed out)
     */
    boolean reported(String transactionUid, String state, long at, String failures) {
        return store.inTransaction(conn -> StateStore.update(
                        conn,
                        "UPDATE pacs_commitment SET state = ?, reported_at = ?, failures = ?"
                                + " WHERE transaction_uid = ? AND state = 'pending'",
                        state,
                        at,
                        failures,
                        transactionUid)
                > 0);
    }

    /** Marks the check's requests pending since before {@code before} (epoch ms) uncommitted; how many. */
    int expire(String checkKey, long before) {
        return store.inTransaction(conn -> StateStore.update(
                conn,
                "UPDATE pacs_commitment SET state = 'uncommitted'"
                        + " WHERE check_key = ? AND state = 'pending' AND requested_at < ?",
                checkKey,
                before));
    }

    /** The check's requests made since {@code since} (epoch ms), oldest first. */
    List<Row> since(String checkKey, long since) {
        return store.inTransaction(conn -> select(
                conn.prepareStatement(SELECT + " WHERE check_key = ? AND requested_at >= ? ORDER BY requested_at"),
                checkKey,
                since));
    }

    private static final String SELECT = "SELECT transaction_uid, check_key, target_ae, study_uid, attempt,"
            + " instances, expected, requested_at, state, reported_at, failures FROM pacs_commitment";

    private static List<Row> select(PreparedStatement ps, Object... args) throws SQLException {
        try (ps) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<Row> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long reported = rs.getLong(10);
                    out.add(new Row(
                            rs.getString(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getInt(5),
                            rs.getInt(6),
                            rs.getString(7),
                            rs.getLong(8),
                            rs.getString(9),
                            rs.wasNull() ? null : reported,
                            rs.getString(11)));
                }
            }
            return out;
        }
    }
}
