package org.opshub;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A hub in a JVM of its own (the test class path, the working directory's routes), for kill -9. */
public final class HubProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    public final int port;
    public final Process process;
    public final Path log;

    public HubProcess(Map<String, String> properties) throws Exception {
        port = HubRunner.freePort();
        log = Files.createTempFile("opshub-hub", ".log");
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Dcamel.server.host=127.0.0.1",
                "-Dcamel.server.port=" + port,
                "-Dcamel.main.routesReloadEnabled=false"));
        new TreeMap<>(properties).forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("org.opshub.OpsHub");
        process = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    public String metrics() throws Exception {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits until {@code /observe/health/ready} answers 200. */
    public boolean awaitReady(Duration d) throws Exception {
        return HubRunner.await(d, () -> {
            try {
                return HTTP.send(
                                        HttpRequest.newBuilder(URI.create(
                                                        "http://127.0.0.1:" + port + "/observe/health/ready"))
                                                .timeout(Duration.ofSeconds(2))
                                                .build(),
                                        HttpResponse.BodyHandlers.discarding())
                                .statusCode()
                        == 200;
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** Waits until this hub's {@code opshub_cluster_leader{hub="<hubId>"}} is 1. */
    public boolean awaitLeading(String hubId, Duration d) throws Exception {
        return HubRunner.await(d, () -> {
            try {
                return metrics().contains("opshub_cluster_leader{hub=\"" + hubId + "\"} 1.0");
            } catch (Exception e) {
                return false;
            }
        });
    }

    /** POSTs an Alertmanager payload to {@code /alerts}; the status code. */
    public int postAlerts(byte[] json) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/alerts"))
                                .header("Content-Type", "application/json")
                                .timeout(Duration.ofSeconds(10))
                                .POST(HttpRequest.BodyPublishers.ofByteArray(json))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /** SIGKILL, and waits for the process to end. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() throws Exception {
        kill();
    }
}
