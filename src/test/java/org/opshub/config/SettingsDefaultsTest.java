package org.opshub.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Each default is declared once, in application.properties; the typed reads take it from there. */
class SettingsDefaultsTest {
    private static final Pattern RESTATED = Pattern.compile(
            "Settings\\.(?:duration|number|bool)\\(\\s*\\w+,\\s*\"([a-z0-9.\\-]+)\",\\s*(?:\"[^\"]*\"|true|false)");

    @Test
    void anUnsetOrEmptyKeyTakesTheEmbeddedDefault() {
        assertEquals(Duration.ofSeconds(30), Settings.duration(Map.<String, String>of()::get, "cloudflare.timeout"));
        assertEquals(
                Duration.ofSeconds(30),
                Settings.duration(Map.of("cloudflare.timeout", " ")::get, "cloudflare.timeout"));
        assertEquals(
                1048576L,
                Settings.number(Map.<String, String>of()::get, "cloudflare.max-answer-bytes", 1024, Integer.MAX_VALUE));
        assertEquals(
                Duration.ofSeconds(5),
                Settings.duration(Map.of("cloudflare.timeout", "5s")::get, "cloudflare.timeout"));
        assertThrows(IllegalStateException.class, () -> Settings.defaultOf("no.such.key"));
    }

    @Test
    void noJavaCodeRestatesADefaultOfApplicationProperties() throws IOException {
        Properties file = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("application.properties"))) {
            file.load(in);
        }
        List<String> restated = new ArrayList<>();
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            for (Path f : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = RESTATED.matcher(Files.readString(f));
                while (m.find()) {
                    if (file.containsKey(m.group(1)) && !m.group(1).startsWith("camel.")) {
                        restated.add(f.getFileName() + ": " + m.group(1));
                    }
                }
            }
        }
        assertEquals(List.of(), restated, "read these with Settings' defaults from application.properties");
    }
}
