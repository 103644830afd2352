package org.opshub.alerts;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.opshub.telegram.outbox.Html;
import org.opshub.telegram.outbox.Texts;

/**
 * What {@code templates/alert.txt} sees as {@code ${body}}: one alert with every value already
 * HTML-escaped for the Bot API's HTML parse mode, and times in {@code telegram.timezone}.
 * Getter names are the template's variables ({@code ${body.alertname}}, …). With the bot's texts,
 * the status word and the time format are a language's ({@link #inLanguage}: {@code alert.firing},
 * {@code alert.resolved}, {@code format.datetime} of templates/messages_*.properties).
 */
public final class AlertView {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z");
    private static final Set<String> SHOWN = Set.of("alertname", "severity");
    private final Alert alert;
    private final ZoneId zone;
    private final Texts texts;
    private final String lang;

    public AlertView(Alert alert, ZoneId zone) {
        this(alert, zone, null, "en");
    }

    /** @param texts the bot's texts, or null (status in upper case, ISO-like times) */
    public AlertView(Alert alert, ZoneId zone, Texts texts, String lang) {
        this.alert = alert;
        this.zone = zone;
        this.texts = texts;
        this.lang = Texts.known(lang);
    }

    private WebhookBudget budget;
    private long arrivedAt;

    /** When the webhook request that brought this alert arrived (epoch ms); 0 when unknown. */
    long arrivedAt() {
        return arrivedAt;
    }

    void arrivedAt(long epochMillis) {
        this.arrivedAt = epochMillis;
    }

    /** The same alert in another language ({@code en}, {@code ru}): what the route renders each template with. */
    public AlertView inLanguage(String language) {
        AlertView v = new AlertView(alert, zone, texts, language);
        v.budget = budget;
        v.arrivedAt = arrivedAt;
        return v;
    }

    /** The message budget of the webhook request this alert came in; null for alerts from elsewhere. */
    WebhookBudget budget() {
        return budget;
    }

    AlertView withBudget(WebhookBudget b) {
        this.budget = b;
        return this;
    }

    public Alert getAlert() {
        return alert;
    }

    /** {@code FIRING} or {@code RESOLVED}. */
    public String getStatus() {
        return texts == null
                ? alert.status().toUpperCase(Locale.ROOT)
                : texts.t(lang, alert.firing() ? "alert.firing" : "alert.resolved");
    }

    private String time(Instant t) {
        DateTimeFormatter f = texts == null
                ? TIME
                : DateTimeFormatter.ofPattern(texts.t(lang, "format.datetime"), Texts.locale(lang));
        return f.format(t.atZone(zone));
    }

    /** 🔥 while firing, ✅ once resolved. */
    public String getIcon() {
        return alert.firing() ? "\uD83D\uDD25" : "\u2705";
    }

    public String getAlertname() {
        return Html.escape(alert.alertname());
    }

    /** The {@code severity} label, or "none". */
    public String getSeverity() {
        return Html.escape(alert.labels().getOrDefault("severity", "none"));
    }

    /** The {@code summary} annotation; empty when absent. */
    public String getSummary() {
        return Html.escape(alert.annotations().getOrDefault("summary", ""));
    }

    /** The {@code description} annotation (or {@code message}); empty when absent. */
    public String getDescription() {
        String d = alert.annotations()
                .getOrDefault("description", alert.annotations().getOrDefault("message", ""));
        return Html.escape(d);
    }

    /** The other labels, one "name: value" per line, sorted by name. */
    public String getLabels() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : alert.labels().entrySet()) {
            if (!SHOWN.contains(e.getKey())) {
                if (b.length() > 0) {
                    b.append('\n');
                }
                b.append(Html.escape(e.getKey())).append(": ").append(Html.escape(e.getValue()));
            }
        }
        return b.toString();
    }

    /** Start time, e.g. {@code 2026-11-21 05:23:14 MSK}. */
    public String getStartsAt() {
        return time(alert.startsAt());
    }

    /** End time; empty while firing. */
    public String getEndsAt() {
        return alert.endsAt() == null ? "" : time(alert.endsAt());
    }

    /** The generator URL, escaped for use inside {@code href="…"}; empty when absent. */
    public String getGeneratorUrl() {
        return Html.escape(alert.generatorUrl());
    }

    public String getFingerprint() {
        return Html.escape(alert.fingerprint());
    }
}
