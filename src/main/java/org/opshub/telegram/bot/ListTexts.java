package org.opshub.telegram.bot;

import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.opshub.alerts.Acks;
import org.opshub.alerts.AlertStore;
import org.opshub.alerts.SubscriptionStore;
import org.opshub.telegram.outbox.Html;
import org.opshub.telegram.outbox.Texts;

/**
 * The texts of {@code /list}, {@code /alerts} and {@code /acks} in a chat's language (HTML parse mode,
 * every value escaped): functions of the records the stores answer, without effects.
 */
final class ListTexts {
    private final Texts texts;
    private final String lang;

    /** The texts of a chat's language. */
    ListTexts(Texts texts, String lang) {
        this.texts = texts;
        this.lang = lang;
    }

    /**
     * A chat's subscriptions, by topic when it has topics: the topic {@code thread} marked, a gone topic
     * named with why, urgent ones marked.
     */
    String subscriptions(List<SubscriptionStore.Subscription> all, long thread) {
        if (all.isEmpty()) {
            return texts.t(lang, "list.empty");
        }
        StringBuilder b = new StringBuilder(texts.t(lang, "list.title"));
        long shown = -1;
        for (SubscriptionStore.Subscription s : all) {
            if (s.threadId() != shown && all.stream().anyMatch(o -> o.threadId() != 0)) {
                shown = s.threadId();
                b.append("\n<b>")
                        .append(
                                s.threadId() == 0
                                        ? texts.t(lang, "list.general")
                                        : texts.t(lang, "list.topic", s.threadId()))
                        .append("</b>")
                        .append(s.threadId() == thread ? texts.t(lang, "list.this") : "");
                if (s.threadGone() != null) {
                    b.append(texts.t(lang, "list.gone", Html.escape(s.threadGone())));
                }
            }
            b.append("\n<code>")
                    .append(Html.escape(s.pattern().text()))
                    .append("</code>")
                    .append(s.urgent() ? texts.t(lang, "list.urgent") : "");
        }
        return b.toString();
    }

    /** The alerts firing as last received: the first {@code max}, with severity, summary and since when in {@code zone}. */
    String firing(List<AlertStore.Firing> firing, ZoneId zone, int max) {
        if (firing.isEmpty()) {
            return texts.t(lang, "alerts.none");
        }
        DateTimeFormatter time = DateTimeFormatter.ofPattern(texts.t(lang, "format.time"), Texts.locale(lang));
        StringBuilder b = new StringBuilder(texts.t(lang, "alerts.title", firing.size()));
        for (AlertStore.Firing f : firing.subList(0, Math.min(firing.size(), max))) {
            b.append("\n\uD83D\uDD25 <b>").append(Html.escape(f.alertname())).append("</b>");
            if (f.severity() != null) {
                b.append(" [").append(Html.escape(f.severity())).append(']');
            }
            if (f.summary() != null && !f.summary().isBlank()) {
                b.append(" ").append(Html.escape(f.summary()));
            }
            b.append(texts.t(lang, "alerts.since", time.format(f.startsAt().atZone(zone))));
        }
        if (firing.size() > max) {
            b.append("\n").append(texts.t(lang, "alerts.more", firing.size() - max));
        }
        return b.toString();
    }

    /** The open acknowledgements, oldest first, with who and how long before {@code now} (epoch ms). */
    String acks(List<Acks.Ack> open, long now) {
        if (open.isEmpty()) {
            return texts.t(lang, "acks.none");
        }
        StringBuilder b = new StringBuilder(texts.t(lang, "acks.title", open.size()));
        for (Acks.Ack a : open) {
            b.append("\n")
                    .append(texts.t(
                            lang,
                            "acks.line",
                            Html.escape(a.alertname()),
                            Html.escape(a.ackedBy()),
                            StatusText.age(texts, lang, Duration.ofMillis(Math.max(0, now - a.ackedAt())))));
        }
        return b.toString();
    }
}
