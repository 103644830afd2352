package org.opshub.state;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one JDBC store for all durable state (subscriptions, de-duplication keys, the delivery
 * outbox, chat state). By default an embedded H2 file database under {@code state.directory}
 * (created on first start); with {@code state.jdbc-url} any PostgreSQL database, so that several
 * hub instances can share it. The schema is created and migrated by Flyway from
 * {@code classpath:db/migration} before the store is used.
 */
public final class StateStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StateStore.class);
    private final HikariDataSource dataSource;
    private final String description;

    /** Work done inside one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private StateStore(HikariDataSource dataSource, String description) {
        this.dataSource = dataSource;
        this.description = description;
    }

    /**
     * Opens the store and migrates its schema.
     *
     * @param jdbcUrl   empty or {@code null}: the embedded H2 file {@code <directory>/opshub.mv.db}
     * @param user      database user (ignored for the embedded default)
     * @param password  database password (never logged)
     * @param directory directory of the embedded database
     * @throws StateUnavailableException when the database cannot be reached or migrated
     */
    public static StateStore open(String jdbcUrl, String user, String password, Path directory) {
        HikariConfig cfg = new HikariConfig();
        String description;
        if (jdbcUrl == null || jdbcUrl.isBlank()) {
            Path file = directory.toAbsolutePath().resolve("opshub");
            cfg.setJdbcUrl("jdbc:h2:file:" + file + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH");
            cfg.setUsername("sa");
            cfg.setPassword("");
            description = "embedded H2 " + file + ".mv.db";
        } else {
            cfg.setJdbcUrl(jdbcUrl);
            if (user != null && !user.isBlank()) {
                cfg.setUsername(user);
            }
            if (password != null && !password.isEmpty()) {
                cfg.setPassword(password);
            }
            description = withoutCredentials(jdbcUrl);
        }
        cfg.setPoolName("opshub-state");
        cfg.setMaximumPoolSize(8);
        cfg.setConnectionTimeout(5_000);
        cfg.setInitializationFailTimeout(-1);
        HikariDataSource ds = new HikariDataSource(cfg);
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw new StateUnavailableException("cannot open or migrate the state store " + description, e);
        }
        LOG.info("State store: {}", description);
        return new StateStore(ds, description);
    }

    /** A JDBC URL with any {@code user=}/{@code password=} parameters and user info removed. */
    static String withoutCredentials(String url) {
        return url.replaceAll("(?i)([?&;](password|user)=)[^&;]*", "$1***").replaceAll("//[^/@]*@", "//***@");
    }

    /**
     * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws.
     *
     * @throws StateUnavailableException on any SQL error (the cause is kept)
     */
    public <T> T inTransaction(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StateUnavailableException("state store " + description + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs {@code SELECT 1}.
     *
     * @throws StateUnavailableException when the database does not answer within 2 s
     */
    public void ping() {
        if (dataSource.isClosed()) {
            throw new StateUnavailableException("state store " + description + " is closed", null);
        }
        inTransaction(c -> {
            try (java.sql.Statement st = c.createStatement()) {
                st.setQueryTimeout(2);
                return st.execute("SELECT 1");
            }
        });
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
