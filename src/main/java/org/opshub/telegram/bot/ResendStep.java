package org.opshub.telegram.bot;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A Resend button pressed in a chat of {@code telegram.resend-chats}, handed to the
 * {@code pacs-resend-button} route: one study of a pair ({@code studyInstanceUid} set), or every
 * missing study of a check ({@code checkKey} set, the button of a missing-studies alert).
 *
 * @param chatId           the chat of the message
 * @param ref              outbox ref of the answer
 * @param messageId        the message to edit with the outcome
 * @param trigger          who pressed, as recorded: {@code telegram:<name> [id <user id>]}
 * @param label            the button's label, for the outcome line
 * @param pair             the pair of a study button, else null
 * @param studyInstanceUid the study of a study button, else null
 * @param checkKey         the check ("source->target") of an alert button, else null
 * @param text             the message's text (HTML), kept when the message is edited
 * @param replyMarkup      the message's keyboard, kept when the message is edited (JSON), or null
 */
public record ResendStep(
        long chatId,
        String ref,
        long messageId,
        String trigger,
        String label,
        String pair,
        String studyInstanceUid,
        String checkKey,
        String text,
        String replyMarkup) {

    /** The route that serves a Resend button: {@code pacs-resend-button}. */
    public String flow() {
        return "pacs-resend-button";
    }

    /** Whether the button re-sends one study (else every missing study of a check). */
    public boolean oneStudy() {
        return studyInstanceUid != null;
    }

    static ResendStep of(long chatId, String ref, JsonNode message, JsonNode from, JsonNode action) {
        String name = (from.path("first_name").asText("") + " "
                        + from.path("last_name").asText(""))
                .strip();
        String username = from.path("username").asText("");
        String who = "telegram:" + (name.isEmpty() ? "user" : name) + (username.isEmpty() ? "" : " (@" + username + ")")
                + " [id " + from.path("id").asLong() + "]";
        JsonNode markup = message.path("reply_markup");
        return new ResendStep(
                chatId,
                ref,
                message.path("message_id").asLong(),
                who,
                action.path("label").asText(""),
                action.path("pair").asText(null),
                action.path("uid").asText(null),
                action.path("check").asText(null),
                action.path("text").asText(""),
                markup.isObject() ? markup.toString() : null);
    }
}
