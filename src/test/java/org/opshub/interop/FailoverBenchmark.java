package org.opshub.interop;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import org.opshub.HubProcess;
import org.opshub.HubRunner;
import org.opshub.telegram.FakeBotApi;

/**
 * {@code scripts/bench-failover.sh}: 1,000 messages to 100 chats through two hubs on one PostgreSQL,
 * the leader (its own JVM) killed with {@code kill -9} when 300 have arrived, against the same
 * load on one hub without a kill. Prints the takeover time, both delivery times and their ratio,
 * the duplicates and the messages in flight at the kill. Targets: takeover ≤ 2 × lease, total ≤
 * 1.3 × one hub, duplicates ≤ messages in flight at the kill.
 */
public final class FailoverBenchmark {
    private static final int CHATS = 100;
    private static final int MESSAGES = 1000;
    private static final int KILL_AT = 300;

    private FailoverBenchmark() {}

    public static void main(String[] args) throws Exception {
        long[] chats = ClusterInteropTest.chats(CHATS);
        double single;
        try (PostgresStateInteropTest.Server pg = new PostgresStateInteropTest.Server();
                FakeBotApi telegram = new FakeBotApi();
                HubRunner hub = new HubRunner(ClusterInteropTest.hub(telegram, pg, "single", chats))) {
            ClusterInteropTest.await(Duration.ofSeconds(30), () -> ClusterInteropTest.leads(hub), "the hub leads");
            long start = System.nanoTime();
            ClusterInteropTest.queue(telegram, hub, chats, MESSAGES);
            ClusterInteropTest.await(
                    Duration.ofMinutes(5), () -> ClusterInteropTest.alertsDelivered(telegram) >= MESSAGES, "delivered");
            single = (System.nanoTime() - start) / 1e9;
        }
        try (PostgresStateInteropTest.Server pg = new PostgresStateInteropTest.Server();
                FakeBotApi telegram = new FakeBotApi();
                HubProcess a = new HubProcess(ClusterInteropTest.hub(telegram, pg, "hub-a", chats))) {
            ClusterInteropTest.await(
                    Duration.ofSeconds(60),
                    () -> {
                        try {
                            return a.metrics().contains("opshub_cluster_leader{hub=\"hub-a\"} 1.0");
                        } catch (Exception e) {
                            return false;
                        }
                    },
                    "hub A leads");
            try (HubRunner b = new HubRunner(ClusterInteropTest.hub(telegram, pg, "hub-b", chats))) {
                long start = System.nanoTime();
                List<String> names = ClusterInteropTest.queue(telegram, b, chats, MESSAGES);
                ClusterInteropTest.await(
                        Duration.ofMinutes(5),
                        () -> ClusterInteropTest.alertsDelivered(telegram) >= KILL_AT,
                        "300 sent");
                long killed = System.nanoTime();
                a.process.destroyForcibly().waitFor();
                long inFlight;
                try (Connection c = DriverManager.getConnection(pg.url, "opshub", "");
                        ResultSet rs = c.createStatement()
                                .executeQuery(
                                        "SELECT COUNT(*) FROM outbox WHERE claimed_by = 'hub-a' AND claimed_until > "
                                                + System.currentTimeMillis())) {
                    rs.next();
                    inFlight = rs.getLong(1);
                }
                ClusterInteropTest.await(Duration.ofSeconds(30), () -> ClusterInteropTest.leads(b), "hub B takes over");
                double takeover = (System.nanoTime() - killed) / 1e9;
                ClusterInteropTest.await(
                        Duration.ofMinutes(5),
                        () -> names.stream()
                                .allMatch(n -> ClusterInteropTest.alertMessages(telegram).stream()
                                        .anyMatch(s -> s.text().contains(n + " "))),
                        "every message delivered");
                double total = (System.nanoTime() - start) / 1e9;
                long duplicates = ClusterInteropTest.duplicates(ClusterInteropTest.alertMessages(telegram));
                System.out.printf("%n| %d messages to %d chats, lease 3 s | seconds |%n|---|---|%n", MESSAGES, CHATS);
                System.out.printf("| one hub, no kill | %.1f |%n", single);
                System.out.printf("| two hubs, leader killed (kill -9) at message %d | %.1f |%n", KILL_AT, total);
                System.out.printf("| takeover after the kill | %.1f |%n%n", takeover);
                System.out.printf("ratio two hubs with a kill / one hub = %.2f   (target <= 1.3)%n", total / single);
                System.out.printf("takeover = %.1f s   (target <= 2 x lease = 6 s)%n", takeover);
                System.out.printf(
                        "duplicates = %d, messages in flight at the kill = %d   (target: duplicates <= in flight)%n",
                        duplicates, inFlight);
            }
        }
        System.exit(0);
    }
}
