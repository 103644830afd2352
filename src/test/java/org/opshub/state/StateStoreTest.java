package org.opshub.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opshub.alerts.SubscriptionStore;
import org.opshub.config.ConfigException;
import org.opshub.telegram.Delivery;
import org.opshub.telegram.outbox.OutboxMessage;
import org.opshub.telegram.outbox.OutboxStore;
import org.opshub.telegram.outbox.TelegramSettings;

/** The store on every H2 URL form, its error classes, and the outbox claim when a delete fails. */
class StateStoreTest {
    @TempDir
    Path tmp;

    @Test
    void everyH2UrlFormGetsThePostgresqlSettingsTheSqlNeeds() {
        for (String url : List.of(
                "jdbc:h2:file:" + tmp.resolve("hub"),
                "jdbc:h2:mem:forms;DB_CLOSE_DELAY=-1",
                "jdbc:h2:" + tmp.resolve("plain") + ";MODE=MySQL")) {
            try (StateStore store = StateStore.open(url, "sa", "", tmp)) {
                int n = store.inTransaction(c -> {
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO bot_state (state_key, state_value) VALUES ('k', 'v') ON CONFLICT DO NOTHING")) {
                        ps.executeUpdate();
                        return ps.executeUpdate();
                    }
                });
                assertEquals(0, n, url + ": ON CONFLICT works");
            }
        }
        assertEquals(
                "jdbc:h2:mem:x;DB_CLOSE_DELAY=-1" + StateStore.H2_SETTINGS + ";QUERY_TIMEOUT=30000",
                StateStore.h2("jdbc:h2:mem:x;MODE=Oracle;DB_CLOSE_DELAY=-1", 30000));
    }

    @Test
    void anotherDatabaseIsAConfigurationErrorThatHidesThePassword() {
        ConfigException e = assertThrows(
                ConfigException.class,
                () -> StateStore.open("jdbc:mysql://db/hub?user=u&password=hunter2", "", "", tmp));
        assertEquals("state.jdbc-url", e.key());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertTrue(e.getMessage().contains("jdbc:postgresql"), e.getMessage());
    }

    @Test
    void dataErrorsArePermanentConnectionAndTimeoutErrorsTransient() {
        assertTrue(StateStore.isTransient(new SQLException("broken pipe", "08006")));
        assertTrue(StateStore.isTransient(new SQLException("canceling statement due to statement timeout", "57014")));
        assertTrue(StateStore.isTransient(new SQLException("deadlock", "40P01")));
        assertTrue(StateStore.isTransient(new SQLException("Timeout", "HYT00")));
        assertTrue(StateStore.isTransient(new SQLTransientConnectionException("pool timeout")));
        assertFalse(StateStore.isTransient(new SQLException("value too long", "22001")));
        assertFalse(StateStore.isTransient(new SQLException("duplicate key", "23505")));
        assertTrue(
                StateStore.isTransient(new SQLException("relation \"subscription\" does not exist", "42P01")),
                "a broken schema fails every item: they wait for the fix instead of being lost");
        try (StateStore store = StateStore.open("jdbc:h2:mem:classes;DB_CLOSE_DELAY=-1", "sa", "", tmp)) {
            StateDataException e = assertThrows(
                    StateDataException.class,
                    () -> store.inTransaction(c -> {
                        try (PreparedStatement ps =
                                c.prepareStatement("INSERT INTO bot_state (state_key, state_value) VALUES (?, 'v')")) {
                            ps.setString(1, "x".repeat(500));
                            return ps.executeUpdate();
                        }
                    }));
            assertTrue(e.sqlState().startsWith("22"), e.sqlState());
        }
    }

    /** Telegram settings of a hub that sends to these chats (no console mode, an hour to deliver). */
    private static TelegramSettings sending(String allowedChats) {
        return TelegramSettings.from(
                Map.of(
                        "telegram.token",
                        "1:x",
                        "telegram.allowed-chats",
                        allowedChats,
                        "telegram.max-delivery-age",
                        "PT1H")::get);
    }

    @Test
    void theSendLimitsHoldAcrossARestart() throws Exception {
        String url = "jdbc:h2:mem:sendlog;DB_CLOSE_DELAY=-1";
        try (StateStore store = StateStore.open(url, "sa", "", tmp)) {
            TelegramSettings settings = sending("-100");
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            OutboxStore outbox = new OutboxStore(store, registry);
            long now = System.currentTimeMillis();
            store.inTransaction(c -> {
                for (int i = 0; i < 3; i++) {
                    OutboxStore.enqueue(c, -100, "alert", "g" + i, "message " + i, null, now);
                }
                return 1;
            });
            Delivery before = new Delivery(settings, store, outbox, new SubscriptionStore(store), registry);
            for (int i = 0; i < 2; i++) { // 2 per minute to the group: two sends, one by one
                OutboxMessage m = before.claim(30, 1, 2).get(0);
                before.awaitSendSlot(m); // as the route does right before the call: logs the send
                outbox.delete(m.id());
                before.unclaim(m);
            }
            assertEquals(List.of(), before.claim(30, 1, 2), "the group's minute is used up");

            Delivery after = new Delivery(settings, store, outbox, new SubscriptionStore(store), registry);
            assertEquals(
                    List.of(),
                    after.claim(30, 1, 2),
                    "a restarted hub knows the sends of the last minute from the send log, so it does not send again at once");
            assertEquals(1, outbox.pending());
        }
    }

    @Test
    void aDeleteThatFailsAfterTheClaimLeavesNoChatStuck() throws Exception {
        String url = "jdbc:h2:mem:claim;DB_CLOSE_DELAY=-1";
        try (StateStore store = StateStore.open(url, "sa", "", tmp)) {
            TelegramSettings settings = sending("1,2");
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            OutboxStore outbox = new OutboxStore(store, registry);
            Delivery delivery = new Delivery(settings, store, outbox, new SubscriptionStore(store), registry);
            long now = System.currentTimeMillis();
            store.inTransaction(c -> {
                OutboxStore.enqueue(c, 2, "alert", "fresh-1", "fresh for chat 2", null, now);
                OutboxStore.enqueue(c, 1, "alert", "old", "expired for chat 1", null, now - 7_200_000);
                try (PreparedStatement ps = c.prepareStatement("CREATE TRIGGER fail_delete BEFORE DELETE ON outbox"
                        + " FOR EACH ROW CALL \"" + FailOnceTrigger.class.getName() + "\"")) {
                    return ps.executeUpdate();
                }
            });
            FailOnceTrigger.ARMED.set(1);
            List<OutboxMessage> first = delivery.claim();
            assertEquals(1, FailOnceTrigger.FAILED.get(), "the expiry delete failed once");
            assertEquals(List.of(2L), first.stream().map(OutboxMessage::chatId).toList(), "chat 2 still goes out");
            outbox.delete(first.get(0).id());
            delivery.unclaim(first.get(0));
            store.inTransaction(c -> OutboxStore.enqueue(c, 2, "alert", "fresh-2", "second for chat 2", null, now));
            Thread.sleep(1100); // chat 2 is a private chat: one message a second
            List<OutboxMessage> second = delivery.claim();
            assertEquals(
                    List.of("second for chat 2"),
                    second.stream().map(OutboxMessage::text).toList(),
                    "chat 2 is not left in flight, and chat 1's expired message is dropped on the next tick");
            assertEquals(
                    1,
                    registry.get("telegram_messages_dropped_total")
                            .tag("reason", "expired")
                            .counter()
                            .count());
        }
    }

    @Test
    void oneCommitKeepsWhatSucceededDropsWhatFailedAndTellsTheHooksOnlyAfterTheEnd() {
        try (StateStore store = StateStore.open("jdbc:h2:mem:onecommit;DB_CLOSE_DELAY=-1", "sa", "", tmp)) {
            List<String> told = new ArrayList<>();
            store.inOneCommit(() -> {
                store.inTransaction(
                        c -> StateStore.update(c, "INSERT INTO bot_state (state_key, state_value) VALUES ('a', '1')"));
                store.afterCommit(() -> told.add("a committed"), () -> told.add("a rolled back"));
                assertThrows(
                        StateDataException.class,
                        () -> store.inTransaction(c -> {
                            StateStore.update(c, "INSERT INTO bot_state (state_key, state_value) VALUES ('b', '1')");
                            return StateStore.update(
                                    c,
                                    "INSERT INTO bot_state (state_key, state_value) VALUES (?, 'v')",
                                    "x".repeat(500));
                        }),
                        "a refused inner transaction reaches its caller as usual");
                assertEquals(List.of(), told, "nothing is committed before the unit ends");
            });
            assertEquals(List.of("a committed"), told);
            assertEquals(List.of("a"), keys(store), "the inner transaction that failed is rolled back alone (b too)");

            told.clear();
            assertThrows(
                    IllegalStateException.class,
                    () -> store.inOneCommit(() -> {
                        store.inTransaction(c -> StateStore.update(
                                c, "INSERT INTO bot_state (state_key, state_value) VALUES ('c', '1')"));
                        store.afterCommit(() -> told.add("c committed"), () -> told.add("c rolled back"));
                        throw new IllegalStateException("the work failed");
                    }));
            assertEquals(List.of("c rolled back"), told);
            assertEquals(List.of("a"), keys(store), "nothing of a failed unit is stored");

            told.clear();
            store.afterCommit(() -> told.add("outside"), () -> told.add("never"));
            assertEquals(List.of("outside"), told, "outside a unit every transaction has committed already");
        }
    }

    private static List<String> keys(StateStore store) {
        return store.inTransaction(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT state_key FROM bot_state ORDER BY state_key");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
    }
}
