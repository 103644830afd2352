package org.opshub.checks;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

import org.opshub.outbox.Html;

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
    CheckNotification(Kind kind, String check, String type, String target, String detail, Instant since, Instant time,
            int failures, HostIdentity host, ZoneId zone) {
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

    String checkName() {
        return check;
    }

    Instant instant() {
        return time;
    }

    /** The three notifications of a check. */
    public enum Kind {
        /** UP → DOWN after failureThreshold consecutive failures. */
        DOWN("\uD83D\uDD34", "DOWN"),
        /** DOWN → UP after successThreshold consecutive successes. */
        RECOVERED("\u2705", "RECOVERED"),
        /** Still DOWN after reminderInterval. */
        REMINDER("\uD83D\uDD01", "STILL DOWN");

        final String icon;
        final String reason;

        Kind(String icon, String reason) {
            this.icon = icon;
            this.reason = reason;
        }
    }

    /** 🔴 down, ✅ recovered, 🔁 reminder. */
    public String getIcon() {
        return kind.icon;
    }

    /** {@code DOWN}, {@code RECOVERED} or {@code STILL DOWN}. */
    public String getReason() {
        return kind.reason;
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
        return host.externalIp().isEmpty() ? "unknown" : Html.escape(host.externalIp());
    }

    /** When the outage began (for a recovery too). */
    public String getSince() {
        return TIME.format(since.atZone(zone));
    }

    public String getTime() {
        return TIME.format(time.atZone(zone));
    }

    /** How long the outage has lasted (or lasted), e.g. {@code 2h 5m}, {@code 40s}. */
    public String getDuration() {
        Duration d = Duration.between(since, time);
        if (d.toHours() > 0) {
            return d.toHours() + "h " + d.toMinutesPart() + "m";
        }
        return d.toMinutes() > 0 ? d.toMinutes() + "m " + d.toSecondsPart() + "s" : d.toSeconds() + "s";
    }

    public int getFailures() {
        return failures;
    }
}
