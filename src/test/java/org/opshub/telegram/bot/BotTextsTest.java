package org.opshub.telegram.bot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.opshub.HubRunner;
import org.opshub.telegram.AlertDeliveryTestAccess;
import org.opshub.telegram.FakeBotApi;
import org.opshub.telegram.outbox.Texts;

/**
 * The bot in Russian and English: every key the code uses is in both
 * templates/messages_*.properties, the two files have the same keys, the classes that write replies
 * hold no sentence in a string literal, and every command's reply in both languages, against the fake
 * Bot API, is the snapshot in src/test/resources/bot/replies_{en,ru}.txt.
 */
class BotTextsTest {
    /** {@code texts.t(lang, "key"}, {@code t(lang, "key"}, {@code t(step.chatId(), "key"} and {@code t("key"} in the code. */
    private static final Pattern USED = Pattern.compile(
            "(?:texts\\.t|\\bt)\\((?:[\\w.]+(?:\\(\\))?,\\s*)?(?:[^\"]*\\?\\s*)?\"([a-z][a-z0-9-]*\\.[a-z0-9.-]*[a-z0-9])\"");

    private static final Pattern ALSO = Pattern.compile(":\\s*\"([a-z][a-z0-9-]+\\.[a-z0-9.-]+)\"");
    private static final List<String> REPLY_CLASSES = List.of(
            "src/main/java/org/opshub/telegram/bot/BotCommands.java",
            "src/main/java/org/opshub/telegram/bot/StatusText.java",
            "src/main/java/org/opshub/telegram/bot/ListTexts.java",
            "src/main/java/org/opshub/telegram/bot/ResendButtons.java",
            "src/main/java/org/opshub/telegram/bot/ResendText.java",
            "src/main/java/org/opshub/alerts/AlertDecorations.java",
            "src/main/java/org/opshub/checks/CheckNotification.java",
            "src/main/java/org/opshub/checks/Digest.java",
            "src/main/java/org/opshub/checks/CheckMaintenance.java",
            "src/main/java/org/opshub/checks/MaintenanceCommands.java");

    @Test
    void everyKeyTheCodeUsesIsInBothLanguagesAndTheFilesHaveTheSameKeys() throws Exception {
        Texts texts = new Texts(Path.of("templates"));
        assertEquals(
                texts.keys("en"), texts.keys("ru"), "messages_en.properties and messages_ru.properties: the same keys");
        Set<String> used = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String code = Files.readString(f);
                Matcher m = USED.matcher(code);
                while (m.find()) {
                    used.add(m.group(1));
                }
                if (code.contains("texts.t(")) {
                    Matcher also = ALSO.matcher(code);
                    while (also.find()) {
                        used.add(also.group(1));
                    }
                }
            }
        }
        used.add("language.name.en");
        used.add("language.name.ru");
        assertTrue(used.size() > 60, "keys found in the code: " + used);
        for (String lang : Texts.LANGUAGES) {
            Set<String> missing = new TreeSet<>(used);
            missing.removeAll(texts.keys(lang));
            assertEquals(Set.of(), missing, "keys used in the code but not in messages_" + lang + ".properties");
        }
    }

    @Test
    void theReplyClassesHoldNoSentenceInAStringLiteral() throws Exception {
        Pattern sentence = Pattern.compile("\"[^\"\\n]*[A-Za-z]{2,} [a-z]{2,}[^\"\\n]*\"");
        List<String> found = new ArrayList<>();
        for (String file : REPLY_CLASSES) {
            List<String> lines = Files.readAllLines(Path.of(file));
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.startsWith("*")
                        || line.startsWith("//")
                        || line.startsWith("/*")
                        || line.contains("LOG.")
                        || i > 0
                                && lines.get(i - 1).contains("LOG.")
                                && !lines.get(i - 1).strip().endsWith(";")) {
                    continue;
                }
                Matcher m = sentence.matcher(line);
                while (m.find()) {
                    found.add(file + ":" + (i + 1) + " " + m.group());
                }
            }
        }
        assertEquals(List.of(), found, "reply text belongs in templates/messages_*.properties");
    }

    @Test
    void everyCommandRepliesInBothLanguagesAsTheSnapshotsSay() throws Exception {
        long en = 6101;
        long ru = 6102;
        try (FakeBotApi telegram = new FakeBotApi()) {
            Map<String, String> p = telegram.hubProperties(en, ru);
            p.put("telegram.timezone", "UTC");
            // the shipped routes but checks.yaml (its disk check's state would depend on this machine)
            p.put(
                    "camel.main.routesIncludePattern",
                    "file:routes/http-answers.yaml,file:routes/observability.yaml,file:routes/alert-delivery.yaml,"
                            + "file:routes/telegram-bot.yaml,file:routes/service-checks.yaml,file:routes/pacs-forwarding.yaml,"
                            + "file:routes/grafana.yaml,file:routes/cloudflare-stream.yaml");
            try (HubRunner hub = new HubRunner(p)) {
                ask(telegram, ru, "/language ru");
                assertEquals("Теперь бот говорит в этом чате по-русски.", last(telegram, ru));
                for (long chat : new long[] {en, ru}) {
                    List<String> replies = new ArrayList<>();
                    for (String command : List.of(
                            "/help",
                            "/subscribe",
                            "/subscribe Pacs.*",
                            "/subscribe Pacs.*",
                            "/subscribe CT urgent",
                            "/subscribe severity=(critical",
                            "/list",
                            "/unsubscribe",
                            "/unsubscribe Nothing",
                            "/unsubscribe Pacs.*",
                            "/unsubscribe all",
                            "/alerts",
                            "/acks",
                            "/missing",
                            "/status",
                            "/dashboards",
                            "/graph pacs",
                            "/language",
                            "/language de",
                            "/maintenance",
                            "/maintenance nosuch 2h",
                            "/maintenance list",
                            "/maintenance end 99",
                            "/nonsense")) {
                        ask(telegram, chat, command);
                        String reply = last(telegram, chat);
                        if (command.equals("/status")) {
                            // the outbox as of the last drain: its size and age vary from run to run
                            reply = reply.replaceAll("\\d+", "N").replaceAll(", (oldest|самое старое) [^\\n]*", "");
                        }
                        replies.add("> " + command + "\n" + reply);
                    }
                    Files.createDirectories(Path.of("target"));
                    Files.writeString(
                            Path.of("target/replies_" + (chat == en ? "en" : "ru") + ".txt"),
                            String.join("\n\n", replies) + "\n");
                }
                for (String lang : Texts.LANGUAGES) {
                    assertEquals(
                            Files.readString(
                                    Path.of("src/test/resources/bot/replies_" + lang + ".txt"), StandardCharsets.UTF_8),
                            Files.readString(Path.of("target/replies_" + lang + ".txt")),
                            "the replies in " + lang + " (this run's in target/replies_" + lang + ".txt)");
                }
            }
        }
    }

    @Test
    void anAlertInARussianChatHasItsTextButtonsAndDatesInRussian() throws Exception {
        long ru = 6201;
        long en = 6202;
        try (FakeBotApi telegram = new FakeBotApi()) {
            Map<String, String> p = telegram.hubProperties(ru, en);
            p.put("telegram.timezone", "UTC");
            p.put("alertmanager.api-url", "http://127.0.0.1:9"); // buttons on; nothing is pressed here
            try (HubRunner hub = new HubRunner(p)) {
                ask(telegram, ru, "/language ru");
                ask(telegram, ru, "/subscribe Pacs.*");
                ask(telegram, en, "/subscribe Pacs.*");
                assertEquals(
                        200,
                        hub.postAlerts(AlertDeliveryTestAccess.payload("PacsDown", "2026-11-21T09:00:00Z"))
                                .statusCode());
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10),
                        () -> telegram.keyboards(ru).size() == 1
                                && telegram.keyboards(en).size() == 1));
                JsonNode ruMessage = telegram.keyboards(ru).get(0);
                assertTrue(
                        ruMessage.path("text").asText().startsWith("\uD83D\uDD25 <b>АКТИВНО</b> PacsDown [info]"),
                        ruMessage.path("text").asText());
                assertTrue(
                        ruMessage.path("text").asText().contains("Начало: 21.11.2026 09:00:00 UTC"),
                        ruMessage.path("text").asText());
                assertEquals(
                        List.of(
                                "\u2705 Принять",
                                "\uD83D\uDD15 Заглушить 1 ч",
                                "\uD83D\uDD15 Заглушить 4 ч",
                                "\uD83D\uDD15 Заглушить 24 ч"),
                        ruMessage
                                .path("reply_markup")
                                .path("inline_keyboard")
                                .get(0)
                                .findValuesAsText("text"));
                JsonNode enMessage = telegram.keyboards(en).get(0);
                assertTrue(
                        enMessage.path("text").asText().contains("Started: 2026-11-21 09:00:00 UTC"),
                        enMessage.path("text").asText());
                assertEquals(
                        List.of(
                                "\u2705 Ack",
                                "\uD83D\uDD15 Silence 1h",
                                "\uD83D\uDD15 Silence 4h",
                                "\uD83D\uDD15 Silence 24h"),
                        enMessage
                                .path("reply_markup")
                                .path("inline_keyboard")
                                .get(0)
                                .findValuesAsText("text"));
            }
        }
    }

    private static void ask(FakeBotApi telegram, long chat, String command) throws Exception {
        int before = telegram.texts(chat).size();
        telegram.userSays(chat, command);
        assertTrue(
                HubRunner.await(
                        Duration.ofSeconds(10), () -> telegram.texts(chat).size() > before),
                "no reply to " + command);
    }

    private static String last(FakeBotApi telegram, long chat) {
        List<String> t = telegram.texts(chat);
        return t.get(t.size() - 1);
    }
}
