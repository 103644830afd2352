package org.opshub;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/**
 * Boots the real opshub Main in this JVM with the real routes and application.properties, on a
 * free loopback port, with test overrides on top.
 */
public final class HubRunner implements AutoCloseable {
    /**
     * HTTP/1.1, as Prometheus and Alertmanager talk to the hub. (The JDK 17 client's default h2c
     * upgrade once left a GET waiting past its request timeout in CI.)
     */
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private final Main main;
    public final int port;

    public HubRunner(Map<String, String> overrides) throws Exception {
        this(overrides, Map.of());
    }

    /** With {@code beans} bound before start (e.g. an {@code opshubClock}). */
    public HubRunner(Map<String, String> overrides, Map<String, Object> beans) throws Exception {
        port = freePort();
        Properties p = new Properties();
        p.setProperty("camel.server.host", "127.0.0.1");
        p.setProperty("camel.server.port", Integer.toString(port));
        if (!overrides.containsKey("state.directory") && !overrides.containsKey("state.jdbc-url")) {
            p.setProperty(
                    "state.directory", Files.createTempDirectory("opshub-state").toString());
        }
        p.putAll(overrides);
        main = OpsHub.create();
        beans.forEach(main::bind);
        main.setOverrideProperties(p);
        main.start();
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs {@code body}; headers as name, value pairs. */
    public HttpResponse<String> post(String path, byte[] body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** POSTs JSON to {@code /alerts}. */
    public HttpResponse<String> postAlerts(byte[] json, String... headers) throws IOException, InterruptedException {
        String[] h = new String[headers.length + 2];
        h[0] = "Content-Type";
        h[1] = "application/json";
        System.arraycopy(headers, 0, h, 2, headers.length);
        return post("/alerts", json, h);
    }

    /** A bean bound by the hub's configuration. */
    public <T> T bean(String name, Class<T> type) {
        return main.getCamelContext().getRegistry().lookupByNameAndType(name, type);
    }

    /**
     * The value of one sample of {@code /metrics}, e.g.
     * {@code metric("pacs_up", "pacs=\"src\"")}; {@code null} when absent.
     */
    public Double metric(String name, String labels) throws IOException, InterruptedException {
        String body = get("/metrics").body();
        String sel = labels.isEmpty() ? "" : "\\{" + Pattern.quote(labels) + ",?\\}";
        Pattern p = Pattern.compile("^" + Pattern.quote(name) + sel + " (\\S+)$", Pattern.MULTILINE);
        Matcher m = p.matcher(body);
        return m.find() ? Double.valueOf(m.group(1)) : null;
    }

    /** {@link #metric} for use in {@link #await} conditions: -1 when absent or unreadable. */
    public double metricOrMinusOne(String name, String labels) {
        try {
            Double v = metric(name, labels);
            return v == null ? -1 : v;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Polls until the condition holds or the timeout passes; returns whether it held. */
    public static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(100);
        }
        return condition.getAsBoolean();
    }

    @Override
    public void close() throws Exception {
        main.stop();
    }
}
