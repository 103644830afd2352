package org.opshub.telegram;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opshub.HubRunner;

/**
 * The answer classes of getUpdates as telegram-updates decides them, against the fake Bot API: a
 * 429 is honoured for its retry_after (Telegram's flood control), a 5xx backs off, and polling (and
 * the bot's answers) go on after both.
 */
class GetUpdatesAnswersTest {

    @Test
    void a429IsHonouredForItsRetryAfterAndPollingGoesOn() throws Exception {
        try (FakeBotApi telegram = new FakeBotApi()) {
            Map<String, String> p = telegram.hubProperties(1);
            try (HubRunner hub = new HubRunner(p)) {
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10),
                        () -> !telegram.getUpdatesTimes().isEmpty()));
                telegram.scriptGetUpdates(FakeBotApi.Answer.tooManyRequests(3));
                telegram.userSays(1, "/help");
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(20), () -> !telegram.texts(1).isEmpty()),
                        "the bot answers after the throttling");
                List<Long> at = telegram.getUpdatesTimes();
                long answered429 = telegram.getUpdatesScriptedTimes().get(0);
                long next = at.stream().filter(t -> t > answered429).findFirst().orElseThrow();
                assertTrue(
                        next - answered429 >= 2900,
                        "getUpdates again " + (next - answered429) + " ms after a 429 with retry_after 3: " + gaps(at));
            }
        }
    }

    @Test
    void aServerErrorBacksOffAndPollingGoesOn() throws Exception {
        try (FakeBotApi telegram = new FakeBotApi()) {
            try (HubRunner hub = new HubRunner(telegram.hubProperties(1))) {
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10),
                        () -> !telegram.getUpdatesTimes().isEmpty()));
                telegram.scriptGetUpdates(FakeBotApi.Answer.serverError(), FakeBotApi.Answer.serverError());
                telegram.userSays(1, "/help");
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(20), () -> !telegram.texts(1).isEmpty()),
                        "the bot answers after the errors");
            }
        }
    }

    private static String gaps(List<Long> at) {
        StringBuilder s = new StringBuilder();
        for (int i = 1; i < at.size(); i++) {
            s.append(at.get(i) - at.get(i - 1)).append(" ms ");
        }
        return s.toString();
    }
}
