package org.opshub.telegram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opshub.AllLogs;
import org.opshub.HubRunner;

/**
 * {@code telegram.proxies}: a pool of ways to the Bot API, tried in order. The first is a SOCKS5 proxy with
 * credentials that first black-holes connections (its accept queue full: the kernel drops every SYN, the
 * connect times out), then comes back; the second is {@code direct}.
 */
class TelegramProxyPoolTest {
    private static final String PASSWORD = "s3cret-Proxy";

    /** A listening port that never accepts, its queue filled: connects to it time out. */
    static final class BlackHole implements AutoCloseable {
        final ServerSocket server;
        final List<Socket> fillers = new ArrayList<>();

        BlackHole() throws IOException {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            for (int i = 0; i < 4; i++) {
                Socket s = new Socket();
                try {
                    s.connect(server.getLocalSocketAddress(), 200);
                    fillers.add(s);
                } catch (IOException full) {
                    s.close();
                }
            }
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            for (Socket s : fillers) {
                s.close();
            }
            server.close();
        }
    }

    @Test
    void aBlackHoledProxyIsPassedWithinTheConnectTimeoutAndUsedAgainWhenItAnswers() throws Exception {
        BlackHole hole = new BlackHole();
        int port = hole.port();
        String socks = "socks5://127.0.0.1:" + port;
        Socks5Proxy proxy = null;
        try (AllLogs logs = new AllLogs();
                FakeBotApi telegram = new FakeBotApi()) {
            Map<String, String> p = telegram.hubProperties(61);
            p.put("telegram.proxies", "socks5://ops:" + PASSWORD + "@127.0.0.1:" + port + ", direct");
            p.put("telegram.connect-timeout", "PT1S");
            p.put("telegram.proxy-backoff", "PT2S");
            p.put("telegram.proxy-probe-interval", "PT1S");
            try (HubRunner hub = new HubRunner(p)) {
                telegram.userSays(61, "/subscribe Pooled");
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10), () -> telegram.texts(61).size() == 1));
                long posted = System.nanoTime();
                hub.postAlerts(
                        AlertDeliveryTest.payload("PooledAlert", "firing", "info", "2026-12-07T12:00:00Z", null));
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10), () -> telegram.texts(61).size() == 2));
                long tookMillis = (System.nanoTime() - posted) / 1_000_000;
                assertTrue(
                        tookMillis <= 3000, "delivered " + tookMillis + " ms after the post (connect timeout + 2 s)");
                assertEquals(0.0, hub.metric("telegram_proxy_up", "proxy=\"" + socks + "\""));
                assertEquals(1.0, hub.metric("telegram_proxy_in_use", "proxy=\"direct\""));
                assertTrue(hub.metric("telegram_proxy_failures_total", "proxy=\"" + socks + "\"") >= 1);

                telegram.userSays(61, "/status");
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10), () -> telegram.texts(61).size() == 3));
                String status = telegram.texts(61).get(2);
                assertTrue(status.contains("Bot API via: " + socks + ": down since "), status);
                assertTrue(status.contains("direct: in use"), status);
                String health = hub.get("/observe/health").body();
                assertTrue(health.contains("\"telegram\":{\"proxy\":\"direct\""), health);

                // the proxy comes back on the same port: the probe (getMe) finds it, calls use it again
                hole.close();
                proxy = new Socks5Proxy("ops", PASSWORD, port);
                Socks5Proxy back = proxy;
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10),
                        () -> hub.metricOrMinusOne("telegram_proxy_up", "proxy=\"" + socks + "\"") == 1.0));
                hub.postAlerts(
                        AlertDeliveryTest.payload("PooledAgain", "firing", "info", "2026-12-07T12:05:00Z", null));
                assertTrue(HubRunner.await(
                        Duration.ofSeconds(10),
                        () -> telegram.texts(61).stream().anyMatch(t -> t.contains("PooledAgain"))));
                assertTrue(HubRunner.await(Duration.ofSeconds(5), () -> !back.connectedPorts.isEmpty()));
                assertEquals(1.0, hub.metric("telegram_proxy_in_use", "proxy=\"" + socks + "\""));
                assertEquals(0, back.refusedUsers.size(), "the pool's credentials reach the proxy");
                assertFalse(String.join("\n", logs.rendered()).contains(PASSWORD), "a proxy password in the log");
                assertFalse(hub.get("/metrics").body().contains(PASSWORD));
                assertFalse(telegram.texts(61).stream().anyMatch(t -> t.contains(PASSWORD)));
            }
        } finally {
            hole.close();
            if (proxy != null) {
                proxy.close();
            }
        }
    }
}
