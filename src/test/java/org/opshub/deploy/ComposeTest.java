package org.opshub.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * {@code deploy/compose.yaml}: valid for a Compose implementation from Debian
 * ({@code docker-compose config -q}, with the example env file and empty secret files a newcomer makes);
 * the six services of the stack (PostgreSQL behind the {@code postgres} profile); every public image
 * pinned to an exact version; secrets only from files; a named volume for every state. Tagged interop:
 * docker-compose is installed by scripts/install-deps.sh.
 */
@Tag("interop")
class ComposeTest {
    @TempDir
    Path dir;

    /** The project's version, from the pom.xml's first {@code <version>} (the project's own). */
    static String projectVersion() throws Exception {
        Matcher m = Pattern.compile("<version>([^<]+)</version>").matcher(Files.readString(Path.of("pom.xml")));
        assertTrue(m.find());
        return m.group(1);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theComposeFileIsValidPinnedAndKeepsSecretsOut() throws Exception {
        Path deploy = Path.of("deploy");
        Path copy = Files.createDirectories(dir.resolve("deploy"));
        Files.copy(deploy.resolve("compose.yaml"), copy.resolve("compose.yaml"));
        Files.copy(
                deploy.resolve("opshub.env.example"), copy.resolve("opshub.env"), StandardCopyOption.REPLACE_EXISTING);
        Files.createDirectories(copy.resolve("secrets"));
        for (String s :
                List.of("alertmanager-token", "grafana-admin-password", "renderer-token", "postgres-password")) {
            Files.writeString(copy.resolve("secrets").resolve(s), "x");
        }
        Process p = new ProcessBuilder("docker-compose", "-f", "compose.yaml", "--profile", "postgres", "config", "-q")
                .directory(copy.toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "docker-compose config -q:\n" + out);

        String text = Files.readString(deploy.resolve("compose.yaml"));
        Map<String, Object> compose =
                (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(text);
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        assertEquals(
                Set.of("opshub", "prometheus", "alertmanager", "grafana", "renderer", "postgres"), services.keySet());
        assertEquals(List.of("postgres"), services.get("postgres").get("profiles"));
        services.forEach((name, s) -> {
            String image = (String) s.get("image");
            if (!name.equals("opshub")) {
                assertTrue(
                        image.matches("[a-z0-9./-]+:v?\\d+\\.\\d+(\\.\\d+)?(-[a-z0-9]+)?"),
                        name + " image not pinned: " + image);
            }
        });
        assertTrue(services.get("opshub").containsKey("build"), "opshub is built from the Dockerfile");
        assertEquals(
                "localhost/opshub:" + projectVersion(),
                services.get("opshub").get("image"),
                "opshub's image carries the project version");
        // Grafana 13 and the renderer service 5.x: one token, from one secret file on both sides
        assertEquals(
                "/run/secrets/renderer-token",
                ((Map<String, Object>) services.get("grafana").get("environment"))
                        .get("GF_RENDERING_RENDERER_TOKEN__FILE"));
        assertTrue(((List<Object>) services.get("grafana").get("secrets")).contains("renderer-token"));
        assertTrue(((List<Object>) services.get("renderer").get("secrets")).contains("renderer-token"));
        assertTrue(
                String.valueOf(services.get("renderer").get("entrypoint"))
                        .contains("--server.auth-token=\"$$(cat /run/secrets/renderer-token)\""),
                "the renderer reads the token from the secret file: "
                        + services.get("renderer").get("entrypoint"));
        String settings = String.join(
                "\n", text.lines().filter(l -> !l.strip().startsWith("#")).toList());
        assertTrue(
                !settings.contains("AUTH_TOKEN") && !settings.contains("RENDERER_TOKEN:"),
                "no renderer token as a literal");
        assertTrue(((String) services.get("prometheus").get("image")).startsWith("prom/prometheus:v3."));
        assertTrue(((String) services.get("grafana").get("image")).startsWith("grafana/grafana:13."));
        assertTrue(((String) services.get("renderer").get("image")).startsWith("grafana/grafana-image-renderer:v5."));
        for (String line : text.lines().filter(l -> !l.strip().startsWith("#")).toList()) {
            assertFalse(
                    (line.contains("TOKEN") || line.contains("PASSWORD")) && !line.contains("_FILE:"),
                    "a secret in the compose file: " + line);
        }
        for (String v :
                List.of("opshub-state", "prometheus-data", "alertmanager-data", "grafana-data", "postgres-data")) {
            assertTrue(((Map<String, Object>) compose.get("volumes")).containsKey(v), v);
        }
        assertTrue(
                ((Map<String, Object>) compose.get("secrets"))
                        .values().stream().allMatch(s -> ((Map<String, Object>) s).containsKey("file")),
                "secrets come from files");
    }
}
