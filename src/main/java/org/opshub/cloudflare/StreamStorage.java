package org.opshub.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.opshub.config.Secrets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cloudflare Stream storage per account, from {@code GET /accounts/{account_id}/stream/storage-usage}
 * (Cloudflare API v4, "Stream Videos › Storage use"; envelope {@code {success, errors[{code,message}],
 * messages, result{totalStorageMinutes, totalStorageMinutesLimit, videoCount}}}). The
 * {@code cloudflare-stream} route fetches; this bean keeps the last values, so scrapes never wait
 * on Cloudflare. A failure (HTTP 4xx/5xx, timeout, unparsable body, {@code success:false}) sets
 * {@code up} to 0 and keeps the last values; each change between working and failing is logged
 * once, naming Cloudflare's error code and message. The token is only ever put in the
 * {@code Authorization} header.
 *
 * <p>Gauges per {@code account}: {@code cloudflare_stream_stored_seconds},
 * {@code cloudflare_stream_stored_limit_seconds}, {@code cloudflare_stream_videos},
 * {@code cloudflare_stream_up}, {@code cloudflare_stream_last_success_timestamp_seconds}; with
 * {@code legacy} also {@code stream_capacity} and {@code stream_limit} (minutes, as the Go exporter
 * named them, both gauges).
 */
public final class StreamStorage {
    private static final Logger LOG = LoggerFactory.getLogger(StreamStorage.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String token;
    private final List<String> accounts;
    private final Clock clock;
    private final Map<String, AccountState> states = new LinkedHashMap<>();

    /** One account's last values; NaN until the first success. */
    private static final class AccountState {
        volatile double storedMinutes = Double.NaN;
        volatile double limitMinutes = Double.NaN;
        volatile double videos = Double.NaN;
        volatile double lastSuccessSeconds = Double.NaN;
        volatile boolean up;
        volatile String failure;
    }

    /**
     * @param accounts comma- or space-separated account ids (32 hex digits as Cloudflare shows them)
     * @throws IllegalArgumentException when an account id is not alphanumeric
     */
    public StreamStorage(String token, String accounts, boolean legacy, MeterRegistry registry, Clock clock) {
        this.token = Objects.requireNonNullElse(token, "").strip();
        this.accounts = Arrays.stream(Objects.requireNonNullElse(accounts, "").split("[,\\s]+"))
                .filter(a -> !a.isBlank())
                .map(String::strip)
                .toList();
        this.clock = clock;
        for (String account : this.accounts) {
            if (!account.matches("[A-Za-z0-9]{1,64}")) {
                throw new IllegalArgumentException("cloudflare.accounts: not an account id: " + account);
            }
            AccountState s = new AccountState();
            states.put(account, s);
            gauge(
                    registry,
                    "cloudflare_stream_stored_seconds",
                    account,
                    () -> s.storedMinutes * 60,
                    "Video storage used on Cloudflare Stream (totalStorageMinutes × 60)");
            gauge(
                    registry,
                    "cloudflare_stream_stored_limit_seconds",
                    account,
                    () -> s.limitMinutes * 60,
                    "Video storage limit of the Cloudflare Stream plan (totalStorageMinutesLimit × 60)");
            gauge(registry, "cloudflare_stream_videos", account, () -> s.videos, "Videos stored on Cloudflare Stream");
            gauge(
                    registry,
                    "cloudflare_stream_up",
                    account,
                    () -> s.up ? 1 : 0,
                    "1 when the last storage-usage fetch from the Cloudflare API succeeded");
            gauge(
                    registry,
                    "cloudflare_stream_last_success_timestamp_seconds",
                    account,
                    () -> s.lastSuccessSeconds,
                    "Unix time of the last successful storage-usage fetch");
            if (legacy) {
                gauge(
                        registry,
                        "stream_capacity",
                        account,
                        () -> s.storedMinutes,
                        "Legacy: totalStorageMinutes (minutes); use cloudflare_stream_stored_seconds");
                gauge(
                        registry,
                        "stream_limit",
                        account,
                        () -> s.limitMinutes,
                        "Legacy: totalStorageMinutesLimit (minutes), now a gauge; use cloudflare_stream_stored_limit_seconds");
            }
        }
    }

    private static void gauge(
            MeterRegistry registry, String name, String account, Supplier<Number> value, String help) {
        Gauge.builder(name, value).description(help).tag("account", account).register(registry);
    }

    /** The accounts to fetch; empty (route idle) without a token. */
    public List<String> accounts() {
        return token.isEmpty() ? List.of() : accounts;
    }

    /** Whether the exporter is configured (token and at least one account). */
    public boolean enabled() {
        return !accounts().isEmpty();
    }

    /**
     * A 2xx answer of the storage-usage API for {@code account}: with {@code success: true} and the three
     * numbers it sets the account's gauges; anything else is a failure naming what was wrong.
     *
     * @param status the HTTP status (2xx)
     * @param body   the answer, may be null
     */
    public void usage(String account, int status, String body) {
        JsonNode root = read(body);
        if (root == null || !root.isObject() || !root.path("success").asBoolean(false)) {
            failed(account, status, root, "");
            return;
        }
        JsonNode result = root.path("result");
        JsonNode minutes = result.path("totalStorageMinutes");
        JsonNode limit = result.path("totalStorageMinutesLimit");
        JsonNode videos = result.path("videoCount");
        if (!minutes.isNumber() || !limit.isNumber() || !videos.isNumber()) {
            failed(
                    account,
                    "HTTP " + status + ", result lacks totalStorageMinutes/totalStorageMinutesLimit/videoCount");
            return;
        }
        AccountState s = states.get(account);
        s.storedMinutes = minutes.asDouble();
        s.limitMinutes = limit.asDouble();
        s.videos = videos.asDouble();
        s.lastSuccessSeconds = clock.millis() / 1000.0;
        if (!s.up) {
            s.up = true;
            if (s.failure != null) {
                LOG.info("Cloudflare Stream account {}: storage usage fetched again", account);
            } else {
                LOG.info(
                        "Cloudflare Stream account {}: {} of {} storage minutes, {} videos",
                        account,
                        minutes.asDouble(),
                        limit.asDouble(),
                        videos.asLong());
            }
            s.failure = null;
        }
        LOG.debug(
                "Cloudflare Stream account {}: {} of {} minutes, {} videos",
                account,
                minutes.asDouble(),
                limit.asDouble(),
                videos.asLong());
    }

    /**
     * An answer that is a failure (the route classifies it by status): {@code up} 0, the last values
     * kept, one WARN line per new reason: the status, Cloudflare's {@code errors[]} (code and message)
     * or what is wrong with the body, and {@code hint}.
     *
     * @param hint what the class of answer means for ops (empty for none)
     */
    public void failed(String account, int status, String body, String hint) {
        failed(account, status, read(body), hint);
    }

    private void failed(String account, int status, JsonNode root, String hint) {
        String what;
        if (root == null) {
            what = "body is not JSON";
        } else if (!root.isObject()) {
            what = "body is not a JSON object";
        } else {
            String errors = errors(root);
            what = errors.isEmpty() ? "success=false" : Secrets.excerpt(errors);
        }
        failed(account, "HTTP " + status + ", " + what + (hint == null || hint.isBlank() ? "" : "; " + hint));
    }

    /** The body as JSON, read once; null when it is not JSON. */
    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body == null ? "" : body);
        } catch (IOException e) {
            return null;
        }
    }

    /** A fetch for {@code account} that threw {@code e} (timeout, connection refused, TLS; may be null): a failure naming the cause. */
    public void error(String account, Throwable e) {
        failed(account, e == null ? "failed" : e.getClass().getSimpleName() + ": " + e.getMessage());
    }

    private void failed(String account, String why) {
        AccountState s = states.get(account);
        String reason = why.replace(token.isEmpty() ? "\u0000" : token, "***");
        s.up = false;
        if (!reason.equals(s.failure)) {
            LOG.warn("Cloudflare Stream account {}: storage usage fetch failed: {}", account, reason);
            s.failure = reason;
        }
    }

    private static String errors(JsonNode root) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : root.path("errors")) {
            out.add("error " + e.path("code").asText("?") + " \""
                    + e.path("message").asText("") + "\"");
        }
        return String.join("; ", out);
    }

    @Override
    public String toString() {
        return token.isEmpty()
                ? "off (no cloudflare.token)"
                : accounts.isEmpty() ? "off (no cloudflare.accounts)" : accounts.size() + " account(s)";
    }
}
