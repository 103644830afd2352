package org.opshub.web;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP Basic authentication (RFC 7617) against the web config's bcrypt hashes
 * ({@code basic_auth_users}, as in Prometheus's exporter-toolkit): a password bcrypt accepted is cached
 * (by user and SHA-256, up to 1,000); an unknown user costs a bcrypt run too (no probing for names); at most
 * {@code opshub.bcrypt-concurrency} runs at once, off the event loop; after {@value #FREE_FAILURES}
 * wrong passwords in a row an address waits 1 s, doubling to {@value #MAX_BACK_OFF_MS} ms (429).
 */
final class BasicAuth {
    private static final Logger LOG = LoggerFactory.getLogger(BasicAuth.class);
    private static final int MAX_CACHED = 1000;

    private final WebConfig config;
    /** user + SHA-256 of a password that bcrypt already accepted: not verified again. */
    private final Map<String, Boolean> verified = new ConcurrentHashMap<>();
    /** A hash of a random password: an unknown user costs one bcrypt run too (no probing for names). */
    private final String dummyHash;
    /** bcrypt runs at once; a request finding none free waits its turn on the worker pool's queue no longer than it takes. */
    private final Semaphore bcrypt;
    /** client address → failures in a row and the time before which it is answered 429. */
    private final Map<String, long[]> backOff = new ConcurrentHashMap<>();

    BasicAuth(WebConfig config, int bcryptConcurrency) {
        this.config = config;
        this.bcrypt = new Semaphore(Math.max(1, bcryptConcurrency));
        this.dummyHash = config.hasUsers()
                ? BCrypt.withDefaults()
                        .hashToString(10, UUID.randomUUID().toString().toCharArray())
                : null;
    }

    /**
     * Lets the request on with {@link HttpAccess#HttpAccess.USER_HEADER} set to the verified user, or answers 401
     * with a challenge (no or wrong credentials), or 429 with {@code Retry-After} (this address is backing
     * off, or every bcrypt run is busy).
     */
    void authenticate(RoutingContext ctx) {
        String header = ctx.request().getHeader("Authorization");
        String[] userPassword = basic(header);
        if (userPassword == null) {
            challenge(
                    ctx,
                    header == null
                            ? "credentials required (HTTP Basic, users of " + WebConfig.PROPERTY + ")"
                            : "Authorization must be HTTP Basic");
            return;
        }
        String user = userPassword[0];
        String password = userPassword[1];
        String cacheKey = user + '\u0000' + sha256(password);
        if (verified.containsKey(cacheKey)) {
            backOff.remove(HttpAccess.client(ctx));
            ctx.request().headers().set(HttpAccess.USER_HEADER, user);
            ctx.next();
            return;
        }
        String hash = config.users().get(user);
        String client = HttpAccess.client(ctx);
        long[] state = backOff.get(client);
        long now = System.currentTimeMillis();
        if (state != null && now < state[1]) {
            ctx.response().putHeader("Retry-After", Long.toString(Math.max(1, (state[1] - now + 999) / 1000)));
            HttpAccess.refuse(ctx, 429, "too many wrong passwords from this address; retry later");
            return;
        }
        if (!bcrypt.tryAcquire()) {
            ctx.response().putHeader("Retry-After", "1");
            HttpAccess.refuse(ctx, 429, "busy verifying other passwords; retry in a second");
            return;
        }
        ctx.request().pause();
        ctx.vertx()
                .<Boolean>executeBlocking(
                        () -> {
                            try {
                                return BCrypt.verifyer()
                                                .verify(
                                                        password.toCharArray(),
                                                        (hash == null ? dummyHash : hash).toCharArray())
                                                .verified
                                        && hash != null;
                            } finally {
                                bcrypt.release();
                            }
                        },
                        false)
                .onComplete(r -> {
                    if (r.succeeded() && Boolean.TRUE.equals(r.result())) {
                        backOff.remove(client);
                        if (verified.size() >= MAX_CACHED) {
                            verified.clear();
                        }
                        verified.put(cacheKey, Boolean.TRUE);
                        ctx.request().headers().set(HttpAccess.USER_HEADER, user);
                        ctx.next();
                    } else {
                        LOG.debug(
                                "HTTP Basic refused for a user of {} from {}",
                                ctx.normalizedPath(),
                                ctx.request().remoteAddress());
                        ctx.request().resume();
                        failed(client);
                        challenge(ctx, "wrong user or password");
                    }
                });
    }

    /** {user, password} of an HTTP Basic header, or null. */
    static String[] basic(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded =
                    new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Wrong passwords in a row that cost a client nothing (a typo, a second user tried). */
    static final int FREE_FAILURES = 3;
    /** The most a client waits after failures: after the third in a row, each doubles its wait from 1 s. */
    static final long MAX_BACK_OFF_MS = 30_000;

    private void failed(String client) {
        if (backOff.size() > MAX_CACHED) {
            backOff.clear();
        }
        backOff.compute(client, (k, v) -> {
            long fails = v == null ? 1 : v[0] + 1;
            long wait =
                    fails < FREE_FAILURES ? 0 : Math.min(MAX_BACK_OFF_MS, 1000L << Math.min(fails - FREE_FAILURES, 20));
            return new long[] {fails, System.currentTimeMillis() + wait};
        });
    }

    private static void challenge(RoutingContext ctx, String message) {
        ctx.response().putHeader("WWW-Authenticate", "Basic realm=\"opshub\", charset=\"UTF-8\"");
        HttpAccess.refuse(ctx, 401, message);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
