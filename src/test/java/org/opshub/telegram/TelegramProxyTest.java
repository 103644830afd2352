package org.opshub.telegram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opshub.HubRunner;

/** Polling and sending both go through a SOCKS5 proxy with credentials (the old bot's setup). */
class TelegramProxyTest {

    @Test
    void pollingAndDeliveryGoThroughTheSocksProxy() throws Exception {
        try (FakeBotApi telegram = new FakeBotApi();
                Socks5Proxy proxy = new Socks5Proxy("ops", "p@ss:word");
                HubRunner hub = new HubRunner(Map.of(
                        "telegram.token",
                        FakeBotApi.TOKEN,
                        "telegram.api-url",
                        telegram.url(),
                        "telegram.allowed-chats",
                        "77",
                        "telegram.proxy",
                        "socks5://ops:p%40ss%3Aword@127.0.0.1:" + proxy.port()))) {
            int apiPort =
                    Integer.parseInt(telegram.url().substring(telegram.url().lastIndexOf(':') + 1));
            telegram.userSays(77, "/subscribe Proxied");
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(10), () -> telegram.texts(77).size() == 1));
            hub.postAlerts(AlertDeliveryTest.payload("ProxiedAlert", "firing", "info", "2026-11-21T12:00:00Z", null));
            assertTrue(HubRunner.await(
                    Duration.ofSeconds(10), () -> telegram.texts(77).size() == 2));
            assertTrue(!proxy.connectedPorts.isEmpty());
            assertTrue(proxy.connectedPorts.stream().allMatch(p -> p == apiPort), proxy.connectedPorts.toString());
            assertEquals(0, proxy.refusedUsers.size());
        }
    }

    @Test
    void wrongProxyCredentialsAreANetworkErrorAndNothingBypassesTheProxy() throws Exception {
        try (FakeBotApi telegram = new FakeBotApi();
                Socks5Proxy proxy = new Socks5Proxy("ops", "right");
                HubRunner hub = new HubRunner(Map.of(
                        "telegram.token",
                        FakeBotApi.TOKEN,
                        "telegram.api-url",
                        telegram.url(),
                        "telegram.allowed-chats",
                        "78",
                        "telegram.proxy",
                        "socks5://ops2:wrong@127.0.0.1:" + proxy.port()))) {
            telegram.userSays(78, "/start");
            assertTrue(HubRunner.await(Duration.ofSeconds(10), () -> !proxy.refusedUsers.isEmpty()));
            Thread.sleep(1500);
            assertEquals(0, telegram.texts(78).size(), "no request may reach the API around the proxy");
            assertTrue(proxy.connectedPorts.isEmpty());
            assertEquals(200, hub.get("/observe/health/live").statusCode());
        }
    }
}
