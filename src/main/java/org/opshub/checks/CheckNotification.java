package org.opshub.checks;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import org.opshub.telegram.outbox.Html;
import org.opshub.telegram.outbox.Texts;

/**
 * What {@code templates/check.txt} sees as {@code ${body}}: one check notification, every value
 * HTML-escaped for the Bot API's HTML parse mode, times in {@code checks.timezone}. Getter names
 * are the template's variables ({@code ${body.reason}}, {@code ${body.check}}, …).
 *
 * (A class, not a record: the template language would pick a record's raw accessors.)
 */
public final class CheckNotification {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z");
    private final Kind kind;
    private final String check;
    private final String type;
    private final String target;
    private final String detail;
    private final Instant since;
    private final Instant time;
    private final int failures;
    private final HostIdentity host;
    private final ZoneId zone;
    private Texts texts;
    private String lang = "en";
    private List<String> behind = List.of();
    private List<String> back = List.of();
    private boolean edit;

    /**
     * @param kind     what happened
     * @param check    check name
     * @param type     {@code tcp}, {@code http}, {@code ping} or {@code disk}
     * @param target   what is probed ({@code db:5432}, a URL, a path)
     * @param detail   the last probe's detail
     * @param since    when the outage began (for a recovery too)
     * @param time     when the notification was made
     * @param failures consecutive failed probes
     */
    CheckNotification(
            Kind kind,
            String check,
            String type,
            String target,
            String detail,
            Instant since,
            Instant time,
            int failures,
            HostIdentity host,
            ZoneId zone) {
        this.kind = kind;
        this.check = check;
        this.type = type;
        this.target = target;
        this.detail = detail;
        this.since = since;
        this.time = time;
        this.failures = failures;
        this.host = host;
        this.zone = zone;
    }

    Kind kind() {
        return kind;
    }

    /** The bot's texts for the reason word, times and durations (null: English, ISO-like times). */
    CheckNotification withTexts(Texts texts, String lang) {
        CheckNotification n =
                new CheckNotification(kind, check, type, target, detail, since, time, failures, host, zone);
        n.texts = texts;
        n.lang = Texts.known(lang);
        n.behind = behind;
        n.back = back;
        n.edit = edit;
        return n;
    }

    /**
     * The same notification listing the checks behind this one: for a DOWN those that failed while
     * it was down ({@code behind}); for a RECOVERED those that came back ({@code back}) and those
     * still failing ({@code behind}).
     *
     * @param edit true: an edit of the message already sent (same ref), not a new one
     */
    CheckNotification withDependents(List<String> behind, List<String> back, boolean edit) {
        CheckNotification n = withTexts(texts, lang);
        n.behind = List.copyOf(behind);
        n.back = List.copyOf(back);
        n.edit = edit;
        return n;
    }

    /** Whether this is an edit of the message already sent for the same notification. */
    public boolean isEdit() {
        return edit;
    }

    /**
     * The checks behind this one, as a line of the template ({@code ${body.dependents}}): "And 6
     * checks behind it: …" for a DOWN; "Back with it: …" and "Still failing: …" for a RECOVERED;
     * empty when none.
     */
    public String getDependents() {
        List<String> lines = new ArrayList<>();
        if (kind == Kind.RECOVERED) {
            if (!back.isEmpty()) {
                lines.add(text("check.back", back.size(), Html.escape(String.join(", ", back))));
            }
            if (!behind.isEmpty()) {
                lines.add(text("check.still", behind.size(), Html.escape(String.join(", ", behind))));
            }
        } else if (!behind.isEmpty()) {
            lines.add(text("check.behind", behind.size(), Html.escape(String.join(", ", behind))));
        }
        return String.join("\n", lines);
    }

    /** The same notification in another language ({@code en}, {@code ru}): what the route renders each template with. */
    public CheckNotification inLanguage(String language) {
        return withTexts(texts, language);
    }

    private String text(String key, Object... args) {
        return (texts == null ? Texts.embedded() : texts).t(lang, key, args);
    }

    private String time(Instant t) {
        return (texts == null
                        ? TIME
                        : DateTimeFormatter.ofPattern(texts.t(lang, "format.datetime"), Texts.locale(lang)))
                .format(t.atZone(zone));
    }

    String checkName() {
        return check;
    }

    Instant instant() {
        return time;
    }

    /** The three notifications of a check. */
    public enum Kind {
        /** UP → DOWN after failureThreshold consecutive failures. */
        DOWN("\uD83D\uDD34", "DOWN", "check.down"),
        /** DOWN → UP after successThreshold consecutive successes. */
        RECOVERED("\u2705", "RECOVERED", "check.recovered"),
        /** Still DOWN after reminderInterval. */
        REMINDER("\uD83D\uDD01", "STILL DOWN", "check.reminder");

        final String icon;
        final String reason;
        final String key;

        Kind(String icon, String reason, String key) {
            this.icon = icon;
            this.reason = reason;
            this.key = key;
        }
    }

    /** 🔴 down, ✅ recovered, 🔁 reminder. */
    public String getIcon() {
        return kind.icon;
    }

    /** {@code DOWN}, {@code RECOVERED} or {@code STILL DOWN}. */
    public String getReason() {
        return text(kind.key, kind.reason);
    }

    public String getCheck() {
        return Html.escape(check);
    }

    public String getType() {
        return Html.escape(type);
    }

    public String getTarget() {
        return Html.escape(target);
    }

    public String getDetail() {
        return Html.escape(detail);
    }

    public String getHost() {
        return Html.escape(host.hostName());
    }

    public String getLocalIp() {
        return Html.escape(host.localIp());
    }

    /** The external address, or "unknown" when {@code checks.external-ip-url} is unset or unanswered. */
    public String getExternalIp() {
        return host.externalIp().isEmpty() ? text("check.unknown") : Html.escape(host.externalIp());
    }

    /** When the outage began (for a recovery too). */
    public String getSince() {
        return time(since);
    }

    public String getTime() {
        return time(time);
    }

    /** How long the outage has lasted (or lasted), e.g. {@code 2h 5m}, {@code 40s}. */
    public String getDuration() {
        Duration d = Duration.between(since, time);
        if (d.toHours() > 0) {
            return text("check.duration.hours", d.toHours(), d.toMinutesPart());
        }
        return d.toMinutes() > 0
                ? text("check.duration.minutes", d.toMinutes(), d.toSecondsPart())
                : text("check.duration.seconds", d.toSeconds());
    }

    public int getFailures() {
        return failures;
    }
}
