package org.opshub.config;

import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;

/**
 * Work to do when the Camel context stops: after its routes have stopped, in the reverse order of
 * registration (a capability registered after the state store runs before the store closes).
 */
public final class OnStop {
    private OnStop() {}

    /**
     * Runs {@code action} when {@code context} stops.
     *
     * @param what what the action stops, for the error
     * @throws IllegalStateException when the context refuses the registration
     */
    public static void register(CamelContext context, String what, Runnable action) {
        try {
            context.addService(
                    new ServiceSupport() {
                        @Override
                        protected void doStop() {
                            action.run();
                        }
                    },
                    true);
        } catch (Exception e) {
            throw new IllegalStateException("cannot register " + what + " for shutdown", e);
        }
    }
}
