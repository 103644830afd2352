package org.opshub.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.opshub.config.ConfigException;
import org.opshub.config.OnStop;
import org.opshub.config.Settings;

/**
 * The state capability: opens the store ({@code state.*}), binds {@code stateStore} and its
 * readiness check {@code stateStoreHealthCheck}, and closes the store when Camel stops.
 */
public final class StateConfiguration {
    private StateConfiguration() {}

    /**
     * @throws org.opshub.config.ConfigException naming the property of a bad value
     * @throws StateUnavailableException         when the database cannot be reached or migrated
     */
    public static StateStore bind(CamelContext context, Function<String, String> property) {
        String dir = Settings.text(property, "state.directory");
        try {
            // also with PostgreSQL: the state-disk check watches it, and a missing one reads as a full disk
            Files.createDirectories(Path.of(dir));
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("state.directory", "\"" + dir + "\" cannot be created: " + e.getMessage());
        }
        StateStore store = StateStore.open(
                property.apply("state.jdbc-url"),
                property.apply("state.jdbc-user"),
                property.apply("state.jdbc-password"),
                Path.of(dir),
                new StateStore.Timeouts(
                        Settings.duration(property, "state.connect-timeout"),
                        Settings.duration(property, "state.query-timeout")));
        try {
            OnStop.register(context, "the state store", store::close);
        } catch (IllegalStateException e) {
            store.close();
            throw e;
        }
        context.getRegistry().bind("stateStore", store);
        context.getRegistry().bind("oneCommit", new OneCommitPolicy(store));
        context.getRegistry().bind("stateStoreHealthCheck", new StateStoreHealthCheck(store));
        return store;
    }
}
