package org.opshub.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may call which path of the one HTTP port, decided before any route sees the request.
 * <ul>
 * <li>{@code /metrics}, {@code /observe/health*}: no patient data, no secrets; open, unless the
 * web config lists users, then they need one (as Prometheus exporters do).</li>
 * <li>{@code /telegram/webhook}: its own secret token (the route checks it).</li>
 * <li>{@code /alerts}: its own bearer token ({@code alertmanager.bearer-token}); without one,
 * loopback clients only.</li>
 * <li>everything else ({@code /pacs/missing}, {@code /checks} and any later status page): a user of
 * the web config (HTTP Basic, RFC 7617, bcrypt hashes); with no users, loopback clients only.</li>
 * <li>{@code POST /pacs/missing/{pair}/{studyInstanceUid}/resend} makes the source PACS send data:
 * a user of the web config always, loopback clients included (it is recorded as who re-sent).</li>
 * </ul>
 * Refusals are 401 (credentials missing or wrong, with {@code WWW-Authenticate: Basic}) or 403
 * (not loopback, nothing configured that would let it in), each with a JSON body
 * {@code {"status":"error","error":"..."}} that names the property to set.
 */
public final class HttpAccess implements Handler<RoutingContext> {
    private static final Logger LOG = LoggerFactory.getLogger(HttpAccess.class);
    private static final Set<String> OPEN = Set.of("/metrics", "/observe/health");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebConfig config;
    private final boolean alertsToken;
    private final long maxBodySize;
    private final long alertsMaxBody;
    private final BasicAuth basicAuth;

    private final Limits limits;

    /**
     * What the HTTP port bounds beyond the web config.
     *
     * @param readTimeout        a request must have arrived whole within this after its headers
     *                           ({@code opshub.http-read-timeout}), or its connection is closed
     * @param webhookSecret      the secret Telegram sends in {@code X-Telegram-Bot-Api-Secret-Token}
     *                           ({@code telegram.webhook-secret}, or the one derived from the token)
     * @param webhookMaxBody     the largest {@code /telegram/webhook} body, bytes
     *                           ({@code telegram.webhook-max-body-bytes})
     * @param bcryptConcurrency  HTTP Basic verifications (bcrypt) at once ({@code opshub.bcrypt-concurrency})
     */
    public record Limits(Duration readTimeout, String webhookSecret, long webhookMaxBody, int bcryptConcurrency) {}

    /** Told of each webhook request refused for its secret, with the client's address (the bot counts and logs them). */
    private volatile Consumer<String> webhookRefused = from -> {};

    /** Sets who is told of webhook requests refused for their secret. */
    public void onWebhookRefused(Consumer<String> listener) {
        this.webhookRefused = listener;
    }

    /**
     * @param config        the web config (users may be empty)
     * @param alertsToken   whether {@code alertmanager.bearer-token} is set
     * @param maxBodySize   {@code camel.server.maxBodySize}, bytes
     * @param alertsMaxBody {@code alertmanager.max-body-bytes}, bytes
     * @param limits        read deadline, webhook secret and body cap, bcrypt concurrency
     */
    public HttpAccess(WebConfig config, boolean alertsToken, long maxBodySize, long alertsMaxBody, Limits limits) {
        this.config = config;
        this.alertsToken = alertsToken;
        this.maxBodySize = maxBodySize;
        this.alertsMaxBody = alertsMaxBody;
        this.limits = limits;
        this.basicAuth = new BasicAuth(config, limits.bcryptConcurrency());
    }

    /** The secret header Telegram sends with every pushed update (Bot API, setWebhook secret_token). */
    static final String WEBHOOK_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token";

    /**
     * The request header that carries the user HTTP Basic verified to the routes; a client's own
     * header of that name is removed before anything else.
     */
    public static final String USER_HEADER = "OpshubUser";

    /** A re-send, however the path is written: the route it reaches after normalisation. */
    private static final Pattern RESEND = Pattern.compile("/pacs/missing/[^/]+/[^/]+/resend");

    @Override
    public void handle(RoutingContext ctx) {
        ctx.request().headers().remove(USER_HEADER);
        if (!config.headers().isEmpty()) {
            ctx.addHeadersEndHandler(v -> config.headers()
                    .forEach((k, value) -> ctx.response().headers().set(k, value)));
        }
        readDeadline(ctx);
        String path = ctx.normalizedPath();
        if (canonical(path).equals("/telegram/webhook")) {
            webhook(ctx); // its secret first, then its own (smaller) cap
            return;
        }
        if (tooLarge(ctx, path)) {
            return;
        }
        if (RESEND.matcher(canonical(path)).matches()) {
            if (config.hasUsers()) {
                basicAuth.authenticate(ctx);
            } else {
                refuse(
                        ctx,
                        403,
                        "a re-send (C-MOVE) needs a user: set " + WebConfig.PROPERTY
                                + " to a web config with basic_auth_users (also for loopback clients)");
            }
            return;
        }
        if (path.equals("/alerts")) {
            if (alertsToken || loopback(ctx.request())) {
                ctx.next();
            } else {
                refuse(
                        ctx,
                        403,
                        "POST /alerts from another host needs alertmanager.bearer-token to be set"
                                + " (and Alertmanager's http_config.authorization to send it)");
            }
        } else if (OPEN.contains(path) || path.startsWith("/observe/health/")) {
            if (config.hasUsers()) {
                basicAuth.authenticate(ctx);
            } else {
                ctx.next();
            }
        } else if (config.hasUsers()) {
            basicAuth.authenticate(ctx);
        } else if (loopback(ctx.request())) {
            ctx.next();
        } else {
            refuse(
                    ctx,
                    403,
                    path + " answers loopback clients only until " + WebConfig.PROPERTY
                            + " names a web config with basic_auth_users");
        }
    }

    /**
     * Closes the connection of a request whose body has not arrived whole within
     * {@link Limits#readTimeout} of its headers (a client that sends slowly holds no connection
     * for long; one that sends nothing is closed by the idle timeout).
     */
    private void readDeadline(RoutingContext ctx) {
        if (ctx.request().isEnded()) {
            return;
        }
        long timer = ctx.vertx().setTimer(Math.max(1, limits.readTimeout().toMillis()), id -> {
            if (!ctx.request().isEnded() && ctx.request().connection() != null) {
                LOG.debug(
                        "Request body of {} not received within opshub.http-read-timeout: connection closed",
                        ctx.normalizedPath());
                ctx.request().connection().close();
            }
        });
        ctx.addEndHandler(v -> ctx.vertx().cancelTimer(timer));
    }

    /**
     * {@code /telegram/webhook}: the secret header is checked before any of the body is read (403
     * without it or with another), and the body is capped at {@link Limits#webhookMaxBody} (413).
     * An empty secret (webhook mode off) lets the route answer as it does.
     */
    private void webhook(RoutingContext ctx) {
        String expected = limits.webhookSecret();
        if (expected != null && !expected.isEmpty()) {
            String given = ctx.request().getHeader(WEBHOOK_SECRET_HEADER);
            if (given == null
                    || !MessageDigest.isEqual(
                            expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8))) {
                webhookRefused.accept(client(ctx));
                LOG.debug(
                        "POST /telegram/webhook from {} refused: no or a wrong {}", client(ctx), WEBHOOK_SECRET_HEADER);
                // the answer the route gives (Bot API style), without reading the body
                ctx.response()
                        .setStatusCode(403)
                        .putHeader("Content-Type", "application/json")
                        .putHeader("Connection", "close")
                        .end("{\"ok\":false,\"error\":\"missing or wrong " + WEBHOOK_SECRET_HEADER + "\"}");
                return;
            }
        }
        String declared = ctx.request().getHeader("Content-Length");
        boolean chunked = declared == null;
        try {
            if (!chunked && Long.parseLong(declared.strip()) > limits.webhookMaxBody()) {
                refuse(ctx, 413, "body larger than telegram.webhook-max-body-bytes=" + limits.webhookMaxBody());
                return;
            }
        } catch (NumberFormatException e) {
            refuse(ctx, 400, "Content-Length is not a number");
            return;
        }
        if (chunked && !ctx.request().isEnded()) {
            refuse(ctx, 411, "a Telegram update needs a Content-Length");
            return;
        }
        ctx.next();
    }

    /**
     * A declared Content-Length above the limit: 413 with a JSON body naming the property, before
     * anything is read (the server's own check would answer in plain text).
     */
    private boolean tooLarge(RoutingContext ctx, String path) {
        String declared = ctx.request().getHeader("Content-Length");
        if (declared == null) {
            return false;
        }
        long length;
        try {
            length = Long.parseLong(declared.strip());
        } catch (NumberFormatException e) {
            return false; // the server refuses it
        }
        boolean alerts = path.equals("/alerts") && alertsMaxBody <= maxBodySize;
        long limit = alerts ? alertsMaxBody : maxBodySize;
        if (length <= limit) {
            return false;
        }
        refuse(
                ctx,
                413,
                "body of " + length + " bytes is larger than "
                        + (alerts ? "alertmanager.max-body-bytes=" : "camel.server.maxBodySize=") + limit);
        return true;
    }

    /**
     * The path a guard decides on: percent-decoded (repeatedly, so {@code %2572} is no way round),
     * lower case, runs of {@code /} as one, no trailing {@code /}. {@code /pacs/missing/p/u//RESEND/}
     * and {@code /pacs/missing/p/u/%72esend} are both {@code /pacs/missing/p/u/resend}.
     */
    static String canonical(String path) {
        String p = path == null ? "" : path;
        for (int i = 0; i < 3 && p.indexOf('%') >= 0; i++) {
            try {
                p = URLDecoder.decode(p.replace("+", "%2B"), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                break;
            }
        }
        p = p.toLowerCase(Locale.ROOT).replaceAll("/{2,}", "/");
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    static String client(RoutingContext ctx) {
        return ctx.request().remoteAddress() == null
                ? "?"
                : String.valueOf(ctx.request().remoteAddress().hostAddress());
    }

    /** Whether the peer is a loopback address (127.0.0.0/8, ::1, or IPv4-mapped loopback). */
    static boolean loopback(HttpServerRequest request) {
        if (request.remoteAddress() == null || request.remoteAddress().hostAddress() == null) {
            return false;
        }
        try {
            return InetAddress.getByName(request.remoteAddress().hostAddress()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    static void refuse(RoutingContext ctx, int status, String message) {
        if (ctx.response().ended()) {
            return;
        }
        String body = JSON.createObjectNode()
                .put("status", "error")
                .put("error", message)
                .toString();
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(body);
    }
}
