package org.opshub.cluster;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.camel.CamelContext;
import org.apache.camel.cluster.CamelClusterEventListener;
import org.apache.camel.cluster.CamelClusterMember;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.support.cluster.AbstractCamelClusterService;
import org.apache.camel.support.service.ServiceSupport;
import org.opshub.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Camel's clustering SPI ({@code CamelClusterService}, used by {@code ClusteredRoutePolicy}) over
 * the shared state store: one lease row per namespace in {@code cluster_lease} (holder, expiry in
 * epoch ms, fencing counter). Every {@code heartbeat} a hub renews the lease it holds, or takes one
 * that has expired (the counter goes up by one at every change of holder). A hub counts itself
 * leader only until {@code lease - heartbeat} after the start of its last successful renewal, checked
 * by a watchdog that does not wait on the database, so a leader cut off from the database steps down
 * before anyone else may take over. With the embedded H2 store the one hub always wins the lease.
 *
 * <p>Clocks: the expiry is written by the holder's clock and read by the others', so hubs need
 * synchronised clocks (NTP) to within the margin of one heartbeat. The row claims of the outbox are
 * the second guard when they are not.
 */
public final class LeaseClusterService extends AbstractCamelClusterService<LeaseClusterService.View> {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseClusterService.class);
    private final StateStore store;
    private final LeaseStore leases;
    private final String hubId;
    private final Duration lease;
    private final Duration heartbeat;
    private final Clock clock;
    private final List<Consumer<Boolean>> roleListeners = new CopyOnWriteArrayList<>();
    private ScheduledExecutorService scheduler;
    private final Map<String, View> created = new ConcurrentHashMap<>();

    /**
     * @param hubId     this hub's name in the lease ({@code cluster.hub-id}), unique among the hubs
     * @param lease     how long a lease holds without renewal ({@code cluster.lease})
     * @param heartbeat how often it is renewed or tried ({@code cluster.heartbeat}), less than a third of the lease
     */
    public LeaseClusterService(StateStore store, String hubId, Duration lease, Duration heartbeat, Clock clock) {
        super("opshub-lease");
        this.store = store;
        this.leases = new LeaseStore(store);
        this.hubId = hubId;
        this.lease = lease;
        this.heartbeat = heartbeat;
        this.clock = clock;
    }

    /** Whether other hubs may share the lease (a shared store); with the embedded H2 store this hub is alone. */
    public boolean shared() {
        return store.shared();
    }

    /** This hub's id in the lease. */
    public String hubId() {
        return hubId;
    }

    /** Called with true when this hub becomes leader of any namespace, false when it stops. */
    public void onRoleChange(Consumer<Boolean> listener) {
        roleListeners.add(listener);
    }

    @Override
    protected void doStart() throws Exception {
        scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "opshub-lease");
            t.setDaemon(true);
            return t;
        });
        super.doStart();
    }

    @Override
    protected void doStop() throws Exception {
        super.doStop();
        scheduler.shutdownNow();
    }

    @Override
    protected View createView(String namespace) {
        View v = new View(namespace);
        created.put(namespace, v);
        return v;
    }

    /** The holder of a namespace's lease as last read (a hub id); empty when none or not yet read. */
    public String holder(String namespace) {
        View v = created.get(namespace);
        return v == null ? "" : v.holder();
    }

    /** A lease as read: its holder (empty when none), expiry (epoch ms) and fencing counter. */
    record Lease(String holder, long expiresAt, long fencing) {}

    /**
     * One round for a namespace, in one transaction: renew the lease when we hold it with this
     * fencing counter, else take it when it has expired.
     *
     * @param heldFencing the counter of the lease we hold, or -1
     * @return the lease after the round
     */
    Lease round(String namespace, long heldFencing) {
        long now = clock.millis();
        return leases.round(namespace, hubId, heldFencing, now, now + lease.toMillis());
    }

    /** Gives the lease up at once (a clean stop), so that another hub need not wait for it to expire. */
    void release(String namespace, long fencing) {
        leases.release(namespace, hubId, fencing);
    }

    /**
     * The view of one namespace: leadership by the lease, with a watchdog. Listeners are called
     * without any lock held and not at all while the context stops: Camel's route policy stops
     * and starts routes inside the callback, and a lock held there would deadlock with a context
     * that removes the policy's listener while it stops.
     */
    public final class View extends ServiceSupport implements CamelClusterView {
        private final String namespace;
        private final List<CamelClusterEventListener> listeners = new CopyOnWriteArrayList<>();
        private CamelContext camelContext;
        private final Member local = new Member(hubId, true);
        private volatile boolean leader;
        private volatile String holder = "";
        private volatile long fencing = -1;
        /** System.nanoTime() until which this hub may act as leader. */
        private volatile long validUntil;

        private volatile boolean unreachableLogged;
        /** The other holder last announced to the listeners. */
        private String announced;

        private ScheduledFuture<?> rounds;
        private ScheduledFuture<?> watchdog;

        View(String namespace) {
            this.namespace = namespace;
        }

        @Override
        protected void doStart() {
            rounds = scheduler.scheduleWithFixedDelay(this::round, 0, heartbeat.toMillis(), TimeUnit.MILLISECONDS);
            long check = Math.max(50, heartbeat.toMillis() / 4);
            watchdog = scheduler.scheduleWithFixedDelay(this::watch, check, check, TimeUnit.MILLISECONDS);
        }

        @Override
        protected void doStop() {
            rounds.cancel(true);
            watchdog.cancel(true);
            if (leader) {
                long f = fencing;
                lose("stopping");
                try {
                    release(getNamespace(), f);
                } catch (RuntimeException e) {
                    LOG.warn(
                            "Could not give up the {} lease (it expires by itself): {}",
                            getNamespace(),
                            e.getMessage());
                }
            }
        }

        private void round() {
            long start = System.nanoTime();
            try {
                Lease l = LeaseClusterService.this.round(getNamespace(), leader ? fencing : -1);
                if (unreachableLogged) {
                    unreachableLogged = false;
                    LOG.info("Cluster lease {}: the state store answers again", getNamespace());
                }
                holder = l.holder();
                if (hubId.equals(l.holder()) && l.expiresAt() > clock.millis()) {
                    validUntil = start + lease.minus(heartbeat).toNanos();
                    if (!leader || fencing != l.fencing()) {
                        fencing = l.fencing();
                        leader = true;
                        LOG.info(
                                "Cluster lease {}: this hub ({}) leads (fencing {}, lease {})",
                                getNamespace(),
                                hubId,
                                l.fencing(),
                                lease);
                        announced = hubId;
                        fireLeadershipChangedEvent(local);
                        roleListeners.forEach(r -> r.accept(true));
                    }
                } else if (leader) {
                    lose("the lease is held by " + l.holder());
                } else if (!l.holder().equals(announced)) {
                    announced = l.holder();
                    fireLeadershipChangedEvent(
                            l.holder().isEmpty() ? Optional.empty() : Optional.of(new Member(l.holder(), false)));
                }
            } catch (RuntimeException e) {
                if (!unreachableLogged) {
                    unreachableLogged = true;
                    LOG.warn(
                            "Cluster lease {}: cannot reach the state store ({}); {}",
                            getNamespace(),
                            e.getMessage(),
                            leader ? "leading until the lease runs out" : "following");
                }
            }
        }

        private void watch() {
            if (leader && System.nanoTime() - validUntil > 0) {
                lose("the lease could not be renewed in time");
            }
        }

        @Override
        public CamelClusterService getClusterService() {
            return LeaseClusterService.this;
        }

        @Override
        public String getNamespace() {
            return namespace;
        }

        @Override
        public void setCamelContext(CamelContext camelContext) {
            this.camelContext = camelContext;
        }

        @Override
        public CamelContext getCamelContext() {
            return camelContext;
        }

        /** Adds a listener; a leadership listener hears the current leader at once. */
        @Override
        public void addEventListener(CamelClusterEventListener listener) {
            listeners.add(listener);
            if (isRunAllowed() && listener instanceof CamelClusterEventListener.Leadership l) {
                l.leadershipChanged(this, getLeader().orElse(null));
            }
        }

        @Override
        public void removeEventListener(CamelClusterEventListener listener) {
            listeners.remove(listener);
        }

        private void fireLeadershipChangedEvent(CamelClusterMember leader) {
            fireLeadershipChangedEvent(Optional.ofNullable(leader));
        }

        private void fireLeadershipChangedEvent(Optional<CamelClusterMember> leader) {
            CamelContext c = camelContext != null ? camelContext : LeaseClusterService.this.getCamelContext();
            if (c != null && (c.isStopping() || c.isStopped())) {
                return;
            }
            for (CamelClusterEventListener listener : listeners) {
                if (listener instanceof CamelClusterEventListener.Leadership l) {
                    try {
                        l.leadershipChanged(this, leader.orElse(null));
                    } catch (RuntimeException e) {
                        LOG.warn("Cluster lease {}: a leadership listener failed: {}", namespace, e.toString());
                    }
                }
            }
        }

        private synchronized void lose(String why) {
            if (!leader) {
                return;
            }
            leader = false;
            fencing = -1;
            LOG.warn("Cluster lease {}: this hub ({}) no longer leads: {}", getNamespace(), hubId, why);
            announced = "";
            fireLeadershipChangedEvent(Optional.empty());
            roleListeners.forEach(r -> r.accept(false));
        }

        /** Whether this hub leads the namespace now. */
        public boolean leading() {
            return leader && System.nanoTime() - validUntil < 0;
        }

        /** The holder of the lease as last read; empty when none. */
        public String holder() {
            return holder;
        }

        @Override
        public Optional<CamelClusterMember> getLeader() {
            if (leading()) {
                return Optional.of(local);
            }
            return holder.isEmpty() || hubId.equals(holder) ? Optional.empty() : Optional.of(new Member(holder, false));
        }

        @Override
        public CamelClusterMember getLocalMember() {
            return local;
        }

        @Override
        public List<CamelClusterMember> getMembers() {
            List<CamelClusterMember> m = new ArrayList<>();
            m.add(local);
            getLeader().filter(l -> !l.isLocal()).ifPresent(m::add);
            return m;
        }

        private final class Member implements CamelClusterMember {
            private final String id;
            private final boolean isLocal;

            Member(String id, boolean isLocal) {
                this.id = id;
                this.isLocal = isLocal;
            }

            @Override
            public String getId() {
                return id;
            }

            @Override
            public boolean isLeader() {
                return isLocal ? leading() : id.equals(holder);
            }

            @Override
            public boolean isLocal() {
                return isLocal;
            }
        }
    }
}
