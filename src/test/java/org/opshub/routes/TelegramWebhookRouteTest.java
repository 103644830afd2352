package org.opshub.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Registry;
import org.junit.jupiter.api.Test;
import org.opshub.state.StateUnavailableException;
import org.opshub.telegram.bot.BotWebhook;
import org.opshub.telegram.outbox.TelegramSettings;

/**
 * Route {@code telegram-webhook} of {@code routes/telegram-bot.yaml} with Camel's test kit (its
 * platform-http consumer replaced by {@code direct:webhook}): the status and body of each class of
 * pushed request, with the real {@link BotWebhook} classifying and {@code direct:bot-command} standing
 * in for the command flow.
 */
class TelegramWebhookRouteTest extends RouteFileTestSupport {
    private static final String SECRET = "webhook-secret-of-the-test";
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private volatile boolean storeDown;

    @Override
    String routeFile() {
        return "telegram-bot.yaml";
    }

    @Override
    String routeIds() {
        return "telegram-webhook,bot-command-stand-in"; // the stand-in is the test's own route
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        TelegramSettings settings = TelegramSettings.from(Map.of(
                "telegram.token", "123456:TEST",
                "telegram.webhook-url", "https://hub.example.org/telegram/webhook",
                "telegram.webhook-secret", SECRET)::get);
        registry.bind("botWebhook", new BotWebhook(settings, new SimpleMeterRegistry()));
    }

    private Exchange push(String secret, String body) throws Exception {
        if (!context.isStarted()) {
            AdviceWith.adviceWith(context, "telegram-webhook", a -> a.replaceFromWith("direct:webhook"));
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:bot-command").routeId("bot-command-stand-in").process(e -> {
                        if (storeDown) {
                            throw new StateUnavailableException("the test's store is down", null);
                        }
                        commands.add(e.getMessage().getBody().toString());
                    });
                }
            });
            start(Map.of());
        }
        return template.send("direct:webhook", e -> {
            e.getMessage().setBody(body);
            if (secret != null) {
                e.getMessage().setHeader(BotWebhook.SECRET_HEADER, secret);
            }
        });
    }

    private static int status(Exchange e) {
        return e.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
    }

    @Test
    void aNewUpdateGoesToTheCommandFlowAndIsAnswered200OnceATimeItComesAgain() throws Exception {
        Exchange first = push(SECRET, "{\"update_id\":41,\"message\":{\"text\":\"/status\"}}");
        assertEquals(200, status(first));
        assertEquals("{\"ok\":true}", first.getMessage().getBody(String.class));
        assertEquals(1, commands.size());
        assertTrue(commands.get(0).contains("\"update_id\":41"), commands.toString());
        assertEquals("application/json", first.getMessage().getHeader("Content-Type"));

        Exchange again = push(SECRET, "{\"update_id\":41,\"message\":{\"text\":\"/status\"}}");
        assertEquals(200, status(again));
        assertEquals(1, commands.size(), "a duplicate is answered, not handled again");
    }

    @Test
    void aWrongSecretIs403AndAnUpdateWithoutANumericIdIs400() throws Exception {
        Exchange forbidden = push("not-the-secret", "{\"update_id\":1}");
        assertEquals(403, status(forbidden));
        assertTrue(forbidden.getMessage().getBody(String.class).contains(BotWebhook.SECRET_HEADER));
        assertEquals(403, status(push(null, "{\"update_id\":1}")));
        assertEquals(400, status(push(SECRET, "{\"update_id\":\"one\"}")));
        assertEquals(400, status(push(SECRET, "not json")));
        assertEquals(List.of(), commands);
    }

    @Test
    void aStoreThatDoesNotAnswerIs503AndTheUpdateIsHandledWhenTelegramSendsItAgain() throws Exception {
        storeDown = true;
        Exchange down = push(SECRET, "{\"update_id\":77}");
        assertEquals(503, status(down));
        assertTrue(down.getMessage().getBody(String.class).contains("again later"));
        storeDown = false;
        assertEquals(200, status(push(SECRET, "{\"update_id\":77}")));
        assertEquals(1, commands.size(), "forgotten after the 503, so Telegram's next delivery is handled");
    }
}
