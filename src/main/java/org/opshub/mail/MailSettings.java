package org.opshub.mail;

import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import java.util.function.Function;
import org.opshub.config.Settings;

/**
 * The {@code mail.*} properties: the SMTP server e-mail goes through (Jakarta Mail with Eclipse Angus;
 * RFC 5321 SMTP, RFC 3207 STARTTLS, RFC 8314 implicit TLS).
 *
 * @param host           SMTP server; empty: e-mail is off
 * @param port           its port (25, 587 for STARTTLS, 465 for implicit TLS)
 * @param security       {@code none}, {@code starttls} (required, not opportunistic) or {@code smtps}
 * @param user           SMTP AUTH user; empty: no authentication
 * @param password       its password
 * @param from           the sender address
 * @param connectTimeout how long connecting may take
 * @param timeout        how long each answer of the server may take
 * @param perMinute      the most e-mails sent in a minute
 */
public record MailSettings(
        String host,
        int port,
        String security,
        String user,
        String password,
        String from,
        Duration connectTimeout,
        Duration timeout,
        int perMinute) {

    /** @throws IllegalArgumentException naming the property of a bad value */
    public static MailSettings from(Function<String, String> property) {
        String host = Settings.text(property, "mail.host").strip();
        String security = Settings.text(property, "mail.security").strip().toLowerCase(Locale.ROOT);
        if (!security.matches("none|starttls|smtps")) {
            throw new IllegalArgumentException("mail.security must be none, starttls or smtps: " + security);
        }
        String from = Settings.text(property, "mail.from").strip();
        if (!host.isEmpty() && !MailFallback.isAddress(from)) {
            throw new IllegalArgumentException("mail.from must be an e-mail address when mail.host is set: " + from);
        }
        return new MailSettings(
                host,
                (int) Settings.number(property, "mail.port", 1, 65535),
                security,
                Settings.text(property, "mail.user").strip(),
                Settings.text(property, "mail.password"),
                from,
                Settings.duration(property, "mail.connect-timeout"),
                Settings.duration(property, "mail.timeout"),
                (int) Settings.number(property, "mail.max-per-minute", 1, 10_000));
    }

    public boolean enabled() {
        return !host.isEmpty();
    }

    /** The protocol of the transport: {@code smtps} for implicit TLS, else {@code smtp}. */
    public String protocol() {
        return security.equals("smtps") ? "smtps" : "smtp";
    }

    /** The Jakarta Mail session properties (the {@code mail.smtp.*} or {@code mail.smtps.*} of Angus's SMTP provider). */
    public Properties session() {
        String p = "mail." + protocol() + ".";
        Properties s = new Properties();
        s.put(p + "host", host);
        s.put(p + "port", Integer.toString(port));
        s.put(p + "connectiontimeout", Long.toString(connectTimeout.toMillis()));
        s.put(p + "timeout", Long.toString(timeout.toMillis()));
        s.put(p + "writetimeout", Long.toString(timeout.toMillis()));
        s.put(p + "auth", Boolean.toString(!user.isEmpty()));
        if (security.equals("starttls")) {
            s.put(p + "starttls.enable", "true");
            s.put(p + "starttls.required", "true");
        }
        if (!security.equals("none")) {
            s.put(p + "ssl.checkserveridentity", "true");
        }
        return s;
    }

    @Override
    public String toString() {
        return enabled()
                ? host + ":" + port + " (" + security + ", from " + from + ", " + (user.isEmpty() ? "no AUTH" : "AUTH")
                        + ")"
                : "off (no mail.host)";
    }
}
