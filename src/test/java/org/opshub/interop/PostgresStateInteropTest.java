package org.opshub.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.opshub.AllLogs;
import org.opshub.HubRunner;
import org.opshub.alerts.AlertInbox;
import org.opshub.telegram.AlertDeliveryTestAccess;
import org.opshub.telegram.FakeBotApi;

/**
 * The state store on a real PostgreSQL server from Debian (state.jdbc-url): Flyway migrates an
 * empty database, and every statement of de-duplication, fan-out, migration, 403 and the update
 * offset runs on it; a second hub on the same database continues where the first stopped.
 */
@Tag("interop")
class PostgresStateInteropTest {
    static final long A = 61;
    static final long B = 62;
    static final long MIGRATED = -1006300;

    /** A PostgreSQL server from Debian in a temporary directory, on a loopback port. */
    static final class Server implements AutoCloseable {
        final Path dir;
        final int port;
        final String url;
        private final Process process;

        Server() throws Exception {
            dir = Files.createTempDirectory("opshub-pg");
            Path data = dir.resolve("data");
            port = HubRunner.freePort();
            boolean root = "root".equals(System.getProperty("user.name"));
            if (root) {
                run("chmod", "755", dir.toString());
                Files.createDirectories(data);
                run("chown", "postgres:postgres", data.toString());
            }
            Path bin = pgBin();
            run(asPostgres(
                    root,
                    bin.resolve("initdb").toString(),
                    "-D",
                    data.toString(),
                    "-U",
                    "opshub",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-sync"));
            process = new ProcessBuilder(asPostgres(
                            root,
                            bin.resolve("postgres").toString(),
                            "-D",
                            data.toString(),
                            "-p",
                            Integer.toString(port),
                            "-h",
                            "127.0.0.1",
                            "-k",
                            data.toString(),
                            "-c",
                            "fsync=off"))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("postgres.log").toFile())
                    .start();
            url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
            assertTrue(
                    HubRunner.await(Duration.ofSeconds(20), () -> {
                        try (Connection c = DriverManager.getConnection(url, "opshub", "")) {
                            return true;
                        } catch (SQLException e) {
                            return false;
                        }
                    }),
                    "PostgreSQL did not start: " + Files.readString(dir.resolve("postgres.log")));
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theWholeDeliveryStateRunsOnPostgresql() throws Exception {
        try (Server pg = new Server()) {
            String url = pg.url;
            try (FakeBotApi telegram = new FakeBotApi()) {
                Map<String, String> props = Map.of(
                        "state.jdbc-url",
                        url,
                        "state.jdbc-user",
                        "opshub",
                        "telegram.token",
                        FakeBotApi.TOKEN,
                        "telegram.api-url",
                        telegram.url(),
                        "telegram.allowed-chats",
                        A + "," + B + "," + MIGRATED);
                try (HubRunner hub = new HubRunner(props)) {
                    for (long chat : new long[] {A, B}) {
                        telegram.userSays(chat, "/subscribe Pg");
                        assertTrue(HubRunner.await(
                                Duration.ofSeconds(10),
                                () -> telegram.texts(chat).size() == 1));
                    }
                    telegram.script(A, FakeBotApi.Answer.migrate(MIGRATED));
                    telegram.script(B, FakeBotApi.Answer.blocked());
                    byte[] body = AlertDeliveryTestAccess.payload("PgAlert", "2026-11-21T13:00:00Z");
                    ExecutorService pool = Executors.newFixedThreadPool(4);
                    List<Future<Integer>> codes = new ArrayList<>();
                    for (int i = 0; i < 4; i++) {
                        codes.add(pool.submit(() -> hub.postAlerts(body).statusCode()));
                    }
                    for (Future<Integer> f : codes) {
                        assertEquals(200, f.get());
                    }
                    pool.shutdown();
                    assertTrue(HubRunner.await(
                            Duration.ofSeconds(15),
                            () -> telegram.texts(MIGRATED).size() == 1));
                    assertTrue(HubRunner.await(
                            Duration.ofSeconds(5),
                            () -> telegram.attempts(B).stream().anyMatch(s -> s.status() == 403)));
                    assertEquals(3.0, hub.metric("alertmanager_alerts_duplicate_total", ""));
                    assertEquals(0, hub.bean("alertInbox", AlertInbox.class).prune());
                }
                try (HubRunner hub = new HubRunner(props)) {
                    telegram.userSays(MIGRATED, "/list");
                    telegram.userSays(MIGRATED, "/alerts");
                    assertTrue(HubRunner.await(
                            Duration.ofSeconds(10),
                            () -> telegram.texts(MIGRATED).size() == 3));
                    assertTrue(
                            telegram.texts(MIGRATED).get(1).contains("<code>Pg</code>"),
                            telegram.texts(MIGRATED).toString());
                    assertTrue(
                            telegram.texts(MIGRATED).get(2).contains("PgAlert"),
                            telegram.texts(MIGRATED).toString());
                    assertEquals(
                            1, telegram.texts(A).size(), "updates handled before the restart are not handled again");
                    hub.postAlerts(AlertDeliveryTestAccess.payload("PgAlert2", "2026-11-21T13:05:00Z"));
                    assertTrue(HubRunner.await(
                            Duration.ofSeconds(10),
                            () -> telegram.texts(MIGRATED).size() == 4));
                    Thread.sleep(1000);
                    assertEquals(
                            0,
                            telegram.delivered(B).stream()
                                    .filter(s -> s.text().contains("PgAlert2"))
                                    .count(),
                            "the blocked chat stays disabled");
                }
            }
        }
    }

    @Test
    void aBlackHoledDatabaseGives503WithinTheTimeoutsAndEverythingIsDeliveredAfterIt() throws Exception {
        try (Server pg = new Server();
                BlackHoleProxy proxy = new BlackHoleProxy(pg.port);
                FakeBotApi telegram = new FakeBotApi()) {
            Map<String, String> props = new HashMap<>(telegram.hubProperties(A));
            props.put("state.jdbc-url", "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres");
            props.put("state.jdbc-user", "opshub");
            props.put("state.connect-timeout", "PT2S");
            props.put("state.query-timeout", "PT3S");
            try (AllLogs logs = new AllLogs();
                    HubRunner hub = new HubRunner(props)) {
                telegram.userSays(A, "/subscribe Hole");
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10), () -> telegram.texts(A).size() == 1));
                proxy.blackHole(true);
                byte[] alert = AlertDeliveryTestAccess.payload("HoleAlert", "2026-11-21T14:00:00Z");
                HttpResponse<String> r = hub.postAlerts(alert); // HubRunner's client gives up after 30 s
                assertEquals(503, r.statusCode(), r.body());
                double ticks = outboxTicks(hub);
                assertTrue(
                        HubRunner.await(Duration.ofSeconds(20), () -> outboxTicks(hub) >= ticks + 3),
                        "the outbox timer keeps ticking while the database is a black hole: " + ticks);
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(20), () -> logs.anyContains("Outbox unreadable, delivery paused")));
                proxy.blackHole(false);
                assertTrue(
                        HubRunner.await(Duration.ofSeconds(30), () -> {
                            try {
                                return hub.postAlerts(alert).statusCode() == 200; // Alertmanager retries a 503
                            } catch (Exception e) {
                                return false;
                            }
                        }),
                        "the database is back");
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(20),
                                () -> telegram.texts(A).stream().anyMatch(t -> t.contains("HoleAlert"))),
                        telegram.texts(A).toString());
                assertTrue(logs.anyContains("Outbox readable again"));
            }
        }
    }

    /** Exchanges the telegram-outbox timer route has completed, from /metrics. */
    private static double outboxTicks(HubRunner hub) {
        try {
            return hub.get("/metrics")
                    .body()
                    .lines()
                    .filter(l -> l.contains("routeId=\"telegram-outbox\"") && l.startsWith("camel_exchanges_total"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                    .sum();
        } catch (Exception e) {
            return -1;
        }
    }

    private static Path pgBin() throws IOException {
        try (var dirs = Files.list(Path.of("/usr/lib/postgresql"))) {
            return dirs.map(d -> d.resolve("bin"))
                    .filter(d -> Files.isExecutable(d.resolve("initdb")))
                    .findFirst()
                    .orElseThrow(() ->
                            new IllegalStateException("PostgreSQL server not installed: run scripts/install-deps.sh"));
        }
    }

    private static String[] asPostgres(boolean root, String... command) {
        if (!root) {
            return command;
        }
        String[] c = new String[command.length + 4];
        c[0] = "runuser";
        c[1] = "-u";
        c[2] = "postgres";
        c[3] = "--";
        System.arraycopy(command, 0, c, 4, command.length);
        return c;
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
    }
}
