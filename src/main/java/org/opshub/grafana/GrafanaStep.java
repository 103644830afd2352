package org.opshub.grafana;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * A bot request that needs Grafana's API, handed from the command handler to the
 * {@code grafana-browse} route.
 *
 * @param kind       what to ask Grafana and what to answer
 * @param chatId     the chat to answer
 * @param ref        outbox ref of the answer (the update it answers)
 * @param query      dashboard search text ({@code SEARCH}, {@code GRAPH_SEARCH})
 * @param uid        dashboard uid ({@code PANELS}, {@code GRAPH_PANELS})
 * @param panelQuery panel title prefix ({@code /graph})
 * @param range      time range ({@code /graph}), e.g. {@code 6h}
 * @param threadId   the forum topic to answer in ({@code message_thread_id}), 0 for none
 */
public record GrafanaStep(
        Kind kind, long chatId, String ref, String query, String uid, String panelQuery, String range, long threadId) {

    /** A step answered in the chat itself (no forum topic). */
    public GrafanaStep(Kind kind, long chatId, String ref, String query, String uid, String panelQuery, String range) {
        this(kind, chatId, ref, query, uid, panelQuery, range, 0);
    }

    /** The kinds of steps. */
    public enum Kind {
        /** /dashboards [query]: keyboard of dashboards. */
        SEARCH,
        /** A dashboard chosen: keyboard of its panels. */
        PANELS,
        /** /graph: find the dashboard by title prefix. */
        GRAPH_SEARCH,
        /** /graph: find the panel by title prefix in the one dashboard found. */
        GRAPH_PANELS
    }

    /** The route that serves every Grafana step: {@code grafana-browse}. */
    public String flow() {
        return "grafana-browse";
    }

    /** {@link #query()} URL-encoded (empty when none), for the route's request URL. */
    public String urlQuery() {
        return query == null ? "" : URLEncoder.encode(query, StandardCharsets.UTF_8);
    }

    /** {@link #uid()} URL-encoded, for the route's request URL. */
    public String urlUid() {
        return uid == null ? "" : URLEncoder.encode(uid, StandardCharsets.UTF_8);
    }
}
