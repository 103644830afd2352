package org.opshub.grafana;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.opshub.outbox.Callbacks;
import org.opshub.outbox.BotCall;
import org.opshub.outbox.Html;
import org.opshub.outbox.Outbox;
import org.opshub.outbox.OutboxMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bot's Grafana side: dashboards and panels as inline keyboards, panels as photos. The
 * {@code grafana-browse} route calls {@code GET /api/search?type=dash-db&query=} and
 * {@code GET /api/dashboards/uid/<uid>}; the {@code render-panel} route calls
 * {@code GET /render/d-solo/<uid>/<slug>?orgId&panelId&from=now-<range>&to=now&width&height&tz}
 * (Grafana image renderer). Every request carries the service-account token as Bearer. Answers
 * that are errors (4xx/5xx, an HTML page, a body that is not JSON or not a PNG) become a short
 * readable reply; nothing is cached, so Grafana being down at startup changes nothing.
 */
public final class GrafanaBot {
    private static final Logger LOG = LoggerFactory.getLogger(GrafanaBot.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final int MAX_BUTTONS = 60;
    private final GrafanaSettings settings;
    private final Callbacks callbacks;
    private final Outbox outbox;

    public GrafanaBot(GrafanaSettings settings, Callbacks callbacks, Outbox outbox) {
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

    /** The endpoint the routes call; each request's URL is in {@code CamelHttpUri}. */
    public String endpoint() {
        return settings.url();
    }

    private void headers(Exchange exchange, String url, String accept) {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setBody(null);
        exchange.getMessage().setHeader(Exchange.HTTP_URI, url);
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, "GET");
        exchange.getMessage().setHeader("Accept", accept);
        if (!settings.token().isEmpty()) {
            exchange.getMessage().setHeader("Authorization", "Bearer " + settings.token());
        }
    }

    // ---- browsing ------------------------------------------------------------------------------

    /** Prepares the API call of the step in the {@code step} property. */
    public void browseRequest(Exchange exchange, @ExchangeProperty("step") GrafanaStep step) {
        String url = switch (step.kind()) {
            case SEARCH, GRAPH_SEARCH -> settings.url() + "/api/search?type=dash-db&limit=100&query="
                    + URLEncoder.encode(step.query() == null ? "" : step.query(), StandardCharsets.UTF_8);
            case PANELS, GRAPH_PANELS -> settings.url() + "/api/dashboards/uid/"
                    + URLEncoder.encode(step.uid(), StandardCharsets.UTF_8);
        };
        headers(exchange, url, "application/json");
    }

    /**
     * Answers a step from Grafana's answer: a keyboard, a photo, or a readable error.
     *
     * @return the next step ({@code /graph} after the dashboard was found), or null
     */
    public GrafanaStep browseAnswer(Exchange exchange, @ExchangeProperty("step") GrafanaStep step) {
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        String body = exchange.getMessage().getBody(String.class);
        exchange.getMessage().removeHeaders("*");
        JsonNode json = null;
        if (status == 200) {
            try {
                json = JSON.readTree(body == null ? "" : body);
            } catch (IOException e) {
                json = null;
            }
        }
        if (json == null || json.isMissingNode() || (json.isObject() && json.has("message") && !json.has("dashboard"))) {
            reply(step, "\u26A0\uFE0F Grafana: " + Html.escape(problem(status, body,
                    exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, "", String.class))));
            return null;
        }
        return switch (step.kind()) {
            case SEARCH -> {
                dashboardsKeyboard(step, Dashboards.search(json));
                yield null;
            }
            case PANELS -> {
                Dashboards.Dashboard d = Dashboards.dashboard(json);
                panelsKeyboard(step, d, d.panels(), settings.defaultRange());
                yield null;
            }
            case GRAPH_SEARCH -> graphDashboard(step, Dashboards.search(json));
            case GRAPH_PANELS -> {
                graphPanel(step, Dashboards.dashboard(json));
                yield null;
            }
        };
    }

    /** Grafana did not answer (timeout, refused): a readable reply. */
    public void browseFailed(Exchange exchange, @ExchangeProperty("step") GrafanaStep step) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        LOG.warn("Grafana API call failed: {}", e == null ? "?" : e.toString());
        reply(step, "\u26A0\uFE0F Grafana does not answer: " + Html.escape(e == null ? "error" : describe(e)));
    }

    private void dashboardsKeyboard(GrafanaStep step, List<Dashboards.Ref> found) {
        if (found.isEmpty()) {
            reply(step, step.query() == null || step.query().isEmpty() ? "No dashboards in Grafana."
                    : "No dashboard matches <code>" + Html.escape(step.query()) + "</code>.");
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
        String head = found.size() > MAX_BUTTONS ? " (first " + MAX_BUTTONS + " of " + found.size() + ")" : "";
        keyboard(step, "Choose a dashboard" + head + ":", rows);
    }

    private void panelsKeyboard(GrafanaStep step, Dashboards.Dashboard d, List<Dashboards.Panel> panels, String range) {
        if (panels.isEmpty()) {
            reply(step, "<b>" + Html.escape(d.title()) + "</b> has no panels to render.");
            return;
        }
        ArrayNode rows = JSON.createArrayNode();
        for (Dashboards.Panel p : panels.subList(0, Math.min(panels.size(), MAX_BUTTONS))) {
            ObjectNode action = JSON.createObjectNode().put("t", "panel").put("uid", d.uid()).put("slug", d.slug())
                    .put("id", p.id()).put("title", d.title() + " \u203A " + p.title()).put("range", range);
            rows.addArray().add(button(step.chatId(), p.title(), action));
        }
        keyboard(step, "<b>" + Html.escape(d.title()) + "</b>: choose a panel (last " + Html.escape(range) + "):", rows);
    }

    private GrafanaStep graphDashboard(GrafanaStep step, List<Dashboards.Ref> found) {
        List<Dashboards.Ref> matches = byPrefix(found, Dashboards.Ref::title, step.query());
        if (matches.isEmpty()) {
            reply(step, "No dashboard starts with <code>" + Html.escape(step.query()) + "</code>. /dashboards lists them.");
            return null;
        }
        if (matches.size() > 1) {
            dashboardsKeyboard(step, matches);
            return null;
        }
        return new GrafanaStep(GrafanaStep.Kind.GRAPH_PANELS, step.chatId(), step.ref(), null, matches.get(0).uid(),
                step.panelQuery(), step.range());
    }

    private void graphPanel(GrafanaStep step, Dashboards.Dashboard d) {
        List<Dashboards.Panel> matches = byPrefix(d.panels(), Dashboards.Panel::title, step.panelQuery());
        if (matches.size() == 1) {
            Dashboards.Panel p = matches.get(0);
            photo(step.chatId(), step.ref(), d.uid(), d.slug(), p.id(), d.title() + " \u203A " + p.title(), step.range());
        } else if (matches.isEmpty()) {
            reply(step, "No panel of <b>" + Html.escape(d.title()) + "</b> starts with <code>"
                    + Html.escape(step.panelQuery()) + "</code>.");
        } else {
            panelsKeyboard(step, d, matches, step.range());
        }
    }

    /**
     * The items whose title starts with {@code query}, case-insensitively, in order; only the
     * first whose title equals it when there is one.
     */
    private static <T> List<T> byPrefix(List<T> items, java.util.function.Function<T, String> title, String query) {
        String q = query == null ? "" : query.toLowerCase(Locale.ROOT);
        List<T> matches = new ArrayList<>();
        for (T item : items) {
            String t = title.apply(item).toLowerCase(Locale.ROOT);
            if (t.equals(q)) {
                return List.of(item);
            }
            if (t.startsWith(q)) {
                matches.add(item);
            }
        }
        return matches;
    }

    /** What a dashboard chosen on a keyboard leads to: its panels, or the /graph panel search. */
    public GrafanaStep chosen(long chatId, String ref, JsonNode action) {
        if (action.has("panel")) {
            return new GrafanaStep(GrafanaStep.Kind.GRAPH_PANELS, chatId, ref, null, action.path("uid").asText(),
                    action.path("panel").asText(), action.path("range").asText(settings.defaultRange()));
        }
        return new GrafanaStep(GrafanaStep.Kind.PANELS, chatId, ref, null, action.path("uid").asText(), null, null);
    }

    /**
     * Queues a panel as a photo for a chat; the outbox renders it when it is due, retrying
     * timeouts and 5xx with backoff.
     */
    public void photo(long chatId, String ref, String uid, String slug, int panelId, String title, String range) {
        ObjectNode extra = JSON.createObjectNode().put("method", "sendPhoto");
        extra.set("panel", panel(uid, slug, panelId, title, range));
        outbox.enqueue(chatId, "photo", ref, Html.escape(title) + " \u00B7 last " + Html.escape(range), "HTML",
                extra.toString());
    }

    /** The {@code panel} object of a photo's extra JSON. */
    public static ObjectNode panel(String uid, String slug, int panelId, String title, String range) {
        return JSON.createObjectNode().put("uid", uid).put("slug", slug == null || slug.isEmpty() ? "dashboard" : slug)
                .put("id", panelId).put("title", title).put("range", range);
    }

    private JsonNode button(long chatId, String label, ObjectNode action) {
        String text = label.length() > 60 ? label.substring(0, 59) + "…" : label;
        return JSON.createObjectNode().put("text", text).put("callback_data", callbacks.put(chatId, action.toString()));
    }

    private void keyboard(GrafanaStep step, String text, ArrayNode rows) {
        ObjectNode extra = JSON.createObjectNode();
        extra.putObject("reply_markup").set("inline_keyboard", rows);
        outbox.enqueue(step.chatId(), "reply", step.ref(), text, "HTML", extra.toString());
    }

    private void reply(GrafanaStep step, String text) {
        outbox.enqueue(step.chatId(), "reply", step.ref(), text, "HTML");
    }

    // ---- rendering -----------------------------------------------------------------------------

    /** Prepares the render call of the photo in the {@code outboxMessage} property. */
    public void renderRequest(Exchange exchange) {
        OutboxMessage m = exchange.getProperty(OutboxMessage.PROPERTY, OutboxMessage.class);
        JsonNode p = BotCall.extra(m).path("panel");
        String url = settings.url() + "/render/d-solo/" + enc(p.path("uid").asText()) + "/" + enc(p.path("slug").asText("dashboard"))
                + "?orgId=" + settings.orgId() + "&panelId=" + p.path("id").asInt() + "&from=now-"
                + enc(p.path("range").asText(settings.defaultRange())) + "&to=now&width=" + settings.width() + "&height="
                + settings.height() + "&tz=" + enc(settings.zone().getId());
        headers(exchange, url, "image/png");
    }

    /**
     * Judges a render answer: a PNG (status 200, PNG signature) goes to the {@code panelPng}
     * property; anything else to {@code renderError} (readable), with {@code renderRetryable} for 5xx.
     */
    public void renderAnswer(Exchange exchange) {
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        String type = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, "", String.class);
        byte[] body = exchange.getMessage().getBody(byte[].class);
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setBody(null);
        if (status == 200 && body != null && body.length > PNG.length && startsWithPng(body)) {
            exchange.setProperty(OutboxMessage.PANEL_PNG, body);
            return;
        }
        String text = body == null ? "" : new String(body, 0, Math.min(body.length, 2000), StandardCharsets.UTF_8);
        exchange.setProperty(OutboxMessage.RENDER_ERROR, problem(status, text, type));
        exchange.setProperty(OutboxMessage.RENDER_RETRYABLE, status >= 500);
    }

    /** A render that threw (timeout, refused): retryable. */
    public void renderFailed(Exchange exchange) {
        Exception e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        exchange.setProperty(OutboxMessage.RENDER_ERROR, "Grafana does not answer: " + (e == null ? "error" : describe(e)));
        exchange.setProperty(OutboxMessage.RENDER_RETRYABLE, true);
        exchange.getMessage().removeHeaders("*");
    }

    /** Grafana is off: a render request cannot be served. */
    public void renderOff(Exchange exchange) {
        exchange.setProperty(OutboxMessage.RENDER_ERROR, "Grafana is not configured (grafana.url)");
        exchange.setProperty(OutboxMessage.RENDER_RETRYABLE, false);
    }

    private static boolean startsWithPng(byte[] b) {
        for (int i = 0; i < PNG.length; i++) {
            if (b[i] != PNG[i]) {
                return false;
            }
        }
        return true;
    }

    /** A one-line description of an answer that is not what was asked for. */
    static String problem(int status, String body, String contentType) {
        String b = body == null ? "" : body.strip();
        boolean html = contentType.toLowerCase(Locale.ROOT).contains("html") || b.regionMatches(true, 0, "<!doctype", 0, 9)
                || b.regionMatches(true, 0, "<html", 0, 5);
        if (html) {
            return "answered " + status + " with an HTML page instead of data (login page? check grafana.token and the image renderer)";
        }
        String message = "";
        try {
            JsonNode n = JSON.readTree(b);
            message = n == null ? "" : n.path("message").asText("");
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
        if (e instanceof java.net.SocketTimeoutException || e instanceof HttpTimeoutException) {
            return "timeout";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
