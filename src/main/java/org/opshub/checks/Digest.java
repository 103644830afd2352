package org.opshub.checks;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.opshub.telegram.outbox.ChatTopic;
import org.opshub.telegram.outbox.Html;
import org.opshub.telegram.outbox.Texts;

/**
 * One chat's morning digest: what happened while the notify window was closed. What
 * {@code templates/digest.txt} sees as {@code ${body}}; every value is HTML-escaped, times are in the
 * window's zone, and a section with nothing in it is empty (its line is dropped).
 */
public final class Digest {
    private static final DateTimeFormatter HM = DateTimeFormatter.ofPattern("HH:mm");
    private final ChatTopic chat;
    private final NotifyWindow window;
    private final Instant at;
    private final List<Episode> recovered;
    private final Map<String, Instant> stillDown;
    private final Map<String, Integer> alerts;
    private final Texts texts;
    private final String lang;
    private Map<String, List<String>> behind = Map.of();

    /**
     * A check that went down and came back while the window was closed.
     *
     * @param check the check's name
     * @param down  when it went down (null: before the hub started)
     * @param up    when it came back
     */
    public record Episode(String check, Instant down, Instant up) {}

    Digest(
            ChatTopic chat,
            NotifyWindow window,
            Instant at,
            List<Episode> recovered,
            Map<String, Instant> stillDown,
            Map<String, Integer> alerts,
            Texts texts,
            String lang) {
        this.texts = texts;
        this.lang = Texts.known(lang);
        this.chat = chat;
        this.window = window;
        this.at = at;
        this.recovered = List.copyOf(recovered);
        this.stillDown = Map.copyOf(stillDown);
        this.alerts = Map.copyOf(alerts);
    }

    /** The same digest in another language ({@code en}, {@code ru}): what the route renders each template with. */
    public Digest inLanguage(String language) {
        return new Digest(chat, window, at, recovered, stillDown, alerts, texts, language).withBehind(behind);
    }

    /**
     * The same digest showing, under each check, the checks behind it (dependsOn) that failed while
     * it was down: they have no lines of their own.
     *
     * @param behind check name → the names behind it
     */
    public Digest withBehind(Map<String, List<String>> behind) {
        this.behind = Map.copyOf(behind);
        return this;
    }

    private String behind(String check) {
        List<String> names = behind.getOrDefault(check, List.of());
        return names.isEmpty() ? "" : "\n   " + t("digest.behind", names.size(), Html.escape(String.join(", ", names)));
    }

    private String t(String key, Object... args) {
        return (texts == null ? Texts.embedded() : texts).t(lang, key, args);
    }

    /** The chat (and topic) it goes to. */
    public ChatTopic chat() {
        return chat;
    }

    /** When it was made. */
    public Instant at() {
        return at;
    }

    /** The quiet hours, e.g. {@code 20:00–07:00}. */
    public String getQuietHours() {
        return HM.format(window.end()) + "\u2013" + HM.format(window.start());
    }

    /** {@code Down and back:} and one line per episode: name, down and up times, duration; empty when none. */
    public String getRecovered() {
        if (recovered.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder(t("digest.recovered"));
        for (Episode e : recovered) {
            b.append("\n")
                    .append(t(
                            "digest.recovered.line",
                            Html.escape(e.check()),
                            e.down() == null ? t("digest.earlier") : time(e.down()),
                            time(e.up()),
                            e.down() == null ? "" : t("digest.duration", duration(Duration.between(e.down(), e.up())))))
                    .append(behind(e.check()));
        }
        return b.toString();
    }

    /** {@code Still down:} and one line per check: name, since when, for how long; empty when none. */
    public String getStillDown() {
        if (stillDown.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder(t("digest.still-down"));
        stillDown.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> b.append("\n")
                        .append(t(
                                "digest.still-down.line",
                                Html.escape(e.getKey()),
                                time(e.getValue()),
                                duration(Duration.between(e.getValue(), at))))
                        .append(behind(e.getKey())));
        return b.toString();
    }

    /** {@code Alerts held:} and one line per alert name with its count; empty when none. */
    public String getAlerts() {
        if (alerts.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder(t("digest.alerts"));
        alerts.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> b.append("\n").append(t("digest.alerts.line", Html.escape(e.getKey()), e.getValue())));
        return b.toString();
    }

    /** The checks that came back, in order (for logs; the template's {@code ${body.recovered}} is the text). */
    public List<Episode> episodes() {
        return recovered;
    }

    private String time(Instant t) {
        DateTimeFormatter f = Duration.between(t, at).toHours() >= 20
                ? DateTimeFormatter.ofPattern(t("format.day-time"), Texts.locale(lang))
                : HM;
        return f.format(t.atZone(window.zone()));
    }

    /** "2h 5m", "35m", "40s" in the digest's language. */
    private String duration(Duration d) {
        long s = Math.max(0, d.getSeconds());
        return s >= 3600
                ? t("age.hours", s / 3600, s % 3600 / 60)
                : s >= 60 ? t("age.minutes", s / 60) : t("age.seconds", s);
    }
}
