package org.opshub.state;

import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness check {@code opshub:state-store}: DOWN while the state store cannot run a query, so
 * that a load balancer stops sending webhooks that would be answered 503 anyway. Not a liveness
 * check: a restart does not bring a database back.
 */
public final class StateStoreHealthCheck extends AbstractHealthCheck {
    private final StateStore store;

    public StateStoreHealthCheck(StateStore store) {
        super("opshub", "state-store");
        this.store = store;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        try {
            store.ping();
            builder.up();
        } catch (StateUnavailableException e) {
            builder.down().message("state store unavailable");
        }
    }
}
