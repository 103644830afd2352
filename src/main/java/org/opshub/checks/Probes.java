package org.opshub.checks;

import com.google.re2j.Pattern;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.PathNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.opshub.http.Durations;

/**
 * The probes behind the check route templates ({@code routes/service-checks.yaml}). Each returns a
 * {@link ProbeResult} and never throws for a failing target: a refused connection, a timeout or a
 * wrong answer is a failed probe with a detail an operator understands. Timeouts are durations
 * ({@code 5s}, {@code PT5S}).
 */
public final class Probes {
    private static final int MAX_REPLY_BYTES = 64 * 1024;

    /**
     * TCP: connects to {@code host:port}; with {@code send}, writes it ({@code \n}, {@code \r},
     * {@code \t} escapes); with {@code expect}, reads until the regular expression is found in the
     * reply (UTF-8, at most 64 KiB) or the timeout passes.
     */
    public ProbeResult tcp(String host, int port, String send, String expect, String timeout) {
        long start = System.nanoTime();
        int ms = millis(timeout);
        Pattern pattern = blank(expect) ? null : Pattern.compile(expect);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), ms);
            s.setSoTimeout(ms);
            if (!blank(send)) {
                OutputStream out = s.getOutputStream();
                out.write(unescape(send).getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            if (pattern == null) {
                return ProbeResult.timed(start, true, "connected to " + host + ":" + port);
            }
            return expectReply(s, pattern, start, ms);
        } catch (SocketTimeoutException e) {
            return ProbeResult.timed(start, false, "timeout after " + ms + " ms connecting to " + host + ":" + port);
        } catch (IOException | IllegalArgumentException e) {
            return ProbeResult.timed(start, false, host + ":" + port + ": " + e.getMessage());
        }
    }

    private static ProbeResult expectReply(Socket s, Pattern pattern, long start, int ms) throws IOException {
        long deadline = start + ms * 1_000_000L;
        StringBuilder reply = new StringBuilder();
        byte[] buf = new byte[4096];
        InputStream in = s.getInputStream();
        int total = 0;
        while (total < MAX_REPLY_BYTES) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                break;
            }
            s.setSoTimeout((int) Math.max(1, left));
            int n;
            try {
                n = in.read(buf);
            } catch (SocketTimeoutException e) {
                break;
            }
            if (n < 0) {
                break;
            }
            total += n;
            reply.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            if (pattern.matcher(reply).find()) {
                return ProbeResult.timed(start, true, "reply matches /" + pattern + "/");
            }
        }
        String seen = reply.toString().strip();
        if (seen.length() > 80) {
            seen = seen.substring(0, 80) + "…";
        }
        return ProbeResult.timed(start, false, "reply does not match /" + pattern + "/: \"" + seen + "\"");
    }

    /**
     * ICMP echo through {@link InetAddress#isReachable(int)}: a real ICMP echo request when the
     * process may open raw sockets (root or {@code CAP_NET_RAW}); otherwise the JDK falls back to a
     * TCP connection to port 7 (echo) of the host, where a refused connection also counts as
     * reachable.
     */
    public ProbeResult ping(String host, String timeout) {
        long start = System.nanoTime();
        int ms = millis(timeout);
        try {
            InetAddress address = InetAddress.getByName(host);
            boolean reachable = address.isReachable(ms);
            return ProbeResult.timed(
                    start,
                    reachable,
                    reachable ? host + " answers" : "no echo reply from " + host + " within " + ms + " ms");
        } catch (IOException e) {
            return ProbeResult.timed(start, false, host + ": " + e.getMessage());
        }
    }

    /**
     * Disk usage of the file system holding {@code path}, as {@code df} computes it:
     * used / (used + available to unprivileged users), in percent. Fails above {@code maxUsedPercent}.
     */
    public ProbeResult disk(String path, double maxUsedPercent) {
        long start = System.nanoTime();
        try {
            FileStore store = Files.getFileStore(Path.of(path));
            long total = store.getTotalSpace();
            long used = total - store.getUnallocatedSpace();
            long avail = store.getUsableSpace();
            double percent = used + avail == 0 ? 0 : 100.0 * used / (used + avail);
            String detail = String.format(
                    Locale.ROOT,
                    "%.1f %% used of %.1f GiB on %s (max %.1f %%)",
                    percent,
                    total / 1073741824.0,
                    path,
                    maxUsedPercent);
            return ProbeResult.timed(start, percent <= maxUsedPercent, detail);
        } catch (IOException | RuntimeException e) {
            return ProbeResult.timed(start, false, path + ": " + e);
        }
    }

    /**
     * Judges the answer that the {@code http-check} route received (camel-http, no exception on
     * error statuses): the status must be in {@code validStatus} ({@code 2xx}, {@code 200-204},
     * {@code 200,301}); with {@code jsonPath}, the value found must equal {@code expected}; with
     * {@code bodyRegexp} (RE2 syntax, linear time), the body must contain a match. The route's
     * HTTP client reads the body up to {@code maxBodyBytes} (default 1 MiB): a longer one fails the
     * probe through {@link #failure}. {@code seconds}: the time since the check's timer fired.
     */
    public ProbeResult http(
            int status,
            String body,
            double seconds,
            String validStatus,
            String jsonPath,
            String expected,
            String bodyRegexp) {
        if (!statusMatches(status, blank(validStatus) ? "2xx" : validStatus)) {
            return new ProbeResult(false, seconds, "HTTP " + status + " (expected " + validStatus + ")");
        }
        if (!blank(jsonPath)) {
            String found;
            try {
                found = jsonValue(body == null ? "" : body, jsonPath);
            } catch (PathNotFoundException e) {
                return new ProbeResult(false, seconds, "HTTP " + status + ", " + jsonPath + " not found");
            } catch (RuntimeException e) {
                return new ProbeResult(false, seconds, "HTTP " + status + ", body is not JSON: " + e.getMessage());
            }
            if (!String.valueOf(found).equals(expected == null ? "" : expected)) {
                return new ProbeResult(
                        false,
                        seconds,
                        "HTTP " + status + ", " + jsonPath + " is " + found + " (expected " + expected + ")");
            }
        }
        if (!blank(bodyRegexp)
                && (body == null || !Pattern.compile(bodyRegexp).matcher(body).find())) {
            return new ProbeResult(false, seconds, "HTTP " + status + ", body does not match /" + bodyRegexp + "/");
        }
        return new ProbeResult(true, seconds, "HTTP " + status);
    }

    /**
     * A probe that threw {@code e} (connection refused, timeout, bad URL; null when unknown) after
     * {@code seconds}: a failure naming the cause.
     */
    public ProbeResult failure(Throwable e, double seconds) {
        String detail =
                e == null ? "failed" : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new ProbeResult(false, seconds, detail);
    }

    static String jsonValue(String body, String path) {
        Object v = JsonPath.read(body, path);
        if (v instanceof List<?> list && list.size() == 1) {
            v = list.get(0);
        }
        return String.valueOf(v);
    }

    /** Whether {@code status} is in {@code spec}: comma-separated {@code 2xx}, {@code 200-204} or {@code 200}. */
    public static boolean statusMatches(int status, String spec) {
        for (String part : spec.split("\\s*,\\s*")) {
            String p = part.strip().toLowerCase(Locale.ROOT);
            if (p.matches("[1-5]xx")) {
                if (status / 100 == p.charAt(0) - '0') {
                    return true;
                }
            } else if (p.matches("\\d{3}-\\d{3}")) {
                int from = Integer.parseInt(p.substring(0, 3));
                int to = Integer.parseInt(p.substring(4));
                if (status >= from && status <= to) {
                    return true;
                }
            } else if (p.matches("\\d{3}")) {
                if (status == Integer.parseInt(p)) {
                    return true;
                }
            } else {
                throw new IllegalArgumentException("validStatus: not 2xx, 200-204 or 200: " + part);
            }
        }
        return false;
    }

    static int millis(String timeout) {
        Duration d = blank(timeout) ? Duration.ofSeconds(10) : Durations.parse(timeout);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }

    static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t");
    }
}
