package org.opshub.bot;

import java.util.List;
import java.util.Map;

/**
 * The one line that tells a chat how a Resend button ended, from the outcome of
 * {@link org.opshub.pacs.PacsResends#resendStudy} or {@link org.opshub.pacs.PacsResends#resendCheck}
 * (plain text; the caller escapes it). Names AE titles, counts and DICOM statuses, never a study.
 */
final class ResendText {
    private ResendText() {
    }

    @SuppressWarnings("unchecked")
    static String summary(Map<String, Object> outcome) {
        List<Map<String, Object>> moves = (List<Map<String, Object>>) outcome.getOrDefault("moves", List.of());
        int instances = moves.stream().mapToInt(m -> ((Number) m.get("completed")).intValue()).sum();
        int failed = moves.stream().mapToInt(m -> ((Number) m.get("failed")).intValue()).sum();
        String reason = moves.stream().map(m -> (String) m.get("reason")).filter(r -> r != null && !r.isBlank())
                .findFirst().orElse(null);
        Object left = outcome.get("left");
        String rest = left instanceof Number n && n.intValue() > 0
                ? "; " + n + " more wait for the per-minute cap (press again in a minute)" : "";
        return switch (String.valueOf(outcome.get("answer"))) {
            case "ok" -> "sent, " + instances + " instance" + (instances == 1 ? "" : "s")
                    + (moves.size() > 1 ? " in " + moves.size() + " moves" : "") + rest;
            case "partial" -> "partly sent: " + instances + " instances, " + failed + " failed"
                    + (reason == null ? "" : " (" + reason + ")") + rest;
            case "failed" -> "failed: " + (reason == null ? "the source refused" : reason) + rest;
            case "rate-limited" -> "not sent now: the source's max-moves-per-minute is reached; press again in a minute";
            case "not-missing" -> "nothing to re-send: the study is no longer missing or incomplete";
            case "unknown-pair" -> "nothing to re-send: the pair is no longer configured";
            case "unavailable" -> "not sent: the hub's state store does not answer; press again later";
            default -> String.valueOf(outcome.get("answer"));
        };
    }
}
