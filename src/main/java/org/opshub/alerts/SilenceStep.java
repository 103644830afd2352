package org.opshub.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.TreeMap;

/**
 * A "Silence Nh" or "Ack" button pressed under a firing alert, handed to the {@code alert-silence}
 * route. An Ack is a silence of {@code alertmanager.ack-silence} that opshub keeps while the alert fires
 * ({@link Acks}).
 *
 * @param chatId    the chat of the message
 * @param ref       outbox ref of the answer
 * @param messageId the alert message to edit once silenced
 * @param user      who pressed, as shown ({@code Ivan Petrov (@ivan)})
 * @param userId    the Telegram user id
 * @param hours     silence duration in hours
 * @param labels    the alert's labels: the silence's equality matchers
 * @param text      the alert message (HTML), kept when the message is edited
 * @param threadId  the forum topic of the message ({@code message_thread_id}), 0 for none: where errors go
 * @param ack         an Ack button (else a Silence button)
 * @param fingerprint the alert's fingerprint (an Ack's key), or empty
 */
public record SilenceStep(
        long chatId,
        String ref,
        long messageId,
        String user,
        long userId,
        int hours,
        Map<String, String> labels,
        String text,
        long threadId,
        boolean ack,
        String fingerprint) {

    /** The route that serves a silence button: {@code alert-silence}. */
    public String flow() {
        return "alert-silence";
    }

    /** The step of a pressed silence button: {@code action} is the stored keyboard action, {@code from} the Telegram user. */
    public static SilenceStep of(
            long chatId, long threadId, String ref, long messageId, JsonNode from, JsonNode action) {
        String name = (from.path("first_name").asText("") + " "
                        + from.path("last_name").asText(""))
                .strip();
        String username = from.path("username").asText("");
        String user = (name.isEmpty() ? "user " + from.path("id").asLong() : name)
                + (username.isEmpty() ? "" : " (@" + username + ")");
        Map<String, String> labels = new TreeMap<>();
        action.path("labels")
                .fields()
                .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return new SilenceStep(
                chatId,
                ref,
                messageId,
                user,
                from.path("id").asLong(),
                action.path("h").asInt(1),
                labels,
                action.path("text").asText(""),
                threadId,
                "ack".equals(action.path("t").asText()),
                action.path("fp").asText(""));
    }
}
