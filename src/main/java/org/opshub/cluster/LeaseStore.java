package org.opshub.cluster;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.opshub.state.StateStore;

/**
 * The leases in the state store ({@code cluster_lease}: one row per namespace with its holder, expiry
 * in epoch ms and fencing counter). All of its SQL; {@link LeaseClusterService} decides when to call.
 *
 * @throws org.opshub.state.StateUnavailableException from every method when the store does not answer
 */
final class LeaseStore {
    private final StateStore store;

    LeaseStore(StateStore store) {
        this.store = store;
    }

    /**
     * One round for a namespace, in one transaction: renew the lease until {@code expiresAt} when
     * {@code hubId} holds it with {@code heldFencing} (-1: not held), else take it when it has expired
     * at {@code now} (fencing + 1).
     *
     * @return the lease after the round
     */
    LeaseClusterService.Lease round(String namespace, String hubId, long heldFencing, long now, long expiresAt) {
        return store.inTransaction(c -> {
            StateStore.update(
                    c,
                    "INSERT INTO cluster_lease (namespace, holder, expires_at, fencing) VALUES (?, '', 0, 0)"
                            + " ON CONFLICT DO NOTHING",
                    namespace);
            if (heldFencing >= 0
                    && StateStore.update(
                                    c,
                                    "UPDATE cluster_lease SET expires_at = ? WHERE namespace = ? AND holder = ?"
                                            + " AND fencing = ?",
                                    expiresAt,
                                    namespace,
                                    hubId,
                                    heldFencing)
                            == 1) {
                return new LeaseClusterService.Lease(hubId, expiresAt, heldFencing);
            }
            // a store only one hub can use (embedded H2) has no other hub: a lease someone else holds is
            // this hub's own from before a kill -9 (its id has the HTTP port in it), taken over at once
            // instead of after the lease runs out; a shared store (PostgreSQL) waits for it to expire
            StateStore.update(
                    c,
                    "UPDATE cluster_lease SET holder = ?, expires_at = ?, fencing = fencing + 1 WHERE namespace = ?"
                            + (store.shared() ? " AND expires_at < ?" : " AND (expires_at < ? OR holder <> ?)"),
                    store.shared()
                            ? new Object[] {hubId, expiresAt, namespace, now}
                            : new Object[] {hubId, expiresAt, namespace, now, hubId});
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT holder, expires_at, fencing FROM cluster_lease WHERE namespace = ?")) {
                ps.setString(1, namespace);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new LeaseClusterService.Lease(rs.getString(1), rs.getLong(2), rs.getLong(3));
                }
            }
        });
    }

    /** Gives up the lease {@code hubId} holds with {@code fencing} (expires it now). */
    void release(String namespace, String hubId, long fencing) {
        store.inTransaction(c -> StateStore.update(
                c,
                "UPDATE cluster_lease SET expires_at = 0 WHERE namespace = ? AND holder = ? AND fencing = ?",
                namespace,
                hubId,
                fencing));
    }
}
