package org.opshub.web;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import at.favre.lib.crypto.bcrypt.BCrypt;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
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
    private static final int MAX_CACHED = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final WebConfig config;
    private final boolean alertsToken;
    private final long maxBodySize;
    private final long alertsMaxBody;
    /** user + SHA-256 of a password that bcrypt already accepted: not verified again. */
    private final Map<String, Boolean> verified = new ConcurrentHashMap<>();
    /** A hash of a random password: an unknown user costs one bcrypt run too (no probing for names). */
    private final String dummyHash;

    /**
     * @param config        the web config (users may be empty)
     * @param alertsToken   whether {@code alertmanager.bearer-token} is set
     * @param maxBodySize   {@code camel.server.maxBodySize}, bytes
     * @param alertsMaxBody {@code alertmanager.max-body-bytes}, bytes
     */
    public HttpAccess(WebConfig config, boolean alertsToken, long maxBodySize, long alertsMaxBody) {
        this.config = config;
        this.alertsToken = alertsToken;
        this.maxBodySize = maxBodySize;
        this.alertsMaxBody = alertsMaxBody;
        this.dummyHash = config.hasUsers()
                ? BCrypt.withDefaults().hashToString(10, UUID.randomUUID().toString().toCharArray()) : null;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        if (tooLarge(ctx, path)) {
            return;
        }
        if (path.equals("/telegram/webhook")) {
            ctx.next();
        } else if (path.equals("/alerts")) {
            if (alertsToken || loopback(ctx.request())) {
                ctx.next();
            } else {
                refuse(ctx, 403, "POST /alerts from another host needs alertmanager.bearer-token to be set"
                        + " (and Alertmanager's http_config.authorization to send it)");
            }
        } else if (OPEN.contains(path) || path.startsWith("/observe/health/")) {
            if (config.hasUsers()) {
                authenticate(ctx);
            } else {
                ctx.next();
            }
        } else if (config.hasUsers()) {
            authenticate(ctx);
        } else if (path.endsWith("/resend") && path.startsWith("/pacs/")) {
            refuse(ctx, 403, "a re-send (C-MOVE) needs a user: set " + WebConfig.PROPERTY
                    + " to a web config with basic_auth_users (also for loopback clients)");
        } else if (loopback(ctx.request())) {
            ctx.next();
        } else {
            refuse(ctx, 403, path + " answers loopback clients only until " + WebConfig.PROPERTY
                    + " names a web config with basic_auth_users");
        }
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
        refuse(ctx, 413, "body of " + length + " bytes is larger than "
                + (alerts ? "alertmanager.max-body-bytes=" : "camel.server.maxBodySize=") + limit);
        return true;
    }

    private void authenticate(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        String[] userPassword = basic(header);
        if (userPassword == null) {
            challenge(ctx, header == null ? "credentials required (HTTP Basic, users of " + WebConfig.PROPERTY + ")"
                    : "Authorization must be HTTP Basic");
            return;
        }
        String user = userPassword[0];
        String password = userPassword[1];
        String cacheKey = user + '\u0000' + sha256(password);
        if (verified.containsKey(cacheKey)) {
            ctx.next();
            return;
        }
        String hash = config.users().get(user);
        ctx.request().pause();
        ctx.vertx().<Boolean>executeBlocking(() -> BCrypt.verifyer()
                .verify(password.toCharArray(), (hash == null ? dummyHash : hash).toCharArray()).verified && hash != null,
                false).onComplete(r -> {
                    if (r.succeeded() && Boolean.TRUE.equals(r.result())) {
                        if (verified.size() >= MAX_CACHED) {
                            verified.clear();
                        }
                        verified.put(cacheKey, Boolean.TRUE);
                        ctx.next();
                    } else {
                        LOG.debug("HTTP Basic refused for a user of {} from {}", ctx.normalizedPath(),
                                ctx.request().remoteAddress());
                        ctx.request().resume();
                        challenge(ctx, "wrong user or password");
                    }
                });
    }

    /** The user of an HTTP Basic {@code Authorization} header (checked by the time a route sees it), or null. */
    public static String basicUser(String header) {
        String[] up = basic(header);
        return up == null ? null : up[0];
    }

    /** {user, password} of an HTTP Basic header, or null. */
    static String[] basic(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            return null;
        }
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

    private static void challenge(RoutingContext ctx, String message) {
        ctx.response().putHeader("WWW-Authenticate", "Basic realm=\"opshub\", charset=\"UTF-8\"");
        refuse(ctx, 401, message);
    }

    private static void refuse(RoutingContext ctx, int status, String message) {
        if (ctx.response().ended()) {
            return;
        }
        String body = JSON.createObjectNode().put("status", "error").put("error", message).toString();
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
