package org.opshub.grafana;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.opshub.config.Secrets;
import org.opshub.telegram.outbox.BotCall;
import org.opshub.telegram.outbox.CallbackStore;
import org.opshub.telegram.outbox.ChatTexts;
import org.opshub.telegram.outbox.Html;
import org.opshub.telegram.outbox.OutboxMessage;
import org.opshub.telegram.outbox.OutboxStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bot's Grafana side: dashboards and panels as inline keyboards, panels as photos. The
 * requests, their answer classes and the error replies are in {@code routes/grafana.yaml}
 * ({@code GET /api/search}, {@code GET /api/dashboards/uid/<uid>} of Grafana's HTTP API and
 * {@code GET /render/d-solo/...} of its image renderer); this bean turns a parsed answer into
 * keyboards and photos in the outbox. Nothing is cached, so Grafana being down at startup
 * changes nothing.
 */
public final class GrafanaBot {
    private static final Logger LOG = LoggerFactory.getLogger(GrafanaBot.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final int MAX_BUTTONS = 60;
    private final GrafanaSettings settings;
    private final CallbackStore callbacks;
    private final OutboxStore outbox;

    public GrafanaBot(GrafanaSettings settings, CallbackStore callbacks, OutboxStore outbox) {
        this.settings = settings;
        this.callbacks = callbacks;
        this.outbox = outbox;
    }

    public boolean enabled() {
        return settings.enabled();
    }

    public GrafanaSettings settings() {
        return settings;
    }

    // ---- browsing: the grafana-browse route calls these with Grafana's parsed answer ----------

    /**
     * {@code GET /api/search} answered for {@code /dashboards [words]}: a keyboard of the
     * dashboards found (at most 60), or a reply that none matches.
     *
     * @param search the answer, a JSON array of {@code {uid, title, folderTitle}}
     */
    public void dashboards(GrafanaStep step, JsonNode search) {
        dashboardsKeyboard(step, Dashboards.search(search));
    }

    /**
     * {@code GET /api/dashboards/uid/<uid>} answered for a dashboard button: a keyboard of its
     * panels at {@code grafana.default-range}.
     *
     * @param dashboard the answer, {@code {dashboard: {uid, title, panels}, meta: {slug}}}
     */
    public void panels(GrafanaStep step, JsonNode dashboard) {
        if (notADashboard(step, dashboard)) {
            return;
        }
        Dashboards.Dashboard d = Dashboards.dashboard(dashboard);
        panelsKeyboard(step, d, d.panels(), settings.defaultRange());
    }

    /**
     * {@code GET /api/search} answered for {@code /graph <dashboard> <panel>}: the one dashboard
     * whose title starts with the words (a title equal to them wins).
     *
     * @return the next step, the panel search in that dashboard; null when none or several
     *         matched (a reply or a keyboard is queued instead)
     */
    public GrafanaStep graphDashboard(GrafanaStep step, JsonNode search) {
        return pickDashboard(step, Dashboards.search(search));
    }

    /**
     * {@code GET /api/dashboards/uid/<uid>} answered for {@code /graph}: the panel whose title
     * starts with the words is queued as a photo; several give a keyboard, none a reply.
     */
    public void graphPanel(GrafanaStep step, JsonNode dashboard) {
        if (!notADashboard(step, dashboard)) {
            pickPanel(step, Dashboards.dashboard(dashboard));
        }
    }

    /**
     * Grafana answered, but not with data (an error status, a login page, a body that is not JSON), as
     * the route classified it: the chat gets {@code ⚠️ Grafana: answered <status>: <message>; <hint>}.
     *
     * @param contentType the answer's Content-Type, may be null
     * @param hint        what that class of answer means for the person asking (empty for none)
     */
    public void answerError(GrafanaStep step, int status, String body, String contentType, String hint) {
        String problem = problem(status, body, contentType) + (hint == null || hint.isBlank() ? "" : "; " + hint);
        reply(step, t(step.chatId(), "grafana.error", Html.escape(problem)));
    }

    /** Grafana did not answer (timeout, refused, an answer over the cap): the chat gets a readable reply. */
    public void unreachable(GrafanaStep step, Exception e) {
        LOG.warn("Grafana API call failed: {}", e == null ? "?" : e.toString());
        String why = Html.escape(notAnswering(e));
        reply(step, t(step.chatId(), "grafana.unreachable", why));
    }

    private boolean notADashboard(GrafanaStep step, JsonNode answer) {
        if (Dashboards.isDashboard(answer)) {
            return false;
        }
        answerError(step, 200, answer == null ? "" : answer.toString(), "application/json", "");
        return true;
    }

    private volatile ChatTexts chatTexts = ChatTexts.embedded();

    /** The bot's texts in each chat's language, for the keyboards and replies. */
    public void languages(ChatTexts chatTexts) {
        this.chatTexts = chatTexts;
    }

    private String t(long chatId, String key, Object... args) {
        return chatTexts.t(chatId, key, args);
    }

    private void dashboardsKeyboard(GrafanaStep step, List<Dashboards.Ref> found) {
        if (found.isEmpty()) {
            String q = step.query() == null ? "" : Html.escape(step.query());
            reply(
                    step,
                    q.isEmpty() ? t(step.chatId(), "grafana.no-dashboards") : t(step.chatId(), "grafana.no-match", q));
            return;
        }
        ArrayNode rows = JSON.createArrayNode();
        for (Dashboards.Ref d : found.subList(0, Math.min(found.size(), MAX_BUTTONS))) {
            ObjectNode action = JSON.createObjectNode().put("t", "dash").put("uid", d.uid());
            if (step.panelQuery() != null) {
                action.put("panel", step.panelQuery()).put("range", step.range());
            }
            String label = d.folder().isEmpty() ? d.title() : d.title() + " · " + d.folder();
            rows.addArray().add(button(step.chatId(), label, action));
        }
        String head = found.size() > MAX_BUTTONS ? t(step.chatId(), "grafana.first", MAX_BUTTONS, found.size()) : "";
        keyboard(step, t(step.chatId(), "grafana.choose-dashboard", head), rows);
    }

    private void panelsKeyboard(GrafanaStep step, Dashboards.Dashboard d, List<Dashboards.Panel> panels, String range) {
        if (panels.isEmpty()) {
            reply(step, t(step.chatId(), "grafana.no-panels", Html.escape(d.title())));
            return;
        }
        ArrayNode rows = JSON.createArrayNode();
        List<Dashboards.Panel> shown = panels.subList(0, Math.min(panels.size(), MAX_BUTTONS));
        for (Dashboards.Panel p : shown) {
            ObjectNode action = JSON.createObjectNode()
                    .put("t", "panel")
                    .put("uid", d.uid())
                    .put("slug", d.slug())
                    .put("id", p.id())
                    .put("title", d.title() + " \u203A " + p.title())
                    .put("range", range);
            rows.addArray().add(button(step.chatId(), p.title(), action));
        }
        String head = t(step.chatId(), "grafana.choose-panel", Html.escape(d.title()), Html.escape(range));
        keyboard(step, head + Dashboards.sections(shown), rows);
    }

    private GrafanaStep pickDashboard(GrafanaStep step, List<Dashboards.Ref> found) {
        List<Dashboards.Ref> matches = Dashboards.byPrefix(found, Dashboards.Ref::title, step.query());
        if (matches.isEmpty()) {
            reply(step, t(step.chatId(), "grafana.no-prefix", Html.escape(step.query())));
            return null;
        }
        if (matches.size() > 1) {
            dashboardsKeyboard(step, matches);
            return null;
        }
        return new GrafanaStep(
                GrafanaStep.Kind.GRAPH_PANELS,
                step.chatId(),
                step.ref(),
                null,
                matches.get(0).uid(),
                step.panelQuery(),
                step.range(),
                step.threadId());
    }

    private void pickPanel(GrafanaStep step, Dashboards.Dashboard d) {
        List<Dashboards.Panel> matches = Dashboards.byPrefix(d.panels(), Dashboards.Panel::title, step.panelQuery());
        if (matches.size() == 1) {
            Dashboards.Panel p = matches.get(0);
            photo(
                    step.chatId(),
                    step.threadId(),
                    step.ref(),
                    d.uid(),
                    d.slug(),
                    p.id(),
                    d.title() + " \u203A " + p.title(),
                    step.range());
        } else if (matches.isEmpty()) {
            reply(step, t(step.chatId(), "grafana.no-panel", Html.escape(d.title()), Html.escape(step.panelQuery())));
        } else {
            panelsKeyboard(step, d, matches, step.range());
        }
    }

    /** What a dashboard chosen on a keyboard leads to: its panels, or the /graph panel search. */
    public GrafanaStep chosen(long chatId, long threadId, String ref, JsonNode action) {
        if (action.has("panel")) {
            return new GrafanaStep(
                    GrafanaStep.Kind.GRAPH_PANELS,
                    chatId,
                    ref,
                    null,
                    action.path("uid").asText(),
                    action.path("panel").asText(),
                    action.path("range").asText(settings.defaultRange()),
                    threadId);
        }
        return new GrafanaStep(
                GrafanaStep.Kind.PANELS, chatId, ref, null, action.path("uid").asText(), null, null, threadId);
    }

    /**
     * Queues a panel as a photo for a chat (a topic of it: {@code threadId}, 0 for none); the outbox
     * renders it when it is due, retrying timeouts and 5xx with backoff.
     */
    public void photo(
            long chatId, long threadId, String ref, String uid, String slug, int panelId, String title, String range) {
        ObjectNode extra = JSON.createObjectNode().put("method", "sendPhoto");
        extra.set("panel", panel(uid, slug, panelId, title, range));
        outbox.enqueue(
                chatId,
                threadId,
                "photo",
                ref,
                t(chatId, "grafana.caption", Html.escape(title), Html.escape(range)),
                "HTML",
                extra.toString());
    }

    /** The {@code panel} object of a photo's extra JSON. */
    public static ObjectNode panel(String uid, String slug, int panelId, String title, String range) {
        return JSON.createObjectNode()
                .put("uid", uid)
                .put("slug", slug == null || slug.isEmpty() ? "dashboard" : slug)
                .put("id", panelId)
                .put("title", title)
                .put("range", range);
    }

    private JsonNode button(long chatId, String label, ObjectNode action) {
        String text = Dashboards.shortened(label);
        return JSON.createObjectNode().put("text", text).put("callback_data", callbacks.put(chatId, action.toString()));
    }

    private void keyboard(GrafanaStep step, String text, ArrayNode rows) {
        ObjectNode extra = JSON.createObjectNode();
        extra.putObject("reply_markup").set("inline_keyboard", rows);
        outbox.enqueue(step.chatId(), step.threadId(), "reply", step.ref(), text, "HTML", extra.toString());
    }

    private void reply(GrafanaStep step, String text) {
        outbox.reply(step.chatId(), step.threadId(), step.ref(), text);
    }

    // ---- rendering: the render-panel route calls these -----------------------------------------

    /**
     * The panel of a photo in the outbox, each part URL-encoded for the {@code render-panel}
     * route's {@code GET /render/d-solo/<uid>/<slug>?panelId=<id>&from=now-<range>}.
     */
    public PanelRequest panelOf(OutboxMessage message) {
        JsonNode p = BotCall.extra(message).path("panel");
        return new PanelRequest(
                enc(p.path("uid").asText()),
                enc(p.path("slug").asText("dashboard")),
                p.path("id").asInt(),
                enc(p.path("range").asText(settings.defaultRange())));
    }

    /**
     * The render of one panel, URL-encoded.
     *
     * @param uid   dashboard uid
     * @param slug  dashboard slug
     * @param id    panel id
     * @param range relative range, {@code 6h}
     */
    public record PanelRequest(String uid, String slug, int id, String range) {}

    /** {@code grafana.timezone}, else {@code telegram.timezone}, else the system's zone, URL-encoded: the render's {@code tz}. */
    public String zone() {
        return enc(settings.zone().getId());
    }

    /** @return {@code body} when it starts with the PNG signature (PNG specification §5.2), else null */
    public static byte[] png(byte[] body) {
        return body != null && body.length > PNG.length && startsWithPng(body) ? body : null;
    }

    /** The readable error of a call that threw: {@code Grafana does not answer: timeout}. */
    public static String notAnswering(Exception e) {
        return "Grafana does not answer: " + (e == null ? "error" : describe(e));
    }

    private static boolean startsWithPng(byte[] b) {
        for (int i = 0; i < PNG.length; i++) {
            if (b[i] != PNG[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * A one-line description of an answer that is not what was asked for: {@code answered 401:
     * invalid API key}, {@code answered 200 with an HTML page instead of data (login page? ...)}.
     *
     * @param contentType the answer's Content-Type, may be null
     */
    public static String problem(int status, String body, String contentType) {
        String b = body == null ? "" : body.strip();
        contentType = contentType == null ? "" : contentType;
        boolean html = contentType.toLowerCase(Locale.ROOT).contains("html")
                || b.regionMatches(true, 0, "<!doctype", 0, 9)
                || b.regionMatches(true, 0, "<html", 0, 5);
        if (html) {
            return "answered " + status
                    + " with an HTML page instead of data (login page? check grafana.token and the image renderer)";
        }
        String message = "";
        try {
            JsonNode n = JSON.readTree(b);
            message = n == null ? "" : Secrets.excerpt(n.path("message").asText(""));
        } catch (IOException e) {
            message = "";
        }
        if (status == 200) {
            return "answered " + (contentType.isEmpty() ? "something" : contentType) + ", not "
                    + (message.isEmpty() ? "the expected data" : "the expected data: " + message);
        }
        if (message.isEmpty()) {
            message = b.length() > 120 ? b.substring(0, 120) + "…" : b;
        }
        return "answered " + status + (message.isEmpty() ? "" : ": " + message);
    }

    private static String describe(Exception e) {
        if (e instanceof SocketTimeoutException || e instanceof HttpTimeoutException) {
            return "timeout";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
