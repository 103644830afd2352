package org.opshub.telegram.bot;

import java.util.List;
import java.util.Map;
import org.opshub.telegram.outbox.Texts;

/**
 * The one line that tells a chat how a Resend button ended, from the outcome of
 * {@link org.opshub.pacs.PacsResends#resendStudy} or {@link org.opshub.pacs.PacsResends#resendCheck}
 * (plain text; the caller escapes it). Names AE titles, counts and DICOM statuses, never a study.
 */
final class ResendText {
    private final Texts texts;
    private final String lang;

    /** The texts of a chat's language. */
    ResendText(Texts texts, String lang) {
        this.texts = texts;
        this.lang = lang;
    }

    @SuppressWarnings("unchecked")
    String summary(Map<String, Object> outcome) {
        List<Map<String, Object>> moves = (List<Map<String, Object>>) outcome.getOrDefault("moves", List.of());
        int instances = moves.stream()
                .mapToInt(m -> ((Number) m.get("completed")).intValue())
                .sum();
        int failed = moves.stream()
                .mapToInt(m -> ((Number) m.get("failed")).intValue())
                .sum();
        String reason = moves.stream()
                .map(m -> (String) m.get("reason"))
                .filter(r -> r != null && !r.isBlank())
                .findFirst()
                .orElse(null);
        Object left = outcome.get("left");
        String rest = left instanceof Number n && n.intValue() > 0 ? texts.t(lang, "resend.rest", n) : "";
        return switch (String.valueOf(outcome.get("answer"))) {
            case "ok" ->
                texts.t(
                        lang,
                        instances == 1 ? "resend.ok.one" : "resend.ok.many",
                        instances,
                        moves.size() > 1 ? texts.t(lang, "resend.moves", moves.size()) : "",
                        rest);
            case "partial" ->
                texts.t(
                        lang,
                        "resend.partial",
                        instances,
                        failed,
                        reason == null ? "" : texts.t(lang, "resend.reason", reason),
                        rest);
            case "failed" ->
                texts.t(lang, "resend.failed", reason == null ? texts.t(lang, "resend.refused") : reason, rest);
            case "rate-limited" -> texts.t(lang, "resend.rate-limited");
            case "not-missing" -> texts.t(lang, "resend.not-missing");
            case "unknown-pair" -> texts.t(lang, "resend.unknown-pair");
            case "unavailable" -> texts.t(lang, "resend.unavailable");
            default -> String.valueOf(outcome.get("answer"));
        };
    }
}
