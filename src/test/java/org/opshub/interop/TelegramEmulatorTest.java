package org.opshub.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.opshub.HubRunner;

/**
 * The command conversation against the telegram-test-api emulator from npm (a Bot API no one
 * here wrote): the hub long-polls it, answers commands, and delivers a subscribed alert.
 */
@Tag("interop")
class TelegramEmulatorTest {
    static final long OPS = 501;
    static final long STRANGER = 777;

    @Test
    void aConversationSubscribesListsAndReceivesAnAlert() throws Exception {
        try (TelegramEmulator telegram = new TelegramEmulator("4242:EMULATOR");
                HubRunner hub = new HubRunner(Map.of(
                        "telegram.token",
                        telegram.token,
                        "telegram.api-url",
                        telegram.url(),
                        "telegram.allowed-chats",
                        Long.toString(OPS),
                        "telegram.timezone",
                        "UTC"))) {
            List<String> chat = new ArrayList<>();
            telegram.command(OPS, "/start");
            assertTrue(reply(telegram, OPS, chat, "/subscribe &lt;pattern&gt;"), chat.toString());
            telegram.command(OPS, "/regexp [z-a]");
            assertTrue(
                    reply(
                            telegram,
                            OPS,
                            chat,
                            "Invalid pattern <code>[z-a]</code>: error parsing regexp: invalid character class range"),
                    chat.toString());
            telegram.command(OPS, "/subscribe StudiesNotSent");
            assertTrue(reply(telegram, OPS, chat, "Subscribed to <code>StudiesNotSent</code>."), chat.toString());
            telegram.command(OPS, "/list");
            assertTrue(reply(telegram, OPS, chat, "Subscriptions:\n<code>StudiesNotSent</code>"), chat.toString());

            try (InputStream in = getClass().getResourceAsStream("/alertmanager/firing-real-0.25.json")) {
                assertEquals(200, hub.postAlerts(in.readAllBytes()).statusCode());
            }
            assertTrue(
                    reply(telegram, OPS, chat, "\uD83D\uDD25 <b>FIRING</b> StudiesNotSent [critical]"),
                    chat.toString());
            String alert =
                    chat.stream().filter(t -> t.contains("FIRING")).findFirst().orElseThrow();
            assertTrue(
                    alert.contains("<b>3 studies not sent to DST</b>\nИсследования не отправлены: 3 (127.0.0.1:19100)"),
                    alert);
            assertTrue(alert.contains("Started: 2026-11-21 02:23:14 UTC"), alert);

            telegram.command(OPS, "/alerts");
            assertTrue(
                    reply(
                            telegram,
                            OPS,
                            chat,
                            "Firing (1):\n\uD83D\uDD25 <b>StudiesNotSent</b> [critical] 3 studies not sent to DST"),
                    chat.toString());
            try (InputStream in = getClass().getResourceAsStream("/alertmanager/resolved-real-0.25.json")) {
                assertEquals(200, hub.postAlerts(in.readAllBytes()).statusCode());
            }
            assertTrue(reply(telegram, OPS, chat, "\u2705 <b>RESOLVED</b> StudiesNotSent"), chat.toString());
            telegram.command(OPS, "/alerts");
            assertTrue(reply(telegram, OPS, chat, "No alerts firing."), chat.toString());
            telegram.command(OPS, "/status");
            assertTrue(reply(telegram, OPS, chat, "Last delivery error: none"), chat.toString());
            telegram.command(OPS, "/unsubscribe all");
            assertTrue(reply(telegram, OPS, chat, "Removed 1 pattern."), chat.toString());

            List<String> stranger = new ArrayList<>();
            telegram.command(STRANGER, "/start");
            assertTrue(reply(telegram, STRANGER, stranger, "Its chat id is <code>777</code>"), stranger.toString());
            telegram.command(STRANGER, "/list");
            Thread.sleep(1500);
            collect(telegram, STRANGER, stranger);
            assertEquals(1, stranger.size(), stranger.toString());
        }
    }

    private static boolean reply(TelegramEmulator telegram, long chat, List<String> seen, String part)
            throws InterruptedException {
        return HubRunner.await(Duration.ofSeconds(10), () -> {
            try {
                collect(telegram, chat, seen);
            } catch (Exception e) {
                return false;
            }
            return seen.stream().anyMatch(t -> t.contains(part));
        });
    }

    private static void collect(TelegramEmulator telegram, long chat, List<String> seen) throws Exception {
        for (JsonNode m : telegram.received(chat)) {
            seen.add(m.path("text").asText());
        }
    }
}
