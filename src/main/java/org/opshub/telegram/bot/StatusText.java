package org.opshub.telegram.bot;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.opshub.checks.ServiceChecks;
import org.opshub.pacs.PacsMonitor;
import org.opshub.telegram.ProxyPool;
import org.opshub.telegram.outbox.Html;
import org.opshub.telegram.outbox.Texts;

/**
 * The texts of {@code /missing} and of the PACS and check parts of {@code /status}, from the PACS
 * monitor's reports ({@code GET /pacs/missing}) and the service checks' snapshot
 * ({@code GET /checks}). Patient identity appears only when {@code pacs.missing.include-patient}
 * put it in the report.
 */
final class StatusText {
    private static final int MAX_STUDIES = 30;

    private final Texts texts;
    private final String lang;

    /** The texts of a chat's language. */
    StatusText(Texts texts, String lang) {
        this.texts = texts;
        this.lang = lang;
    }

    /**
     * The {@code /missing} text: per pair the counts and the age of the oldest study missing or
     * incomplete; with {@code details} ({@code telegram.missing-details}) also each study's
     * StudyInstanceUID, accession number and date (and patient, when the report has it:
     * {@code pacs.missing.include-patient}). Telegram is a third-party cloud: nothing that
     * identifies a study or a patient goes there unless both switches say so.
     *
     * @param resendable null, or (for a chat of {@code telegram.resend-chats}) a list that receives
     *                   {pair, StudyInstanceUID, number} of each listed study, numbered in the text ("#3"),
     *                   for its Resend button; without {@code details} a numbered line has no identifiers
     */
    @SuppressWarnings("unchecked")
    String missing(PacsMonitor pacs, boolean details, Instant now, List<String[]> resendable) {
        List<Map<String, Object>> checks =
                (List<Map<String, Object>>) pacs.missingReport().get("checks");
        if (checks.isEmpty()) {
            return texts.t(lang, "missing.none");
        }
        StringBuilder b = new StringBuilder();
        for (Map<String, Object> c : checks) {
            List<Map<String, Object>> missing = (List<Map<String, Object>>) c.get("missing");
            List<Map<String, Object>> incomplete = (List<Map<String, Object>>) c.get("incomplete");
            if (b.length() > 0) {
                b.append("\n\n");
            }
            b.append(texts.t(
                    lang,
                    "missing.pair",
                    Html.escape(c.get("source") + " \u2192 " + c.get("target")),
                    Html.escape(String.valueOf(c.get("window"))),
                    missing.size(),
                    incomplete.size()));
            Optional<Instant> oldest = Stream.concat(missing.stream(), incomplete.stream())
                    .map(s -> s.get("firstSeen"))
                    .filter(Objects::nonNull)
                    .map(f -> Instant.parse(String.valueOf(f)))
                    .min(Instant::compareTo);
            oldest.ifPresent(o -> b.append(texts.t(lang, "missing.oldest", age(Duration.between(o, now)))));
            if (c.get("excluded") instanceof Integer n && n > 0) {
                b.append(texts.t(lang, "missing.excluded", n));
            }
            if (c.get("commitment") instanceof Map<?, ?> cm) {
                b.append(texts.t(
                        lang,
                        "missing.commitment",
                        cm.get("committed"),
                        ((List<?>) cm.get("uncommitted")).size(),
                        ((List<?>) cm.get("failed")).size()));
            }
            if (Boolean.FALSE.equals(c.get("checkSuccess")) && c.get("lastError") != null) {
                b.append("\n").append(texts.t(lang, "missing.failed", Html.escape(String.valueOf(c.get("lastError")))));
            }
            if (!details && resendable == null) {
                continue;
            }
            int shown = 0;
            for (Map<String, Object> s : missing) {
                if (shown++ < MAX_STUDIES) {
                    b.append("\n").append(bullet(c, s, resendable)).append(texts.t(lang, "missing.study"));
                    b.append(
                            details
                                    ? " " + study(s)
                                    : texts.t(
                                            lang,
                                            "missing.for",
                                            age(Duration.between(
                                                    Instant.parse(String.valueOf(s.get("firstSeen"))), now))));
                }
            }
            for (Map<String, Object> s : incomplete) {
                if (shown++ < MAX_STUDIES) {
                    b.append("\n")
                            .append(bullet(c, s, resendable))
                            .append(texts.t(lang, "missing.incomplete"))
                            .append(details ? " " + study(s) : "")
                            .append(texts.t(
                                    lang, "missing.instances", s.get("targetInstances"), s.get("sourceInstances")));
                    List<Map<String, Object>> series = (List<Map<String, Object>>) s.get("series");
                    if (series != null && !series.isEmpty()) {
                        b.append(texts.t(lang, "missing.series"));
                        for (Map<String, Object> x : series) {
                            b.append(' ')
                                    .append(Html.escape(String.valueOf(x.get("modality"))))
                                    .append(" #")
                                    .append(Html.escape(String.valueOf(x.get("seriesNumber"))))
                                    .append(' ')
                                    .append(x.get("targetInstances") == null ? 0 : x.get("targetInstances"))
                                    .append('/')
                                    .append(x.get("sourceInstances"));
                        }
                    }
                }
            }
            if (shown > MAX_STUDIES) {
                b.append("\n").append(texts.t(lang, "missing.more", shown - MAX_STUDIES));
            }
        }
        if (!details
                && resendable == null
                && checks.stream()
                        .anyMatch(c -> !((List<?>) c.get("missing")).isEmpty()
                                || !((List<?>) c.get("incomplete")).isEmpty())) {
            b.append("\n\n").append(texts.t(lang, "missing.hint"));
        }
        return b.toString();
    }

    /** "• ", or "#n " with the study added to {@code resendable}. */
    private static String bullet(Map<String, Object> check, Map<String, Object> study, List<String[]> resendable) {
        if (resendable == null) {
            return "\u2022 ";
        }
        String n = Integer.toString(resendable.size() + 1);
        resendable.add(
                new String[] {String.valueOf(check.get("pair")), String.valueOf(study.get("studyInstanceUid")), n});
        return "#" + n + " ";
    }

    /** "2h 5m", "3m", "45s" (in the chat's words). */
    private String age(Duration d) {
        return age(texts, lang, d);
    }

    /** A duration in a language's words: "1d 2h", "2h 5m", "3m", "45s" (en); "2 ч 5 мин" (ru). */
    static String age(Texts texts, String lang, Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s >= 86_400) {
            return texts.t(lang, "age.days", s / 86_400, s % 86_400 / 3600);
        }
        if (s >= 3600) {
            return texts.t(lang, "age.hours", s / 3600, s % 3600 / 60);
        }
        return s >= 60 ? texts.t(lang, "age.minutes", s / 60) : texts.t(lang, "age.seconds", s);
    }

    private String study(Map<String, Object> s) {
        StringBuilder b = new StringBuilder("<code>")
                .append(Html.escape(String.valueOf(s.get("studyInstanceUid"))))
                .append("</code>");
        if (s.get("accessionNumber") != null
                && !String.valueOf(s.get("accessionNumber")).isEmpty()) {
            b.append(texts.t(lang, "missing.accession", Html.escape(String.valueOf(s.get("accessionNumber")))));
        }
        b.append(' ').append(Html.escape(String.valueOf(s.get("studyDate"))));
        if (s.containsKey("patientName")) {
            b.append(", ")
                    .append(Html.escape(String.valueOf(s.get("patientName"))))
                    .append(" (")
                    .append(Html.escape(String.valueOf(s.get("patientId"))))
                    .append(')');
        }
        return b.toString();
    }

    @SuppressWarnings("unchecked")
    String pacs(PacsMonitor pacs) {
        Map<String, Map<String, Object>> nodes =
                (Map<String, Map<String, Object>>) pacs.status().get("nodes");
        List<Map<String, Object>> checks =
                (List<Map<String, Object>>) pacs.missingReport().get("checks");
        if (nodes.isEmpty()) {
            return texts.t(lang, "pacs.none");
        }
        StringBuilder b = new StringBuilder(texts.t(lang, "pacs.title"));
        for (Map.Entry<String, Map<String, Object>> e : nodes.entrySet()) {
            Object up = e.getValue().get("up");
            b.append("\n")
                    .append(up == null ? "\u2754" : (Boolean) up ? "\uD83D\uDFE2" : "\uD83D\uDD34")
                    .append(' ')
                    .append(Html.escape(e.getKey()))
                    .append(" (")
                    .append(Html.escape(String.valueOf(e.getValue().get("aeTitle"))))
                    .append(") ")
                    .append(texts.t(lang, up == null ? "pacs.unchecked" : (Boolean) up ? "pacs.up" : "pacs.down"));
            if (Boolean.FALSE.equals(up) && e.getValue().get("lastError") != null) {
                b.append(": ").append(Html.escape(String.valueOf(e.getValue().get("lastError"))));
            }
        }
        for (Map<String, Object> c : checks) {
            b.append("\n")
                    .append(texts.t(
                            lang,
                            "pacs.pair",
                            Html.escape(c.get("source") + " \u2192 " + c.get("target")),
                            c.get("sourceStudies") == null ? "?" : c.get("sourceStudies"),
                            ((List<?>) c.get("missing")).size(),
                            ((List<?>) c.get("incomplete")).size()));
        }
        return b.toString();
    }

    /**
     * The checks as a tree: a check under the first check it depends on (dependsOn), marked when a
     * DOWN check suppresses it or a maintenance window holds it.
     */
    @SuppressWarnings("unchecked")
    String checks(ServiceChecks checks) {
        List<Map<String, Object>> list =
                (List<Map<String, Object>>) checks.snapshot().get("checks");
        if (list.isEmpty()) {
            return texts.t(lang, "checks.none");
        }
        Map<String, Map<String, Object>> byName = new java.util.LinkedHashMap<>();
        list.forEach(c -> byName.put(String.valueOf(c.get("name")), c));
        StringBuilder b = new StringBuilder(texts.t(lang, "checks.title"));
        for (Map<String, Object> c : list) {
            if (parent(c, byName) == null) {
                checkLine(b, c, byName, 0);
            }
        }
        return b.toString();
    }

    private static String parent(Map<String, Object> c, Map<String, Map<String, Object>> byName) {
        List<String> parents = (List<String>) c.getOrDefault("dependsOn", List.of());
        return parents.stream().filter(byName::containsKey).findFirst().orElse(null);
    }

    @SuppressWarnings("unchecked")
    private void checkLine(StringBuilder b, Map<String, Object> c, Map<String, Map<String, Object>> byName, int depth) {
        boolean up = "UP".equals(c.get("state"));
        String name = String.valueOf(c.get("name"));
        b.append("\n").append("   ".repeat(depth)).append(depth > 0 ? "\u2514 " : "");
        b.append(up ? "\uD83D\uDFE2 " : "\uD83D\uDD34 ").append(Html.escape(name));
        if (!up) {
            b.append(": ")
                    .append(Html.escape(String.valueOf(((Map<String, Object>) c.get("lastProbe")).get("detail"))));
        }
        if (c.get("suppressedBy") != null) {
            b.append(texts.t(lang, "checks.suppressed", Html.escape(String.valueOf(c.get("suppressedBy")))));
        }
        if (c.get("maintenance") != null) {
            b.append(texts.t(lang, "checks.maintenance", c.get("maintenance")));
        }
        if (depth < 10) {
            for (Map<String, Object> child : byName.values()) {
                if (name.equals(parent(child, byName))) {
                    checkLine(b, child, byName, depth + 1);
                }
            }
        }
    }

    /**
     * The ways to the Bot API ({@code telegram.proxies}) and their state, as a line after the outbox's:
     * {@code \nBot API via: socks5://10.0.0.2:1080: in use, 0.120 s; direct: up}; empty without a proxy.
     */
    String proxies(ProxyPool pool) {
        return pool == null || !pool.proxied()
                ? ""
                : "\n" + texts.t(lang, "status.proxies", Html.escape(String.join("; ", pool.describe())));
    }
}
