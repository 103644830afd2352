package org.opshub.bot;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.opshub.state.StateStore;
import org.opshub.telegram.BotApiHttpClient;
import org.opshub.telegram.Delivery;
import org.opshub.telegram.TelegramSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Long polling of the Bot API's {@code getUpdates} (core.telegram.org/bots/api#getupdates). The
 * offset (last confirmed {@code update_id} + 1) is kept in the state store, so an update handled
 * before a restart is not handled again after it. Errors back off (1 s doubling, at most 5 min)
 * with one log line per change between working and failing.
 */
public final class BotUpdates {
    private static final Logger LOG = LoggerFactory.getLogger(BotUpdates.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OFFSET = "telegram.update-offset";
    private final TelegramSettings settings;
    private final StateStore store;
    private volatile Long offset;
    private volatile long notBefore;
    private volatile int failures;

    public BotUpdates(TelegramSettings settings, StateStore store) {
        this.settings = settings;
        this.store = store;
    }

    /** Whether to poll now: a token is set and no error backoff is running. */
    public boolean due() {
        return !settings.consoleMode() && System.currentTimeMillis() >= notBefore;
    }

    /** Prepares the getUpdates call (POST JSON; the URL carries the token, so it is only a header). */
    public String request(Exchange exchange) throws JsonProcessingException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("offset", offset());
        body.put("timeout", settings.pollTimeout().toSeconds());
        body.put("allowed_updates", List.of("message", "callback_query"));
        BotApiHttpClient.prepare(exchange, settings.methodUrl("getUpdates"));
        return JSON.writeValueAsString(body);
    }

    /**
     * The updates of a getUpdates answer, each as a JSON tree; empty (and a backoff) on an error
     * status or a body that is not a Bot API answer.
     */
    public List<JsonNode> updates(Exchange exchange) {
        int code = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        String body = exchange.getMessage().getBody(String.class);
        JsonNode json;
        try {
            json = body == null ? null : JSON.readTree(body);
        } catch (JsonProcessingException e) {
            json = null;
        }
        if (code != 200 || json == null || !json.path("ok").asBoolean(false) || !json.path("result").isArray()) {
            String why = code + " " + (json == null ? "(not JSON)" : json.path("description").asText(""));
            failed(why);
            return List.of();
        }
        if (failures > 0) {
            LOG.info("getUpdates works again");
        }
        failures = 0;
        List<JsonNode> out = new ArrayList<>();
        json.path("result").forEach(out::add);
        return out;
    }

    /** A network or state store error while polling: backoff, one log line until it works again. */
    public void failed(Exchange exchange) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        failed(e == null ? "unknown error" : e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    /** Marks an update handled: the next poll starts after it. */
    public void confirm(JsonNode update) {
        long next = update.path("update_id").asLong() + 1;
        if (offset != null && next <= offset) {
            return;
        }
        offset = next;
        store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE bot_state SET state_value = ? WHERE state_key = ?")) {
                ps.setString(1, Long.toString(next));
                ps.setString(2, OFFSET);
                if (ps.executeUpdate() == 1) {
                    return 1;
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO bot_state (state_key, state_value) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, OFFSET);
                ps.setString(2, Long.toString(next));
                return ps.executeUpdate();
            }
        });
    }

    private long offset() {
        Long o = offset;
        if (o == null) {
            o = store.inTransaction(c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT state_value FROM bot_state WHERE state_key = ?")) {
                    ps.setString(1, OFFSET);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? Long.parseLong(rs.getString(1)) : 0L;
                    }
                }
            });
            offset = o;
        }
        return o;
    }

    private void failed(String why) {
        long delay = Delivery.backoff(failures);
        if (failures == 0) {
            LOG.warn("getUpdates failed ({}); retrying with backoff", why);
        }
        failures++;
        notBefore = System.currentTimeMillis() + delay;
    }
}
