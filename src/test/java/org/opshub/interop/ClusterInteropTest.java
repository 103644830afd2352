package org.opshub.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opshub.HubProcess;
import org.opshub.HubRunner;
import org.opshub.checks.ServiceChecksTestAccess;
import org.opshub.cluster.LeaseClusterService;
import org.opshub.telegram.AlertDeliveryTestAccess;
import org.opshub.telegram.FakeBotApi;

/**
 * Two hubs on one PostgreSQL from Debian and the fake Bot API: every alert delivered once although
 * both hubs receive it (as from two Alertmanagers), within Telegram's limits, one poller at a time,
 * a subscription made through one hub used by the other, and a kill -9 of the leader.
 */
@Tag("interop")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClusterInteropTest {
    private static final int CHATS = 30;

    static Map<String, String> hub(FakeBotApi telegram, PostgresStateInteropTest.Server pg, String id, long[] chats) {
        Map<String, String> p = new HashMap<>(telegram.hubProperties(chats));
        p.put("state.jdbc-url", pg.url);
        p.put("state.jdbc-user", "opshub");
        p.put("cluster.hub-id", id);
        p.put("cluster.lease", "PT3S");
        p.put("cluster.heartbeat", "PT1S");
        p.put("telegram.poll-timeout", "PT1S");
        p.put("telegram.http-timeout", "PT3S");
        return p;
    }

    static long[] chats(int n) {
        long[] c = new long[n];
        for (int i = 0; i < n; i++) {
            c[i] = 7001 + i;
        }
        return c;
    }

    static boolean leads(HubRunner h) {
        return h.bean("clusterService", LeaseClusterService.class).isLeader("opshub");
    }

    static void await(Duration d, BooleanSupplier ok, String what) throws Exception {
        assertTrue(HubRunner.await(d, ok), what);
    }

    static void subscribeAll(FakeBotApi telegram, long[] chats) throws Exception {
        for (int i = 0; i < chats.length; i++) {
            telegram.userSays(chats[i], "/subscribe C" + i + "_.*");
        }
        await(
                Duration.ofSeconds(60),
                () -> Arrays.stream(chats)
                        .allMatch(c -> telegram.texts(c).stream().anyMatch(t -> t.startsWith("Subscribed"))),
                "every chat subscribed");
    }

    /** The 1-second windows of the deliveries: the most messages in any window, overall and to one chat. */
    private static int[] peaks(List<FakeBotApi.Sent> sent) {
        int overall = 0;
        int perChat = 0;
        for (FakeBotApi.Sent s : sent) {
            int all = 0;
            Map<Long, Integer> chat = new HashMap<>();
            for (FakeBotApi.Sent o : sent) {
                if (o.atMillis() >= s.atMillis() && o.atMillis() < s.atMillis() + 1000) {
                    all++;
                    chat.merge(o.chatId(), 1, Integer::sum);
                }
            }
            overall = Math.max(overall, all);
            perChat = Math.max(
                    perChat, chat.values().stream().max(Integer::compare).orElse(0));
        }
        return new int[] {overall, perChat};
    }

    @Test
    void twoHubsDeliverEachAlertOnceWithinTelegramsLimitsAndOnePollerAtATime() throws Exception {
        long[] chats = chats(CHATS);
        try (PostgresStateInteropTest.Server pg = new PostgresStateInteropTest.Server();
                FakeBotApi telegram = new FakeBotApi()) {
            telegram.holdPolls(800);
            try (HubRunner a = new HubRunner(hub(telegram, pg, "hub-a", chats));
                    HubRunner b = new HubRunner(hub(telegram, pg, "hub-b", chats))) {
                await(Duration.ofSeconds(15), () -> leads(a) ^ leads(b), "exactly one hub leads");
                HubRunner leader = leads(a) ? a : b;
                HubRunner follower = leader == a ? b : a;
                subscribeAll(telegram, chats);

                List<String> names = new ArrayList<>();
                String startsAt = Instant.now().toString();
                for (int n = 0; n < 300; n++) {
                    String name = "C" + (n % CHATS) + "_" + n;
                    names.add(name);
                    byte[] payload = AlertDeliveryTestAccess.payload(name, startsAt);
                    assertEquals(200, a.postAlerts(payload).statusCode());
                    assertEquals(200, b.postAlerts(payload).statusCode());
                }
                // a subscription made through the leader, an alert posted to the follower only
                String only = "C3_follower-only";
                names.add(only);
                assertEquals(
                        200,
                        follower.postAlerts(AlertDeliveryTestAccess.payload(only, startsAt))
                                .statusCode());

                await(Duration.ofSeconds(90), () -> alertsDelivered(telegram) >= names.size(), "every alert delivered");
                Thread.sleep(3000); // anything sent twice would arrive now
                List<FakeBotApi.Sent> alerts = alertMessages(telegram);
                Set<String> seen = new HashSet<>();
                List<String> twice = new ArrayList<>();
                for (FakeBotApi.Sent s : alerts) {
                    if (!seen.add(s.chatId() + " " + s.text())) {
                        twice.add(s.chatId() + ": " + s.text());
                    }
                }
                assertEquals(List.of(), twice, "no (chat, alert) delivered twice");
                for (String name : names) {
                    long chat = chats[Integer.parseInt(name.substring(1, name.indexOf('_')))];
                    assertTrue(
                            alerts.stream()
                                    .anyMatch(
                                            s -> s.chatId() == chat && s.text().contains(name + " ")),
                            name + " to " + chat);
                }
                assertTrue(telegram.delivered().stream().allMatch(s -> s.status() == 200), "no 429 or other error");
                int[] peaks = peaks(telegram.delivered());
                assertTrue(peaks[0] <= 30, "at most 30 messages in any second: " + peaks[0]);
                assertEquals(1, peaks[1], "at most 1 message a second to one private chat");
                assertEquals(0, telegram.pollOverlaps(), "only one hub polls getUpdates at any moment");
                assertTrue(follower.get("/observe/health/ready").statusCode() == 200, "the follower stays ready");
                String leaderId = leader == a ? "hub-a" : "hub-b";
                String health = follower.get("/observe/health").body();
                assertTrue(
                        health.contains("\"role\":\"follower\"") && health.contains("\"leader\":\"" + leaderId + "\""),
                        "health names the role and the lease holder: " + health);
                assertTrue(
                        !health.contains("jdbc") && !health.contains(FakeBotApi.TOKEN), "and nothing else: " + health);
                String metrics =
                        leader.get("/metrics").body() + follower.get("/metrics").body();
                assertTrue(
                        metrics.contains("opshub_cluster_leader{hub=\"hub-a\"}")
                                && metrics.contains("opshub_cluster_leader{hub=\"hub-b\"}"),
                        "both hubs export opshub_cluster_leader");
                System.out.printf(
                        "two hubs: %d alerts to %d chats, each once; peak %d/s overall, %d/s per chat%n",
                        names.size(), CHATS, peaks[0], peaks[1]);
            }
        }
    }

    static List<FakeBotApi.Sent> alertMessages(FakeBotApi telegram) {
        return telegram.delivered().stream()
                .filter(s -> s.text().contains("FIRING"))
                .toList();
    }

    static long alertsDelivered(FakeBotApi telegram) {
        return alertMessages(telegram).size();
    }

    /** Subscribes every chat through the leader, then posts {@code n} alerts to {@code hub}; their names. */
    static List<String> queue(FakeBotApi telegram, HubRunner hub, long[] chats, int n) throws Exception {
        subscribeAll(telegram, chats);
        String startsAt = Instant.now().toString();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = "C" + (i % chats.length) + "_" + i;
            names.add(name);
            assertEquals(
                    200,
                    hub.postAlerts(AlertDeliveryTestAccess.payload(name, startsAt))
                            .statusCode());
        }
        return names;
    }

    /** Messages that arrived more than once, counted beyond the first. */
    static long duplicates(List<FakeBotApi.Sent> messages) {
        Map<String, Integer> count = new HashMap<>();
        messages.forEach(s -> count.merge(s.chatId() + " " + s.text(), 1, Integer::sum));
        return count.values().stream().filter(v -> v > 1).mapToInt(v -> v - 1).sum();
    }

    @Test
    void whenTheLeaderIsKilledTheOtherTakesOverAndEveryMessageArrives() throws Exception {
        long[] chats = chats(20);
        try (PostgresStateInteropTest.Server pg = new PostgresStateInteropTest.Server();
                FakeBotApi telegram = new FakeBotApi();
                HubProcess a = new HubProcess(hub(telegram, pg, "hub-a", chats))) {
            assertTrue(a.awaitLeading("hub-a", Duration.ofSeconds(60)), "hub A (its own JVM) leads; log: " + a.log);
            try (HubRunner b = new HubRunner(hub(telegram, pg, "hub-b", chats))) {
                List<String> names = queue(telegram, b, chats, 200);
                await(Duration.ofSeconds(60), () -> alertsDelivered(telegram) >= 60, "hub A sends");
                assertTrue(!leads(b), "hub B follows while A leads");
                long killed = System.nanoTime();
                a.process.destroyForcibly().waitFor();
                await(Duration.ofSeconds(15), () -> leads(b), "hub B takes over");
                double takeover = (System.nanoTime() - killed) / 1e9;
                telegram.userSays(chats[0], "/list");
                await(
                        Duration.ofSeconds(30),
                        () -> telegram.texts(chats[0]).stream()
                                .anyMatch(
                                        t -> t.contains("C0_") && !t.startsWith("Subscribed") && !t.contains("FIRING")),
                        "hub B polls and answers after the takeover");
                await(
                        Duration.ofSeconds(90),
                        () -> names.stream()
                                .allMatch(n -> alertMessages(telegram).stream()
                                        .anyMatch(s -> s.text().contains(n + " "))),
                        "every message arrives after the kill");
                for (long c : chats) {
                    assertEquals(
                            1,
                            telegram.texts(c).stream()
                                    .filter(t -> t.contains("ubscribed to"))
                                    .count(),
                            "each /subscribe handled once, across the takeover, in chat " + c);
                }
                List<FakeBotApi.Sent> alerts = alertMessages(telegram);
                long duplicates = duplicates(alerts);
                System.out.printf(
                        "failover: takeover %.1f s after kill -9 (lease 3 s), %d messages, %d duplicates%n",
                        takeover, alerts.size(), duplicates);
                assertTrue(takeover <= 6.0 + 1.0, "takeover within 2 x the lease (+1 s heartbeat): " + takeover);
                assertTrue(duplicates <= chats.length, "at most one duplicate per chat: " + duplicates);
            }
        }
    }

    @Test
    void theClaimsOfAKilledLeaderAreFreeAsSoonAsTheOtherLeads() throws Exception {
        long[] chats = chats(60);
        try (PostgresStateInteropTest.Server pg = new PostgresStateInteropTest.Server();
                FakeBotApi telegram = new FakeBotApi();
                BlackHoleProxy hole = new BlackHoleProxy(HubRunner.freePort())) {
            hole.blackHole(true);
            // the default lease (PT15S) and Bot API timeout (PT60S: a claim lasts 120 s); hub A's Bot API
            // calls go into a black hole, so each of its claims is in flight when it is killed
            Map<String, String> pa = hub(telegram, pg, "hub-a", chats);
            List.of("cluster.lease", "cluster.heartbeat", "telegram.http-timeout")
                    .forEach(pa::remove);
            Map<String, String> pb = new HashMap<>(pa);
            pb.put("cluster.hub-id", "hub-b");
            try (HubRunner b0 = new HubRunner(pb)) {
                await(Duration.ofSeconds(30), () -> leads(b0), "hub B leads alone");
                subscribeAll(telegram, chats);
            }
            pa.put("telegram.api-url", "http://127.0.0.1:" + hole.port());
            try (HubProcess a = new HubProcess(pa)) {
                assertTrue(a.awaitLeading("hub-a", Duration.ofSeconds(60)), "hub A (its own JVM) leads; log: " + a.log);
                try (HubRunner b = new HubRunner(pb)) {
                    String startsAt = Instant.now().toString();
                    List<String> names = new ArrayList<>();
                    for (int i = 0; i < chats.length; i++) {
                        names.add("C" + i + "_held");
                        assertEquals(
                                200,
                                b.postAlerts(AlertDeliveryTestAccess.payload("C" + i + "_held", startsAt))
                                        .statusCode());
                    }
                    await(Duration.ofSeconds(60), () -> claimedBy(pg, "hub-a") >= 60, "hub A claims 60 messages");
                    long killed = System.nanoTime();
                    a.process.destroyForcibly().waitFor();
                    await(Duration.ofSeconds(45), () -> leads(b), "hub B takes over");
                    double takeover = (System.nanoTime() - killed) / 1e9;
                    await(
                            Duration.ofSeconds(30),
                            () -> names.stream()
                                    .allMatch(n -> alertMessages(telegram).stream()
                                            .anyMatch(s -> s.text().contains(n + " "))),
                            "every claimed message delivered within takeover + 30 s");
                    double delivered = (System.nanoTime() - killed) / 1e9;
                    System.out.printf(
                            "claims of a killed leader: takeover %.1f s, all 60 delivered %.1f s after kill -9%n",
                            takeover, delivered);
                }
            }
        }
    }

    /** Outbox rows a hub holds a claim on. */
    static int claimedBy(PostgresStateInteropTest.Server pg, String hub) {
        try (Connection c = DriverManager.getConnection(pg.url, "opshub", "");
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM outbox WHERE claimed_by = ?")) {
            ps.setString(1, hub);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            return -1;
        }
    }

    @Test
    void aLeaderCutOffFromTheDatabaseStepsDownWithinTheLeaseAndTheOtherFinishes() throws Exception {
        long[] chats = chats(20);
        try (PostgresStateInteropTest.Server pg = new PostgresStateInteropTest.Server();
                FakeBotApi telegram = new FakeBotApi();
                BlackHoleProxy proxy = new BlackHoleProxy(pg.port)) {
            Map<String, String> pa = hub(telegram, pg, "hub-a", chats);
            pa.put("state.jdbc-url", "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres");
            pa.put("state.connect-timeout", "PT2S");
            pa.put("state.query-timeout", "PT2S");
            try (HubRunner a = new HubRunner(pa)) {
                await(Duration.ofSeconds(15), () -> leads(a), "hub A leads");
                try (HubRunner b = new HubRunner(hub(telegram, pg, "hub-b", chats))) {
                    List<String> names = queue(telegram, b, chats, 200);
                    await(Duration.ofSeconds(60), () -> alertsDelivered(telegram) >= 40, "hub A sends");
                    long cut = System.nanoTime();
                    proxy.blackHole(true);
                    await(Duration.ofSeconds(10), () -> !leads(a), "hub A steps down");
                    double down = (System.nanoTime() - cut) / 1e9;
                    await(Duration.ofSeconds(15), () -> leads(b), "hub B takes over");
                    double takeover = (System.nanoTime() - cut) / 1e9;
                    // a route stop waits for the tick in hand, which waits on the cut database (state.query-timeout)
                    await(
                            Duration.ofSeconds(15),
                            () -> a.context().getRouteController().getRouteStatus("telegram-outbox")
                                    == ServiceStatus.Stopped,
                            "hub A's sender stops");
                    boolean all = HubRunner.await(
                            Duration.ofSeconds(90),
                            () -> names.stream()
                                    .allMatch(n -> alertMessages(telegram).stream()
                                            .anyMatch(s -> s.text().contains(n + " "))));
                    assertTrue(all, "every message arrives; outbox now: " + outbox(pg));
                    long duplicates = duplicates(alertMessages(telegram));
                    System.out.printf(
                            "partition: hub A stepped down %.1f s after its database link was cut (lease 3 s),"
                                    + " hub B led after %.1f s, %d duplicates%n",
                            down, takeover, duplicates);
                    assertTrue(down <= 3.0, "the cut-off leader steps down within the lease: " + down);
                    assertTrue(duplicates <= chats.length, "at most the messages in flight at the cut: " + duplicates);
                    proxy.blackHole(false);
                }
            }
        }
    }

    @Test
    void aCheckThatGoesDownIsNotifiedOnceWithTwoHubs(@TempDir Path dir) throws Exception {
        long chat = 7001;
        try (PostgresStateInteropTest.Server pg = new PostgresStateInteropTest.Server();
                FakeBotApi telegram = new FakeBotApi();
                Socket closed = new Socket()) {
            closed.bind(new InetSocketAddress("127.0.0.1", 0)); // bound, never listening: refused
            Files.writeString(
                    dir.resolve("checks.yaml"),
                    ServiceChecksTestAccess.tcpCheck(
                            "db",
                            closed.getLocalPort(),
                            ServiceChecksTestAccess.param("period", "200ms")
                                    + ServiceChecksTestAccess.param("failureThreshold", "1")));
            List<HubRunner> hubs = new ArrayList<>();
            try {
                for (String id : List.of("hub-a", "hub-b")) {
                    Map<String, String> p = hub(telegram, pg, id, new long[] {chat});
                    p.put(
                            "camel.main.routesIncludePattern",
                            "file:routes/http-answers.yaml,file:routes/observability.yaml,file:routes/alert-delivery.yaml,"
                                    + "file:routes/service-checks.yaml,file:" + dir.resolve("checks.yaml"));
                    p.put("camel.main.routesReloadDirectory", dir.toString());
                    p.put("checks.chats", Long.toString(chat));
                    p.put("checks.notify-window", "00:00-24:00");
                    hubs.add(new HubRunner(p));
                }
                await(
                        Duration.ofSeconds(20),
                        () -> telegram.texts(chat).stream().anyMatch(t -> t.contains("db")),
                        "DOWN notified");
                Thread.sleep(3000); // both hubs would have probed many times by now
                List<String> down = telegram.texts(chat).stream()
                        .filter(t -> t.contains("DOWN") && t.contains("db"))
                        .toList();
                assertEquals(1, down.size(), "one DOWN notification with two hubs: " + down);
            } finally {
                for (HubRunner h : hubs) {
                    h.close();
                }
            }
        }
    }

    /** The first outbox rows as the store has them (for a failure message). */
    private static String outbox(PostgresStateInteropTest.Server pg) {
        StringBuilder b = new StringBuilder();
        try (Connection c = DriverManager.getConnection(pg.url, "opshub", "");
                ResultSet rs = c.createStatement()
                        .executeQuery("SELECT id, chat_id, claimed_by, claimed_until,"
                                + " next_attempt_at, attempts, last_error FROM outbox ORDER BY id LIMIT 12")) {
            long now = System.currentTimeMillis();
            while (rs.next()) {
                b.append(String.format(
                        "%n id %d chat %d by %s until %+d next %+d attempts %d error %s",
                        rs.getLong(1),
                        rs.getLong(2),
                        rs.getString(3),
                        rs.getLong(4) - now,
                        rs.getLong(5) - now,
                        rs.getInt(6),
                        rs.getString(7)));
            }
        } catch (SQLException e) {
            b.append(e);
        }
        return b.toString();
    }
}
