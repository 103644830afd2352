package org.opshub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opshub.telegram.FakeBotApi;

/**
 * Upstreams whose error pages echo the request line and every header (as some proxies and
 * misconfigured servers do) put no secret into a log line, a chat text or an error reply of the
 * hub, and Camel's startup summary shows no secret value: Grafana (bearer token), QIDO-RS (Basic
 * user and password, bearer token), Alertmanager's API, and the Bot API itself (the token in the
 * path).
 */
class SecretsLeakTest {
    static final String BOT_TOKEN = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
    static final String GRAFANA_TOKEN = "glsa_grafanaSecretToken_1234abcd";
    static final String QIDO_PASSWORD = "qido-Pa55word!";
    static final String QIDO_TOKEN = "qido-bearer-token-abc123";
    static final String INTAKE_TOKEN = "am-intake-bearer-xyz789";

    /** Answers every request 500 with the request line and all headers in the body. */
    static HttpServer echo() throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/", x -> {
            StringBuilder b = new StringBuilder("{\"ok\":false,\"error_code\":500,\"description\":\"cannot serve ")
                    .append(x.getRequestMethod())
                    .append(' ')
                    .append(x.getRequestURI())
                    .append(" for");
            x.getRequestHeaders()
                    .forEach((k, v) -> b.append(' ').append(k).append(": ").append(String.join(",", v)));
            b.append(" (and a long error page: ")
                    .append("lorem ipsum ".repeat(200))
                    .append(')');
            byte[] body = b.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(500, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        s.start();
        return s;
    }

    static List<String> secrets() {
        return List.of(
                BOT_TOKEN,
                BOT_TOKEN.substring(BOT_TOKEN.indexOf(':') + 1),
                GRAFANA_TOKEN,
                QIDO_PASSWORD,
                QIDO_TOKEN,
                INTAKE_TOKEN,
                Base64.getEncoder().encodeToString(("ops:" + QIDO_PASSWORD).getBytes(StandardCharsets.UTF_8)));
    }

    static void assertClean(String where, List<String> texts) {
        List<String> leaks = new ArrayList<>();
        for (String t : texts) {
            for (String secret : secrets()) {
                if (t.contains(secret)) {
                    leaks.add(secret.substring(0, 6) + "… in: " + t.substring(0, Math.min(t.length(), 300)));
                }
            }
        }
        assertEquals(List.of(), leaks, where);
    }

    @Test
    void echoingUpstreamsLeakNothingIntoLogsChatsOrErrorReplies() throws Exception {
        HttpServer echo = echo();
        String url = "http://127.0.0.1:" + echo.getAddress().getPort();
        try (AllLogs logs = new AllLogs();
                FakeBotApi telegram = new FakeBotApi()) {
            Map<String, String> p = telegram.hubProperties(1);
            p.put("grafana.url", url + "/grafana");
            p.put("grafana.token", GRAFANA_TOKEN);
            p.put("alertmanager.api-url", url + "/am");
            p.put("alertmanager.check-interval", "PT1S");
            p.put("alertmanager.bearer-token", INTAKE_TOKEN);
            p.put("pacs.period", "PT1S");
            p.put("pacs.nodes.web.qido-url", url + "/basic/dicom-web");
            p.put("pacs.nodes.web.qido-user", "ops");
            p.put("pacs.nodes.web.qido-password", QIDO_PASSWORD);
            p.put("pacs.nodes.tok.qido-url", url + "/bearer/dicom-web");
            p.put("pacs.nodes.tok.qido-token", QIDO_TOKEN);
            p.put("pacs.forwarding.main.source", "web");
            p.put("pacs.forwarding.main.target", "tok");
            try (HubRunner hub = new HubRunner(p)) {
                telegram.userSays(1, "/dashboards");
                telegram.userSays(1, "/graph cpu");
                assertTrue(
                        HubRunner.await(
                                Duration.ofSeconds(20), () -> telegram.texts(1).size() >= 2),
                        telegram.texts(1).toString());
                Thread.sleep(4000); // a few PACS periods and Alertmanager reads against the echo
                assertClean("chat texts", telegram.texts(1));
                assertClean(
                        "GET /pacs/missing", List.of(hub.get("/pacs/missing").body()));
                assertClean(
                        "GET /observe/health",
                        List.of(hub.get("/observe/health").body()));
                assertClean("GET /metrics", List.of(hub.get("/metrics").body()));
                assertClean(
                        "POST /alerts with a wrong token",
                        List.of(hub.postAlerts(
                                        "{}".getBytes(StandardCharsets.UTF_8),
                                        "Authorization",
                                        "Bearer wrong-" + INTAKE_TOKEN)
                                .body()));
            }
            List<String> rendered = logs.rendered();
            assertTrue(rendered.stream().anyMatch(l -> l.contains("cannot serve")), "the echo was logged somewhere");
            assertClean("log lines", rendered);
        } finally {
            echo.stop(0);
        }
    }

    @Test
    void aBotApiThatEchoesThePathLeavesNoTokenInTheLog() throws Exception {
        HttpServer echo = echo();
        try (AllLogs logs = new AllLogs();
                HubRunner hub = new HubRunner(Map.of(
                        "telegram.token",
                        BOT_TOKEN,
                        "telegram.allowed-chats",
                        "1",
                        "telegram.api-url",
                        "http://127.0.0.1:" + echo.getAddress().getPort(),
                        "telegram.http-timeout",
                        "PT2S"))) {
            assertTrue(
                    HubRunner.await(
                            Duration.ofSeconds(20),
                            () -> logs.rendered().stream().anyMatch(l -> l.contains("cannot serve"))),
                    "getUpdates answered 500 was logged");
            assertClean("log lines", logs.rendered());
            // the upstream's answer is logged as an excerpt of at most 300 characters
            assertTrue(
                    logs.rendered().stream()
                            .filter(l -> l.contains("cannot serve"))
                            .allMatch(l -> l.length() < 300 + 300),
                    "upstream bodies are cut before they are logged");
            assertEquals(200, hub.get("/observe/health/live").statusCode());
        } finally {
            echo.stop(0);
        }
    }
}
