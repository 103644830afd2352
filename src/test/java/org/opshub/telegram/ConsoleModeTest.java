package org.opshub.telegram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opshub.HubRunner;
import org.slf4j.LoggerFactory;

/** Without a token every alert is rendered and logged at INFO, once. */
class ConsoleModeTest {

    @Test
    void everyAlertIsLoggedOnceWithoutAToken() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(Delivery.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try (HubRunner hub = new HubRunner(Map.of("telegram.timezone", "UTC"))) {
            byte[] body = AlertDeliveryTest.sample("grouped-synthetic.json");
            assertEquals(200, hub.postAlerts(body).statusCode());
            assertEquals(200, hub.postAlerts(body).statusCode());
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(10), () -> lines(appender).size() == 2));
            Thread.sleep(1000);
            List<String> lines = lines(appender);
            assertEquals(2, lines.size(), lines.toString());
            assertTrue(
                    lines.get(0)
                            .startsWith(
                                    "Alert (console mode, no telegram.token):\n\uD83D\uDD25 <b>FIRING</b> PacsDown"),
                    lines.get(0));
            assertTrue(lines.get(0).contains("Started: 2026-11-21 08:00:00 UTC"), lines.get(0));
            assertEquals(2.0, hub.metric("telegram_messages_sent_total", "kind=\"alert\""));
        } finally {
            logger.detachAppender(appender);
        }
    }

    private static List<String> lines(ListAppender<ILoggingEvent> appender) {
        return appender.list.stream()
                .map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.startsWith("Alert (console"))
                .toList();
    }
}
