package org.opshub.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opshub.HubRunner;
import org.opshub.telegram.AlertDeliveryTestAccess;
import org.opshub.telegram.FakeBotApi;

/**
 * Quiet hours with a morning digest, on a test clock: during the night three checks
 * fail and recover and one stays down; an urgent check notifies at 03:00; with telegram.quiet-hours an
 * alert of an ordinary subscription is held and one of an urgent subscription is sent. At 07:00 each
 * chat gets one digest with exactly those facts, then the still-down check's DOWN message, and no
 * single message for the recovered ones.
 */
class QuietDigestTest {
    static final long OPS = 5101;
    static final long WARD = 5102;
    static final String BEARER = "quiet-bearer";
    static final Instant NIGHT = Instant.parse("2026-11-23T03:00:00Z");

    @TempDir
    Path dir;

    HubRunner hub;
    FakeBotApi telegram;
    final List<ServiceChecksTest.TcpTarget> targets = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (ServiceChecksTest.TcpTarget t : targets) {
            t.close();
        }
        if (hub != null) {
            hub.close();
        }
        if (telegram != null) {
            telegram.close();
        }
    }

    private List<String> texts(long chat) {
        return telegram.delivered(chat).stream().map(FakeBotApi.Sent::text).toList();
    }

    private double up(String check) {
        return hub.metricOrMinusOne("check_up", "check=\"" + check + "\"");
    }

    @Test
    void oneDigestPerChatAtSevenThenOnlyTheStillDownCheckAndUrgentOnesNotifyAtNight() throws Exception {
        String[] names = {"alpha", "bravo", "charlie", "delta", "ct-scanner"};
        StringBuilder yaml = new StringBuilder();
        for (String n : names) {
            ServiceChecksTest.TcpTarget t = new ServiceChecksTest.TcpTarget(0);
            targets.add(t);
            yaml.append(ServiceChecksTest.tcpCheck(
                    n,
                    t.port(),
                    ServiceChecksTest.param("period", "200ms")
                            + ServiceChecksTest.param("failureThreshold", "1")
                            + (n.equals("ct-scanner") ? ServiceChecksTest.param("urgent", "true") : "")));
        }
        Files.writeString(dir.resolve("checks.yaml"), yaml.toString());
        telegram = new FakeBotApi();
        Map<String, String> p = new HashMap<>(telegram.hubProperties(OPS, WARD));
        p.put(
                "camel.main.routesIncludePattern",
                "file:routes/http-answers.yaml,file:routes/observability.yaml,file:routes/alert-delivery.yaml,"
                        + "file:routes/service-checks.yaml,file:routes/telegram-bot.yaml,file:"
                        + dir.resolve("checks.yaml"));
        p.put("camel.main.routesReloadDirectory", dir.toString());
        p.put("checks.chats", OPS + "," + WARD);
        p.put("checks.timezone", "UTC");
        p.put("checks.notify-window", "07:00-20:00");
        p.put("telegram.quiet-hours", "true");
        p.put("telegram.timezone", "UTC");
        p.put("alertmanager.bearer-token", BEARER);
        MutableClock clock = new MutableClock(NIGHT);
        hub = new HubRunner(p, Map.of("opshubClock", clock));
        // the ward reads Russian
        telegram.userSays(WARD, "/language ru");
        assertTrue(
                HubRunner.await(Duration.ofSeconds(10), () -> texts(WARD).size() == 1),
                texts(WARD).toString());
        telegram.userSays(WARD, "/subscribe Night.*");
        telegram.userSays(WARD, "/subscribe CtDown urgent");
        assertTrue(
                HubRunner.await(Duration.ofSeconds(10), () -> texts(WARD).size() == 3),
                texts(WARD).toString());
        assertEquals(
                "Подписка на <code>CtDown</code> оформлена (срочная: и в тихие часы).",
                texts(WARD).get(2));
        for (String n : names) {
            assertTrue(HubRunner.await(Duration.ofSeconds(10), () -> up(n) == 1.0), n);
        }

        // 03:00: every target fails; only the urgent check notifies
        List<Integer> ports =
                targets.stream().map(ServiceChecksTest.TcpTarget::port).toList();
        for (ServiceChecksTest.TcpTarget t : targets) {
            t.close();
        }
        for (String n : names) {
            assertTrue(HubRunner.await(Duration.ofSeconds(10), () -> up(n) == 0.0), n);
        }
        assertTrue(
                HubRunner.await(Duration.ofSeconds(10), () -> texts(OPS).size() == 1),
                texts(OPS).toString());
        assertTrue(
                texts(OPS).get(0).startsWith("\uD83D\uDD34 <b>DOWN</b> ct-scanner (tcp)"),
                texts(OPS).get(0));
        assertTrue(
                texts(OPS).get(0).contains("Down since: 2026-11-23 03:00:00 UTC"),
                texts(OPS).get(0));
        assertTrue(
                HubRunner.await(
                        Duration.ofSeconds(10),
                        () -> texts(WARD).stream()
                                .anyMatch(t -> t.startsWith(
                                        "\uD83D\uDD34 <b>НЕДОСТУПНА</b> ct-scanner (tcp)\nЦель: 127.0.0.1:"))),
                texts(WARD).toString());
        assertTrue(
                texts(WARD).stream().anyMatch(t -> t.contains("Недоступна с: 23.11.2026 03:00:00 UTC")),
                texts(WARD).toString());

        // alerts at night: the ordinary subscription's are held, the urgent one's is sent
        for (String alert : List.of("NightDiskFull", "NightBackupLate", "NightDiskFull", "CtDown")) {
            byte[] body = AlertDeliveryTestAccess.payload(alert, "2026-11-23T03:1" + alerts++ + ":00Z");
            assertEquals(
                    200,
                    hub.postAlerts(body, "Authorization", "Bearer " + BEARER).statusCode());
        }
        assertTrue(HubRunner.await(
                Duration.ofSeconds(10), () -> texts(WARD).stream().anyMatch(t -> t.contains("<b>АКТИВНО</b> CtDown"))));
        String ct = texts(WARD).stream()
                .filter(t -> t.contains("<b>АКТИВНО</b> CtDown"))
                .findFirst()
                .orElseThrow();
        assertTrue(ct.contains("Начало: 23.11.2026 03:13:00 UTC") && ct.contains(">Источник</a>"), ct);

        // 03:30: three come back
        clock.set(NIGHT.plus(Duration.ofMinutes(30)));
        targets.clear();
        for (int i = 0; i < 3; i++) {
            targets.add(new ServiceChecksTest.TcpTarget(ports.get(i)));
        }
        for (String n : List.of("alpha", "bravo", "charlie")) {
            assertTrue(HubRunner.await(Duration.ofSeconds(10), () -> up(n) == 1.0), n);
        }
        Thread.sleep(1500);
        assertEquals(1, texts(OPS).size(), "nothing else during the night: " + texts(OPS));
        assertEquals(5, texts(WARD).size(), "the three replies, the urgent check and the urgent alert: " + texts(WARD));

        // 07:00: the window opens
        clock.set(Instant.parse("2026-11-23T07:00:00Z"));
        assertTrue(
                HubRunner.await(Duration.ofSeconds(10), () -> texts(OPS).size() == 3),
                texts(OPS).toString());
        Thread.sleep(1500);
        List<String> ops = texts(OPS);
        assertEquals(3, ops.size(), "the digest and delta's DOWN, nothing for the recovered: " + ops);
        String digest = ops.get(1);
        assertEquals(
                "\uD83C\uDF05 <b>Quiet hours summary</b> (20:00\u201307:00)\n\n"
                        + "<b>Down and back:</b>\n"
                        + "\uD83D\uDFE2 alpha: down 03:00, back 03:30 (30m)\n"
                        + "\uD83D\uDFE2 bravo: down 03:00, back 03:30 (30m)\n"
                        + "\uD83D\uDFE2 charlie: down 03:00, back 03:30 (30m)\n\n"
                        + "<b>Still down:</b>\n"
                        + "\uD83D\uDD34 delta: since 03:00 (4h 0m)",
                digest);
        assertTrue(ops.get(2).startsWith("\uD83D\uDD34 <b>DOWN</b> delta (tcp)"), ops.get(2));
        assertTrue(
                HubRunner.await(Duration.ofSeconds(5), () -> texts(WARD).size() == 7),
                texts(WARD).toString());
        List<String> ward = texts(WARD);
        assertEquals(
                "\uD83C\uDF05 <b>Итоги тихих часов</b> (20:00\u201307:00)\n\n"
                        + "<b>Падали и восстановились:</b>\n"
                        + "\uD83D\uDFE2 alpha: упала 03:00, вернулась 03:30 (30 мин)\n"
                        + "\uD83D\uDFE2 bravo: упала 03:00, вернулась 03:30 (30 мин)\n"
                        + "\uD83D\uDFE2 charlie: упала 03:00, вернулась 03:30 (30 мин)\n\n"
                        + "<b>Всё ещё недоступны:</b>\n"
                        + "\uD83D\uDD34 delta: с 03:00 (4 ч 0 мин)\n\n"
                        + "<b>Отложенные оповещения:</b>\n\uD83D\uDD25 NightBackupLate: 1\n\uD83D\uDD25 NightDiskFull: 2",
                ward.get(5),
                "the same facts in Russian, and this chat's held alerts");
        assertTrue(ward.get(6).startsWith("\uD83D\uDD34 <b>НЕДОСТУПНА</b> delta (tcp)"), ward.get(6));
        Thread.sleep(1000);
        assertEquals(3, texts(OPS).size(), "one digest only: " + texts(OPS));
        assertEquals(7, texts(WARD).size(), "one digest only: " + texts(WARD));
        assertTrue(
                texts(WARD).stream().noneMatch(t -> t.contains("NightDiskFull</b>") || t.contains("RECOVERED")),
                texts(WARD).toString());
    }

    private int alerts;
}
