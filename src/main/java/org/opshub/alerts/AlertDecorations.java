package org.opshub.alerts;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.opshub.grafana.Dashboards;
import org.opshub.grafana.GrafanaBot;
import org.opshub.grafana.GrafanaSettings;
import org.opshub.telegram.outbox.BotCall;
import org.opshub.telegram.outbox.CallbackStore;
import org.opshub.telegram.outbox.Html;
import org.opshub.telegram.outbox.Texts;

/**
 * What goes with an alert message besides its text: the "Silence 1h / 4h / 24h" buttons of a
 * firing alert (with {@code alertmanager.api-url}), and the Grafana panel it references
 * (annotations {@code grafana_dashboard_uid} + {@code grafana_panel_id}, or Grafana-managed
 * alerts' {@code __dashboardUid__} + {@code __panelId__}, or a link to the panel in {@code
 * grafana_panel_url}; a dashboard of either schema) as a photo: one photo with the text as
 * caption when the text fits Telegram's 1,024-character caption, else the text followed by the photo.
 */
public final class AlertDecorations {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int[] SILENCE_HOURS = {1, 4, 24};
    private final GrafanaSettings grafana;
    private final boolean silences;
    private final Set<String> resendChecks;
    private final Set<Long> resendChats;
    private final Set<String> resendAlertnames;
    private volatile Texts texts;

    /** One outbox row of an alert for one chat. */
    public record Row(String kind, String refSuffix, String text, String extra) {}

    public AlertDecorations(GrafanaSettings grafana, boolean silences) {
        this(grafana, silences, Set.of(), Set.of(), Set.of());
    }

    /**
     * @param resendChecks     forwarding checks ("source->target"): a firing alert named in
     *                         {@code resendAlertnames} whose {@code source} and {@code target} labels name one
     *                         gets a "Resend missing" button
     * @param resendChats      the chats that get that button ({@code telegram.resend-chats})
     * @param resendAlertnames {@code telegram.resend-alertnames}
     */
    public AlertDecorations(
            GrafanaSettings grafana,
            boolean silences,
            Set<String> resendChecks,
            Set<Long> resendChats,
            Set<String> resendAlertnames) {
        this.grafana = grafana;
        this.silences = silences;
        this.resendChecks = Set.copyOf(resendChecks);
        this.resendChats = Set.copyOf(resendChats);
        this.resendAlertnames = Set.copyOf(resendAlertnames);
    }

    /** The bot's texts for the buttons and captions (null: English). */
    public AlertDecorations texts(Texts t) {
        this.texts = t;
        return this;
    }

    private String t(String lang, String key, Object... args) {
        Texts held = texts;
        return (held == null ? Texts.embedded() : held).t(lang, key, args);
    }

    /** Decorations are off: one plain row per alert. */
    public static AlertDecorations none() {
        return new AlertDecorations(null, false);
    }

    /** The check of a missing-studies alert that this chat may re-send from, or null. */
    private String resendCheck(long chatId, Alert alert) {
        String key = alert.labels().get("source") + "->" + alert.labels().get("target");
        return alert.firing()
                        && resendChats.contains(chatId)
                        && resendChecks.contains(key)
                        && resendAlertnames.contains(alert.alertname())
                ? key
                : null;
    }

    /**
     * The rows to queue for one chat (callback tokens are stored on {@code c}), its buttons and
     * captions in the chat's language {@code lang}.
     */
    public List<Row> rows(Connection c, long chatId, Alert alert, String message, String lang) throws SQLException {
        ObjectNode markup =
                (silences || resendCheck(chatId, alert) != null) && alert.firing() && chatId != AlertInbox.CONSOLE
                        ? keyboard(c, chatId, alert, message, lang)
                        : null;
        ObjectNode panel = grafana != null && grafana.enabled() && chatId != AlertInbox.CONSOLE ? panel(alert) : null;
        List<Row> rows = new ArrayList<>();
        if (panel == null) {
            rows.add(new Row(
                    "alert", "", message, markup == null ? null : extra(markup).toString()));
        } else if (BotCall.fitsCaption(message)) {
            ObjectNode extra = extra(markup).put("method", "sendPhoto").put("fallback", "text");
            extra.set("panel", panel);
            rows.add(new Row("alert", "", message, extra.toString()));
        } else {
            rows.add(new Row(
                    "alert", "", message, markup == null ? null : extra(markup).toString()));
            ObjectNode photo = JSON.createObjectNode().put("method", "sendPhoto");
            photo.set("panel", panel);
            rows.add(new Row(
                    "photo",
                    ":photo",
                    t(lang, "alert.photo", Html.escape(alert.alertname()), Html.escape(grafana.defaultRange())),
                    photo.toString()));
        }
        return rows;
    }

    private static ObjectNode extra(ObjectNode markup) {
        ObjectNode extra = JSON.createObjectNode();
        if (markup != null) {
            extra.set("reply_markup", markup);
        }
        return extra;
    }

    /** The Grafana panel an alert references, as the JSON a photo's {@code panel} holds; null for none or without Grafana. */
    public String panelJson(Alert alert) {
        ObjectNode panel = grafana != null && grafana.enabled() ? panel(alert) : null;
        return panel == null ? null : panel.toString();
    }

    private ObjectNode panel(Alert alert) {
        String uid = first(alert, "grafana_dashboard_uid", "__dashboardUid__");
        int id = Dashboards.panelId(first(alert, "grafana_panel_id", "__panelId__"));
        Dashboards.PanelLink link = Dashboards.panelUrl(first(alert, "grafana_panel_url"));
        if (uid != null && id >= 0) {
            return GrafanaBot.panel(uid.strip(), "dashboard", id, alert.alertname(), grafana.defaultRange());
        }
        return link == null
                ? null
                : GrafanaBot.panel(link.uid(), link.slug(), link.id(), alert.alertname(), grafana.defaultRange());
    }

    private static String first(Alert alert, String... keys) {
        for (String k : keys) {
            String v = alert.annotations().get(k);
            if (v == null) {
                v = alert.labels().get(k);
            }
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    private ObjectNode keyboard(Connection c, long chatId, Alert alert, String message, String lang)
            throws SQLException {
        ObjectNode markup = JSON.createObjectNode();
        ArrayNode rows = markup.putArray("inline_keyboard");
        String check = resendCheck(chatId, alert);
        if (check != null) {
            ObjectNode action = JSON.createObjectNode()
                    .put("t", "resend-check")
                    .put("check", check)
                    .put("label", t(lang, "button.resend-missing.label"))
                    .put("text", message);
            rows.addArray()
                    .addObject()
                    .put("text", t(lang, "button.resend-missing", check.replace("->", " \u2192 ")))
                    .put("callback_data", CallbackStore.put(c, chatId, action.toString()));
        }
        if (!silences) {
            return markup;
        }
        ArrayNode row = rows.addArray();
        // Ack: a silence opshub extends while the alert fires and expires once it resolves (Acks)
        ObjectNode ack = JSON.createObjectNode()
                .put("t", "ack")
                .put("fp", alert.fingerprint())
                .put("text", message);
        ObjectNode ackLabels = ack.putObject("labels");
        alert.labels().forEach(ackLabels::put);
        row.add(JSON.createObjectNode()
                .put("text", t(lang, "button.ack"))
                .put("callback_data", CallbackStore.put(c, chatId, ack.toString())));
        for (int h : SILENCE_HOURS) {
            ObjectNode action =
                    JSON.createObjectNode().put("t", "silence").put("h", h).put("text", message);
            ObjectNode labels = action.putObject("labels");
            for (Map.Entry<String, String> e : alert.labels().entrySet()) {
                labels.put(e.getKey(), e.getValue());
            }
            row.add(JSON.createObjectNode()
                    .put("text", t(lang, "button.silence", h))
                    .put("callback_data", CallbackStore.put(c, chatId, action.toString())));
        }
        return markup;
    }
}
