package org.opshub.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The {@code Dockerfile}, built and run. Docker Hub is out of reach here, so the two
 * base images are built from Debian packages by {@code scripts/container-bases.sh} (scripts/test.sh runs
 * it while the network is there and passes the directory in {@code OPSHUB_CONTAINER_BASES}), imported
 * into a private Podman store, and given to the {@code Dockerfile} as its {@code BUILD_IMAGE} and
 * {@code RUNTIME_IMAGE} build arguments; the Maven stage builds offline against the local repository.
 *
 * <p>The image then runs under Podman's own OCI runtime (crun) with the image's entrypoint, user,
 * volume and health check. Three things of this sandbox are worked around, none of them in the image:
 * the hard limits cannot be raised (so {@code --ulimit} gives the current ones), cgroups cannot be
 * created ({@code --cgroups=disabled}), and crun refuses the machine's hybrid cgroup layout, so every
 * Podman command runs in one private mount namespace without the cgroup2 mount (held by a sleeping
 * process, entered with nsenter). The container shares the test's network namespace
 * ({@code --network=host}), which scripts/test.sh makes private with only loopback.
 *
 * <p>Checked: health UP and the image's HEALTHCHECK healthy, the JVM runs as uid 10001 and maps the AOT
 * cache trained in the build, /metrics answers, a route file added to and changed in the mounted
 * {@code routes/} is served without a restart, and an alert's de-duplication record survives a container
 * restart on the data volume. Tagged interop: Podman and mmdebstrap come from scripts/install-deps.sh.
 */
@Tag("interop")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerImageTest {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final int PORT = 19190;
    private static final String TOKEN = "container-test-bearer";
    private static final String IMAGE = "localhost/opshub:test";
    private static Path work;
    private static Path routes;
    private static Process namespace;
    private static List<String> podman;

    @BeforeAll
    static void buildTheImage() throws Exception {
        String bases = System.getenv("OPSHUB_CONTAINER_BASES");
        if (bases == null || !Files.isRegularFile(Path.of(bases, "runtime.tar"))) {
            fail("OPSHUB_CONTAINER_BASES names no directory with build.tar and runtime.tar: "
                    + "export OPSHUB_CONTAINER_BASES=$(scripts/container-bases.sh) (scripts/test.sh does)");
        }
        work = Files.createTempDirectory("opshub-podman");
        routes = Files.createDirectories(work.resolve("routes"));
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path f : files.toList()) {
                Files.copy(f, routes.resolve(f.getFileName()));
            }
        }
        // one mount namespace for every Podman command: the container's root file system is mounted there
        namespace = new ProcessBuilder(
                        "unshare",
                        "--mount",
                        "--propagation",
                        "private",
                        "sh",
                        "-c",
                        "umount /sys/fs/cgroup/unified 2>/dev/null; exec sleep infinity")
                .redirectErrorStream(true)
                .start();
        podman = List.of(
                "nsenter",
                "-t",
                Long.toString(namespace.pid()),
                "-m",
                "podman",
                "--storage-driver=overlay",
                "--root",
                work.resolve("storage").toString(),
                "--runroot",
                work.resolve("run").toString());
        Thread.sleep(200);
        podman(120, "import", "-q", bases + "/build.tar", "localhost/opshub-build-base:test");
        podman(
                120,
                "import",
                "-q",
                "--change",
                "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                bases + "/runtime.tar",
                "localhost/opshub-runtime-base:test");
        String build = podman(
                1200,
                "build",
                "--isolation=chroot",
                "--pull=never",
                "--format=docker",
                "--build-arg",
                "BUILD_IMAGE=localhost/opshub-build-base:test",
                "--build-arg",
                "RUNTIME_IMAGE=localhost/opshub-runtime-base:test",
                "--build-arg",
                "MAVEN_FLAGS=-o",
                "--volume",
                System.getProperty("user.home") + "/.m2:/root/.m2",
                "-t",
                IMAGE,
                Path.of("").toAbsolutePath().toString());
        assertTrue(build.contains("aot-train: opshub.aot"), "the build trains the AOT cache:\n" + build);
    }

    @AfterAll
    static void removeEverything() throws Exception {
        if (namespace != null) {
            try {
                podman(60, "rm", "-f", "-t", "5", "hub");
            } catch (AssertionError | IOException e) {
                // nothing to remove
            }
            namespace.destroy();
            namespace.waitFor(10, TimeUnit.SECONDS);
        }
        if (work != null) {
            try (Stream<Path> all = Files.walk(work)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Runs one Podman command in the test's mount namespace; its output, or a failure with it. */
    private static String podman(int seconds, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(podman);
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), "podman " + args[0] + " did not finish");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "podman " + String.join(" ", args) + ":\n" + text);
        return text;
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PORT + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> postAlert(String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + PORT + "/alerts"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofFile(
                        Path.of("src/test/resources/alertmanager/firing-real-0.25.json")));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits up to 60 s for /observe/health to answer UP. */
    private static void awaitHealthUp() throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = "";
        while (System.nanoTime() < end) {
            try {
                HttpResponse<String> r = get("/observe/health");
                if (r.statusCode() == 200 && r.body().contains("UP")) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(200);
        }
        fail("health did not come UP: " + last + "\n" + podman(30, "logs", "hub"));
    }

    /** Waits up to 30 s for GET path to answer 200 with the body. */
    private static void awaitBody(String path, String body) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String last = "";
        while (System.nanoTime() < end) {
            HttpResponse<String> r = get(path);
            last = r.statusCode() + " " + r.body();
            if (r.statusCode() == 200 && r.body().equals(body)) {
                return;
            }
            Thread.sleep(250);
        }
        fail(path + " never answered " + body + ", last " + last);
    }

    private static double metric(String name) throws Exception {
        Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)$")
                .matcher(get("/metrics").body());
        assertTrue(m.find(), name + " in /metrics");
        return Double.parseDouble(m.group(1));
    }

    private static String probeRoute(String answer) {
        return "- route:\n    id: container-probe\n    from:\n      uri: platform-http:/container-probe\n"
                + "      steps:\n        - setBody:\n            constant: " + answer + "\n";
    }

    @Test
    @Order(1)
    void theImageCarriesTheEntrypointUserVolumeAndHealthCheck() throws Exception {
        String config = podman(
                30,
                "image",
                "inspect",
                "--format",
                "{{.Config.User}}|{{json .Config.Entrypoint}}|{{json .Config.Volumes}}|{{json .Config.Healthcheck.Test}}",
                IMAGE);
        String[] f = config.strip().split("\\|");
        assertEquals("opshub", f[0]);
        assertEquals(
                "[\"java\",\"-XX:+IgnoreUnrecognizedVMOptions\",\"-XX:AOTCache=opshub.aot\",\"-XX:MaxRAMPercentage=75\","
                        + "\"-jar\",\"opshub.jar\"]",
                f[1]);
        assertTrue(f[2].contains("/opt/opshub/data"), f[2]);
        assertTrue(f[3].contains("/observe/health"), f[3]);
    }

    @Test
    @Order(2)
    void theContainerServesHealthAndMetricsAsANonRootUserWithItsAotCache() throws Exception {
        int nofile = Integer.parseInt(new String(
                        new ProcessBuilder("sh", "-c", "ulimit -Hn")
                                .start()
                                .getInputStream()
                                .readAllBytes(),
                        StandardCharsets.UTF_8)
                .strip());
        podman(
                60,
                "run",
                "-d",
                "--name",
                "hub",
                "--cgroups=disabled",
                "--network=host",
                "--ulimit",
                "nofile=" + nofile + ":" + nofile,
                "--ulimit",
                "nproc=4096:4096",
                "--health-interval=disable",
                "-v",
                routes + ":/opt/opshub/routes",
                "-v",
                "opshub-data:/opt/opshub/data",
                "-e",
                "CAMEL_SERVER_PORT=" + PORT,
                "-e",
                "ALERTMANAGER_BEARER_TOKEN=" + TOKEN,
                "-e",
                "JAVA_TOOL_OPTIONS=-Xlog:aot=info",
                IMAGE);
        awaitHealthUp();

        String pid = podman(30, "inspect", "--format", "{{.State.Pid}}", "hub").strip();
        String status = Files.readString(Path.of("/proc", pid, "status"));
        assertTrue(status.contains("\nUid:\t10001\t10001\t10001\t10001"), "runs as uid 10001:\n" + status);
        String log = podman(30, "logs", "hub");
        assertTrue(log.contains("Opened AOT cache opshub.aot"), log);
        assertFalse(log.contains("[error][aot]") || log.contains("Unable to map shared spaces"), log);

        podman(60, "healthcheck", "run", "hub");
        assertTrue(podman(30, "inspect", "--format", "{{.State.Health.Status}}", "hub")
                .contains("healthy"));

        HttpResponse<String> metrics = get("/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("# TYPE alertmanager_alerts_received_total counter"), metrics.body());
        assertTrue(metrics.body().contains("jvm_memory_used_bytes"));
    }

    @Test
    @Order(3)
    void aRouteFileAddedToAndChangedInTheMountedRoutesIsServedWithoutARestart() throws Exception {
        String started = podman(30, "inspect", "--format", "{{.State.StartedAt}}", "hub");
        Path probe = routes.resolve("container-probe.yaml");
        Files.writeString(probe, probeRoute("first"));
        awaitBody("/container-probe", "first");
        Files.writeString(probe, probeRoute("second"));
        awaitBody("/container-probe", "second");
        assertEquals(started, podman(30, "inspect", "--format", "{{.State.StartedAt}}", "hub"), "not restarted");
    }

    @Test
    @Order(4)
    void theStateSurvivesAContainerRestartOnItsVolume() throws Exception {
        assertEquals(401, postAlert(null).statusCode(), "the bearer token of the environment is required");
        assertEquals(200, postAlert(TOKEN).statusCode());
        assertEquals(0.0, metric("alertmanager_alerts_duplicate_total"));

        podman(60, "stop", "-t", "20", "hub");
        podman(60, "start", "hub");
        awaitHealthUp();
        String log = podman(30, "logs", "--since", "30s", "hub");
        assertFalse(log.contains("[error][aot]"), log);

        // the same alert again: known from the de-duplication table on the volume, so no new message
        // (its alerts are recorded right after the 200, from the webhook journal)
        assertEquals(200, postAlert(TOKEN).statusCode());
        for (int i = 0; i < 50 && metric("alertmanager_alerts_duplicate_total") < 1.0; i++) {
            Thread.sleep(200);
        }
        assertEquals(1.0, metric("alertmanager_alerts_duplicate_total"));
        String volume = podman(30, "volume", "inspect", "--format", "{{.Mountpoint}}", "opshub-data")
                .strip();
        assertEquals(10001, (int) Files.getAttribute(Path.of(volume, "opshub.mv.db"), "unix:uid"));
    }
}
