package org.opshub.cluster;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.spi.RoutePolicy;
import org.opshub.config.ConfigException;
import org.opshub.config.Settings;
import org.opshub.state.StateStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster capability ({@code cluster.*}): the lease service over the state store and the
 * route policy {@code leaderOnly} that the singleton routes name ({@code routePolicy: leaderOnly}:
 * started on the leader, stopped elsewhere), and the gauge {@code opshub_cluster_leader{hub}}.
 */
public final class ClusterConfiguration {
    /** The namespace of the singleton routes' lease. */
    public static final String NAMESPACE = "opshub";

    private static final Logger LOG = LoggerFactory.getLogger(ClusterConfiguration.class);

    private ClusterConfiguration() {}

    /**
     * @throws ConfigException naming the property of a bad value (a heartbeat of more than a third of the lease)
     */
    public static LeaseClusterService bind(
            CamelContext context,
            MeterRegistry registry,
            Function<String, String> property,
            StateStore store,
            Clock clock) {
        Duration lease = Settings.duration(property, "cluster.lease");
        Duration heartbeat = Settings.duration(property, "cluster.heartbeat");
        if (heartbeat.multipliedBy(3).compareTo(lease) > 0) {
            throw new ConfigException(
                    "cluster.heartbeat", "\"" + heartbeat + "\" is more than a third of cluster.lease=" + lease);
        }
        String hubId = Settings.text(property, "cluster.hub-id").strip();
        if (hubId.isEmpty()) {
            hubId = hostName() + ":"
                    + Objects.requireNonNullElse(property.apply("camel.server.port"), "8080")
                            .strip();
        }
        if (hubId.length() > 255) {
            throw new ConfigException("cluster.hub-id", "longer than 255 characters");
        }
        LeaseClusterService service = new LeaseClusterService(store, hubId, lease, heartbeat, clock);
        service.setCamelContext(context);
        try {
            context.addService(service, true, true);
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up the cluster service: " + e.getMessage(), e);
        }
        // one ClusteredRoutePolicy per route (a prototype): a route reloaded alone gets a fresh policy,
        // and the view of the namespace is shared and counted by the service
        context.getRegistry().bindAsPrototype("leaderOnly", RoutePolicy.class, () -> {
            try {
                ClusteredRoutePolicy policy = ClusteredRoutePolicy.forNamespace(service, NAMESPACE);
                policy.setCamelContext(context);
                policy.setInitialDelay(Duration.ZERO);
                return policy;
            } catch (Exception e) {
                throw new IllegalStateException("cannot create the leaderOnly route policy: " + e.getMessage(), e);
            }
        });
        context.getRegistry().bind("clusterService", service);
        String hub = hubId;
        Gauge.builder("opshub_cluster_leader", service, s -> s.isLeader(NAMESPACE) ? 1 : 0)
                .tag("hub", hub)
                .description("1 on the hub that holds the lease and runs the singleton routes, 0 on the others")
                .register(registry);
        LOG.info(
                "Cluster: hub {}, lease {}, heartbeat {} (singleton routes run on the lease holder)",
                hubId,
                lease,
                heartbeat);
        return service;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "opshub";
        }
    }
}
