package org.opshub.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opshub.telegram.outbox.ChatTopic;
import org.opshub.telegram.outbox.Texts;

/** The morning digest shows the tree: the checks behind a check (dependsOn) under its line. */
class DigestTreeTest {
    @Test
    void theChecksBehindACheckAreListedUnderItsLineInBothLanguages() {
        NotifyWindow window = NotifyWindow.parse("07:00-20:00", "MON-SUN", ZoneOffset.UTC);
        Instant at = Instant.parse("2026-11-24T07:00:00Z");
        Digest d = new Digest(
                        new ChatTopic(1, 0),
                        window,
                        at,
                        List.of(new Digest.Episode(
                                "uplink",
                                Instant.parse("2026-11-24T02:00:00Z"),
                                Instant.parse("2026-11-24T02:30:00Z"))),
                        Map.of("gateway", Instant.parse("2026-11-24T03:00:00Z")),
                        Map.of(),
                        Texts.embedded(),
                        "en")
                .withBehind(Map.of("gateway", List.of("pacs-web", "ris"), "uplink", List.of("printer")));
        assertEquals(
                "<b>Still down:</b>\n\uD83D\uDD34 gateway: since 03:00 (4h 0m)\n"
                        + "   \u2514 and 2 checks behind it: pacs-web, ris",
                d.getStillDown());
        assertEquals(
                "<b>Down and back:</b>\n\uD83D\uDFE2 uplink: down 02:00, back 02:30 (30m)\n"
                        + "   \u2514 and 1 checks behind it: printer",
                d.getRecovered());
        assertEquals(
                "\uD83D\uDD34 gateway: с 03:00 (4 ч 0 мин)\n   \u2514 и ещё 2 проверок за ней: pacs-web, ris",
                d.inLanguage("ru")
                        .getStillDown()
                        .lines()
                        .skip(1)
                        .reduce((a, b) -> a + "\n" + b)
                        .orElse(""));
    }
}
