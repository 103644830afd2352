package org.opshub.state;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.opshub.config.ConfigException;
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
    private final boolean shared;

    /** Work done inside one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private StateStore(HikariDataSource dataSource, String description, boolean shared) {
        this.dataSource = dataSource;
        this.description = description;
        this.shared = shared;
    }

    /**
     * Runs one INSERT, UPDATE or DELETE with positional arguments ({@code setObject}) inside a
     * transaction of {@link #inTransaction}.
     *
     * @return the number of rows changed
     */
    public static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        }
    }

    /** Whether several hubs may share this store (PostgreSQL); the embedded H2 store is one hub's. */
    public boolean shared() {
        return shared;
    }

    /**
     * The H2 settings the SQL needs ({@code ON CONFLICT}, lower-case names, NULLs last), no close by
     * H2's own JVM shutdown hook (the store is closed when Camel stops, after the routes; otherwise
     * every stop logged the outbox as unreadable while the routes drained), and a write delay of 0:
     * H2 otherwise keeps commits in memory for up to a second (its default {@code WRITE_DELAY} of
     * 500 ms), so a {@code kill -9} lost alerts that had been answered 200. With 0 every commit is in
     * the database file (the operating system's cache) when {@code commit()} returns: it survives the
     * process being killed; power loss can still lose what the disk cache held (H2 does not fsync
     * each commit).
     */
    static final String H2_SETTINGS =
            ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;DB_CLOSE_ON_EXIT=FALSE"
                    + ";WRITE_DELAY=0";

    /**
     * Timeouts of every database call.
     *
     * @param connect a connection from the pool, and a new connection's TCP connect and login
     * @param query   one statement; on PostgreSQL also the socket read timeout, so a half-open
     *                connection fails within it instead of hanging
     */
    public record Timeouts(Duration connect, Duration query) {
        public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    /** {@link #open(String, String, String, Path, Timeouts)} with {@link Timeouts#DEFAULT}. */
    public static StateStore open(String jdbcUrl, String user, String password, Path directory) {
        return open(jdbcUrl, user, password, directory, Timeouts.DEFAULT);
    }

    /**
     * Opens the store and migrates its schema.
     *
     * @param jdbcUrl   empty or {@code null}: the embedded H2 file {@code <directory>/opshub.mv.db};
     *                  {@code jdbc:postgresql:...}; or any {@code jdbc:h2:} URL (file, mem, tcp), to which
     *                  the PostgreSQL compatibility settings are added
     * @param user      database user (ignored for the embedded default)
     * @param password  database password (never logged)
     * @param directory directory of the embedded database
     * @param timeouts  connect and statement timeouts
     * @throws ConfigException          naming {@code state.jdbc-url} for a database other than H2 and PostgreSQL
     * @throws StateUnavailableException when the database cannot be reached or migrated
     */
    public static StateStore open(String jdbcUrl, String user, String password, Path directory, Timeouts timeouts) {
        HikariConfig cfg = new HikariConfig();
        String description;
        long queryMs = timeouts.query().toMillis();
        if (jdbcUrl == null || jdbcUrl.isBlank()) {
            Path file = directory.toAbsolutePath().resolve("opshub");
            cfg.setJdbcUrl("jdbc:h2:file:" + file + H2_SETTINGS + ";QUERY_TIMEOUT=" + queryMs);
            cfg.setUsername("sa");
            cfg.setPassword("");
            description = "embedded H2 " + file + ".mv.db";
        } else {
            String url = jdbcUrl.strip();
            String lower = url.toLowerCase(Locale.ROOT);
            if (lower.startsWith("jdbc:h2:")) {
                url = h2(url, queryMs);
            } else if (lower.startsWith("jdbc:postgresql:")) {
                cfg.addDataSourceProperty(
                        "connectTimeout", Math.max(1, timeouts.connect().toSeconds()));
                cfg.addDataSourceProperty(
                        "loginTimeout", Math.max(1, timeouts.connect().toSeconds()));
                cfg.addDataSourceProperty(
                        "socketTimeout", Math.max(1, timeouts.query().toSeconds()));
                // lock_timeout: a row another hub's dead session still locks is skipped after 2 s, not waited on;
                // idle_in_transaction_session_timeout: this hub's session, cut off mid-transaction, ends
                // on the server after the query timeout, and its row locks with it
                // synchronous_commit=on: a commit returns once the WAL is flushed, whatever the server's default
                cfg.addDataSourceProperty(
                        "options",
                        "-c synchronous_commit=on -c statement_timeout=" + queryMs
                                + " -c lock_timeout=" + Math.min(queryMs, 2000)
                                + " -c idle_in_transaction_session_timeout=" + queryMs);
            } else {
                throw new ConfigException(
                        "state.jdbc-url",
                        withoutCredentials(url)
                                + " is not supported: use jdbc:postgresql://host:5432/db or a jdbc:h2: URL (or leave it empty)");
            }
            cfg.setJdbcUrl(url);
            if (user != null && !user.isBlank()) {
                cfg.setUsername(user);
            }
            if (password != null && !password.isEmpty()) {
                cfg.setPassword(password);
            }
            description = withoutCredentials(url);
        }
        cfg.setPoolName("opshub-state");
        cfg.setMaximumPoolSize(8);
        cfg.setConnectionTimeout(Math.max(250, timeouts.connect().toMillis()));
        cfg.setValidationTimeout(Math.max(250, Math.min(timeouts.connect().toMillis(), 5_000)));
        cfg.setInitializationFailTimeout(-1);
        HikariDataSource ds = new HikariDataSource(cfg);
        try {
            Flyway.configure()
                    .dataSource(ds)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw new StateUnavailableException("cannot open or migrate the state store " + description, e);
        }
        LOG.info("State store: {}", description);
        return new StateStore(
                ds,
                description,
                jdbcUrl != null && jdbcUrl.strip().toLowerCase(Locale.ROOT).startsWith("jdbc:postgresql:"));
    }

    /**
     * An H2 URL with the settings the SQL needs added (values the URL already has are replaced:
     * the SQL does not work without them).
     */
    static String h2(String url, long queryMs) {
        String[] parts = url.split(";");
        StringBuilder out = new StringBuilder(parts[0]);
        Set<String> ours =
                Set.of("MODE", "DATABASE_TO_LOWER", "DEFAULT_NULL_ORDERING", "DB_CLOSE_ON_EXIT", "WRITE_DELAY");
        boolean timeout = false;
        for (int i = 1; i < parts.length; i++) {
            String key = parts[i].split("=", 2)[0].strip().toUpperCase(Locale.ROOT);
            if (parts[i].isBlank() || ours.contains(key)) {
                continue;
            }
            timeout |= key.equals("QUERY_TIMEOUT");
            out.append(';').append(parts[i]);
        }
        out.append(H2_SETTINGS);
        if (!timeout) {
            out.append(";QUERY_TIMEOUT=").append(queryMs);
        }
        return out.toString();
    }

    /** A JDBC URL with any {@code user=}/{@code password=} parameters and user info removed. */
    static String withoutCredentials(String url) {
        return url.replaceAll("(?i)([?&;](password|user)=)[^&;]*", "$1***").replaceAll("//[^/@]*@", "//***@");
    }

    /**
     * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws.
     *
     * @throws StateUnavailableException when the database cannot be reached, times out or is
     *                                   busy (worth retrying; the cause is kept)
     * @throws StateDataException        when it refuses the data itself (retrying cannot help)
     */
    public <T> T inTransaction(Work<T> work) {
        Unit shared = unit.get();
        if (shared != null) {
            return inSavepoint(shared.connection, work);
        }
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
            throw translated(e);
        }
    }

    /** This thread's {@link #inOneCommit} unit, if one is open: its connection and what waits for its end. */
    private final ThreadLocal<Unit> unit = new ThreadLocal<>();

    private record Unit(Connection connection, List<Runnable> committed, List<Runnable> rolledBack) {}

    /**
     * Runs {@code committed} once what this thread wrote is committed, or {@code rolledBack} when it is
     * not: at the end of the open {@link #inOneCommit} unit, or at once (as committed) when no unit is
     * open, since every {@link #inTransaction} outside a unit has committed when it returns. A hook that
     * throws is logged and does not stop the others.
     */
    public void afterCommit(Runnable committed, Runnable rolledBack) {
        Unit u = unit.get();
        if (u == null) {
            committed.run();
        } else {
            u.committed().add(committed);
            u.rolledBack().add(rolledBack);
        }
    }

    private static void runAll(List<Runnable> hooks) {
        for (Runnable r : hooks) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("State store: a hook at the end of a commit failed: {}", e.toString());
            }
        }
    }

    /**
     * Runs {@code work} with every {@link #inTransaction} of this thread inside one database
     * transaction, committed once at the end (group commit: one write of the store instead of one per
     * transaction). Each inner transaction is a savepoint: when it throws, its own changes are rolled
     * back and the exception reaches its caller as usual, while the others stay. When {@code work}
     * throws, or the commit fails, nothing of it is stored. Nested calls join the open unit.
     *
     * @throws StateUnavailableException as {@link #inTransaction}, for the commit
     * @throws StateDataException        as {@link #inTransaction}, for the commit
     */
    public void inOneCommit(Runnable work) {
        if (unit.get() != null) {
            work.run();
            return;
        }
        Unit u;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            u = new Unit(c, new ArrayList<>(), new ArrayList<>());
            unit.set(u);
            try {
                work.run();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                unit.remove();
                try {
                    c.rollback();
                } finally {
                    runAll(u.rolledBack());
                }
                throw e;
            } finally {
                unit.remove();
            }
        } catch (SQLException e) {
            throw translated(e);
        }
        runAll(u.committed());
    }

    private <T> T inSavepoint(Connection c, Work<T> work) {
        try {
            Savepoint savepoint = c.setSavepoint();
            try {
                T result = work.run(c);
                c.releaseSavepoint(savepoint);
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback(savepoint);
                throw e;
            }
        } catch (SQLException e) {
            throw translated(e);
        }
    }

    private RuntimeException translated(SQLException e) {
        if (isTransient(e)) {
            return new StateUnavailableException("state store " + description + ": " + e.getMessage(), e);
        }
        return new StateDataException(
                "state store " + description + " refused the data (SQLState " + e.getSQLState() + "): "
                        + e.getMessage(),
                e.getSQLState(),
                e);
    }

    /**
     * Whether an SQL error is worth retrying. Permanent are the errors about the data itself:
     * SQLState class {@code 22} (data exception: a value too long, out of range, badly encoded),
     * {@code 23} (integrity constraint violation), {@code 21} (cardinality violation), {@code 27}
     * (triggered data change violation) and {@code 44} (with check option violation): the same data
     * fails again, so the caller gives up on that one item. Everything else is transient: connection
     * exceptions ({@code 08}), rollbacks and deadlocks ({@code 40}), resources ({@code 53}), lock
     * and statement timeouts ({@code 55}, {@code 57}, H2's {@code HYT00}), and also a broken schema or a
     * revoked privilege ({@code 42}), which fail every item until an operator fixes the database, so
     * items wait for that instead of being lost.
     */
    static boolean isTransient(SQLException e) {
        String state = e.getSQLState();
        if (state == null || state.length() < 2) {
            return !(e.getCause() instanceof SQLException c) || c == e || isTransient(c);
        }
        return !Set.of("21", "22", "23", "27", "44").contains(state.substring(0, 2));
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
            try (Statement st = c.createStatement()) {
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
