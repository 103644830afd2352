package org.opshub.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/ansible/opshub.yml}: {@code ansible-playbook --syntax-check}, then a real run against
 * localhost into a temporary root (no service start, an existing user and group), checking what landed
 * with which owner and mode; the AOT cache trained with a JDK 25 on the shipped configuration and
 * mapped by that JVM for the unit's command line; a second run changes nothing (no training) and keeps a
 * route an operator edited.
 * Tagged interop: ansible-core is installed by scripts/install-deps.sh.
 */
@Tag("interop")
class AnsibleDeployTest {
    @TempDir
    Path root;

    private static String ansible(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ansible-playbook"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("ANSIBLE_NOCOLOR", "1");
        pb.environment().put("ANSIBLE_LOCALHOST_WARNING", "false");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
        return out;
    }

    /** The JDK 25 of this machine (Temurin's, or Debian's openjdk-25), for the AOT cache. */
    static Path jdk25() throws Exception {
        try (var jvms = Files.list(Path.of("/usr/lib/jvm"))) {
            return jvms.filter(p -> p.getFileName().toString().matches("(temurin-25|java-25-openjdk).*"))
                    .filter(p -> Files.isExecutable(p.resolve("bin/java")))
                    .sorted()
                    .findFirst()
                    .orElseThrow(() ->
                            new AssertionError("no JDK 25 under /usr/lib/jvm (temurin-25-* or java-25-openjdk-*)"));
        }
    }

    private void landed(String path, String owner, String group, String mode) throws Exception {
        Path f = Path.of(root + path);
        assertTrue(Files.exists(f), path);
        PosixFileAttributes a = Files.readAttributes(f, PosixFileAttributes.class);
        assertEquals(
                owner + ":" + group + " " + mode,
                a.owner().getName() + ":" + a.group().getName() + " " + PosixFilePermissions.toString(a.permissions()),
                path);
    }

    @Test
    void thePlaybookInstallsTheHubIntoARootWithOwnersAndModes() throws Exception {
        ansible("--syntax-check", "-i", "localhost,", "deploy/ansible/opshub.yml");
        Path jar = Path.of("target/opshub.jar").toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "target/opshub.jar: mvn package first (scripts/test.sh does)");
        Path jdk25 = jdk25();
        String[] run = {
            "-i",
            "localhost,",
            "-c",
            "local",
            "deploy/ansible/opshub.yml",
            "-e",
            "opshub_hosts=localhost",
            "-e",
            "opshub_root=" + root,
            "-e",
            "opshub_start=false",
            "-e",
            "opshub_manage_user=false",
            "-e",
            "opshub_user=nobody",
            "-e",
            "opshub_group=nogroup",
            "-e",
            "opshub_install_java=false",
            "-e",
            "opshub_become=false",
            "-e",
            "opshub_jar=" + jar,
            "-e",
            "opshub_java=" + jdk25.resolve("bin/java"),
            "-e",
            "{\"opshub_env\": {\"TELEGRAM_TOKEN\": \"123456:SECRET\", \"ALERTMANAGER_BEARER_TOKEN\": \"am-secret\"}}"
        };
        String first = ansible(run);
        assertTrue(
                !first.contains("123456:SECRET") && !first.contains("am-secret"),
                "no secret in Ansible's output:\n" + first);

        landed("/opt/opshub/opshub.jar", "root", "root", "rw-r--r--");
        landed("/opt/opshub/aot-train.sh", "root", "root", "rwxr-xr-x");
        landed("/opt/opshub/opshub.aot", "root", "root", "rw-r--r--");
        landed("/opt/opshub/defaults/application.properties", "root", "root", "rw-r--r--");
        landed("/opt/opshub/defaults/routes/checks.yaml", "root", "root", "rw-r--r--");
        assertTrue(
                Pattern.compile("TASK \\[AOT cache, trained[^\n]*\n+changed: \\[localhost\\]")
                        .matcher(first)
                        .find(),
                "the AOT cache task trained:\n" + first);
        // the JVM the cache was trained with maps it for the unit's command line (paths under the root)
        String unitJava = Files.readString(Path.of("deploy/systemd/opshub.service"))
                .lines()
                .filter(l -> l.startsWith("ExecStart="))
                .findFirst()
                .orElseThrow();
        assertTrue(
                unitJava.contains(" -XX:AOTCache=/opt/opshub/opshub.aot ")
                        && unitJava.contains("-jar /opt/opshub/opshub.jar"),
                unitJava);
        Process aot = new ProcessBuilder(
                        jdk25.resolve("bin/java").toString(),
                        "-Xlog:aot",
                        "-XX:+IgnoreUnrecognizedVMOptions",
                        "-XX:AOTCache=" + root + "/opt/opshub/opshub.aot",
                        "-Dcamel.main.durationMaxSeconds=2",
                        "-Dcamel.server.port=19291",
                        "-Dcamel.server.host=127.0.0.1",
                        "-Dstate.directory=" + root + "/state",
                        "-jar",
                        root + "/opt/opshub/opshub.jar")
                .directory(Path.of(root + "/opt/opshub/defaults").toFile())
                .redirectErrorStream(true)
                .start();
        String aotLog = new String(aot.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(aot.waitFor(120, TimeUnit.SECONDS));
        assertTrue(aotLog.contains("Opened AOT cache") && !aotLog.contains("[error][aot]"), aotLog);
        landed("/etc/opshub", "root", "nogroup", "rwxr-x---");
        landed("/etc/opshub/application.properties", "root", "nogroup", "rw-r-----");
        landed("/etc/opshub/opshub.env", "root", "nogroup", "rw-r-----");
        landed("/etc/opshub/routes", "root", "nogroup", "rwxr-x---");
        landed("/var/lib/opshub", "nobody", "nogroup", "rwxr-x---");
        landed("/etc/systemd/system/opshub.service", "root", "root", "rw-r--r--");
        try (var routes = Files.list(Path.of("routes"))) {
            for (Path r : routes.toList()) {
                landed("/etc/opshub/routes/" + r.getFileName(), "root", "nogroup", "rw-r-----");
            }
        }
        try (var templates = Files.list(Path.of("templates"))) {
            for (Path t : templates.toList()) {
                landed("/etc/opshub/templates/" + t.getFileName(), "root", "nogroup", "rw-r-----");
            }
        }
        String env = Files.readString(Path.of(root + "/etc/opshub/opshub.env"));
        assertTrue(
                env.contains("\nALERTMANAGER_BEARER_TOKEN=am-secret\n")
                        && env.contains("\nTELEGRAM_TOKEN=123456:SECRET\n"),
                env);
        assertEquals(
                Files.readString(Path.of("deploy/systemd/opshub.service")),
                Files.readString(Path.of(root + "/etc/systemd/system/opshub.service")));

        // an operator edits a route on the host; the next run keeps it and changes nothing
        Path route = Path.of(root + "/etc/opshub/routes/checks.yaml");
        Files.writeString(route, Files.readString(route) + "\n# edited on the host\n");
        String second = ansible(run);
        assertTrue(second.contains("changed=0"), second);
        assertTrue(Files.readString(route).endsWith("# edited on the host\n"));
    }
}
