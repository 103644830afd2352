package org.opshub.observe;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.opshub.cluster.ClusterConfiguration;
import org.opshub.cluster.LeaseClusterService;
import org.opshub.telegram.ProxyPool;

/**
 * {@code GET /observe/health}, {@code /observe/health/live} and {@code /observe/health/ready}:
 * {@code {"status":"UP"}} with HTTP 200, or {@code {"status":"DOWN","down":["route:x", …]}}
 * with HTTP 503; with a shared store (several hubs), also {@code "cluster":{"hub":…,"role":"leader"|"follower",
 * "leader":<hub id of the lease holder>}} (hub ids only, nothing else of the store). Only check ids are shown, never details, so endpoint URIs (and any secret in
 * them) cannot leak; unlike Camel's built-in handler, no query parameter raises the exposure level.
 */
public final class HealthReport {
    private final CamelContext context;

    public HealthReport(CamelContext context) {
        this.context = context;
    }

    /**
     * Evaluates the checks for a request path (ending in {@code /live}, {@code /ready} or neither;
     * null as neither): a map with {@code status} ({@code "UP"} or {@code "DOWN"}), {@code down}
     * (check ids, when any), {@code cluster} (with a shared store) and {@code telegram} (with
     * {@code telegram.proxies} or {@code telegram.proxy}: the way in use and each way's state). The route answers 503 for DOWN.
     */
    public Map<String, Object> report(String path) {
        path = path == null ? "" : path;
        boolean ready = path.endsWith("/ready");
        Collection<HealthCheck.Result> results = path.endsWith("/live")
                ? HealthCheckHelper.invokeLiveness(context)
                : ready ? HealthCheckHelper.invokeReadiness(context) : HealthCheckHelper.invoke(context);
        boolean up = HealthCheckHelper.isResultsUp(results, ready);
        List<String> down = results.stream()
                .filter(r -> r.getState() == HealthCheck.State.DOWN)
                .map(r -> r.getCheck().getGroup() == null
                        ? r.getCheck().getId()
                        : r.getCheck().getGroup() + ":" + r.getCheck().getId())
                .sorted()
                .toList();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        if (!down.isEmpty()) {
            body.put("down", down);
        }
        LeaseClusterService cluster =
                context.getRegistry().lookupByNameAndType("clusterService", LeaseClusterService.class);
        if (cluster != null && cluster.shared()) {
            boolean leads = cluster.isLeader(ClusterConfiguration.NAMESPACE);
            Map<String, Object> role = new LinkedHashMap<>();
            role.put("hub", cluster.hubId());
            role.put("role", leads ? "leader" : "follower");
            role.put("leader", leads ? cluster.hubId() : cluster.holder(ClusterConfiguration.NAMESPACE));
            body.put("cluster", role);
        }
        ProxyPool proxies = context.getRegistry().lookupByNameAndType("telegramProxies", ProxyPool.class);
        if (proxies != null && proxies.proxied()) {
            Map<String, Object> telegram = new LinkedHashMap<>();
            telegram.put("proxy", proxies.inUse().name());
            telegram.put("proxies", proxies.describe());
            body.put("telegram", telegram);
        }
        return body;
    }
}
