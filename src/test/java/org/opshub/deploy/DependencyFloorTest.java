package org.opshub.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * Every library named in {@code dependency-floors.txt} is inside the runtime at its floor or later:
 * the versions are read from the {@code META-INF/maven/<group>/<artifact>/pom.properties} files of
 * the built {@code target/opshub.jar} (the README's test command packages it before the tests) and,
 * for a run without a package step, of the jars on the test class path, which are the same
 * artifacts the shade plugin copies in.
 */
class DependencyFloorTest {
    record Floor(String artifact, String minimum, String advisory) {}

    static List<Floor> floors() throws IOException {
        List<Floor> floors = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("dependency-floors.txt"))) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] f = l.split("\\s+", 3);
            floors.add(new Floor(f[0], f[1], f.length > 2 ? f[2] : ""));
        }
        return floors;
    }

    /** Numeric parts of a version ({@code 4.1.138.Final} → 4, 1, 138), compared part by part. */
    static int compare(String a, String b) {
        String[] x = a.split("[.\\-]");
        String[] y = b.split("[.\\-]");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            long p = i < x.length ? number(x[i]) : 0;
            long q = i < y.length ? number(y[i]) : 0;
            if (p != q) {
                return Long.compare(p, q);
            }
        }
        return 0;
    }

    private static long number(String part) {
        return part.matches("\\d+") ? Long.parseLong(part) : 0;
    }

    @Test
    void versionsCompareByNumbers() {
        assertTrue(compare("4.1.140.Final", "4.1.138.Final") > 0);
        assertTrue(compare("4.1.130.Final", "4.1.138.Final") < 0);
        assertTrue(compare("4.5.31", "4.5.27") > 0);
        assertTrue(compare("2.21", "2.21.4") < 0);
        assertEquals(0, compare("42.7.14", "42.7.14"));
    }

    @Test
    void builtJarHoldsNoLibraryBelowItsFloor() throws IOException {
        Path jar = Path.of("target", "opshub.jar");
        Map<String, String> versions = Files.isRegularFile(jar) ? fromJar(jar) : fromClassPath();
        // pgjdbc's jar has no pom.properties: its version is the constant of org.postgresql.util.DriverInfo
        List<URL> urls = new ArrayList<>();
        if (Files.isRegularFile(jar)) {
            urls.add(jar.toUri().toURL());
        } else {
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                if (entry.contains("postgresql")) {
                    urls.add(Path.of(entry).toUri().toURL());
                }
            }
        }
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(new URL[0]), null)) {
            versions.putIfAbsent(
                    "org.postgresql:postgresql", (String) loader.loadClass("org.postgresql.util.DriverInfo")
                            .getField("DRIVER_VERSION")
                            .get(null));
        } catch (ReflectiveOperationException e) {
            // reported below as not found
        }
        List<Floor> floors = floors();
        assertFalse(floors.isEmpty(), "dependency-floors.txt lists no floor");
        List<String> below = new ArrayList<>();
        for (Floor f : floors) {
            String v = versions.get(f.artifact());
            if (v == null) {
                below.add(f.artifact() + ": not found in " + (Files.isRegularFile(jar) ? jar : "the class path"));
            } else if (compare(v, f.minimum()) < 0) {
                below.add(f.artifact() + " " + v + " < " + f.minimum() + " (" + f.advisory() + ")");
            }
        }
        assertEquals(List.of(), below, "libraries below the floors of dependency-floors.txt");
    }

    private static Map<String, String> fromJar(Path jar) throws IOException {
        Map<String, String> versions = new LinkedHashMap<>();
        try (JarFile j = new JarFile(jar.toFile())) {
            Enumeration<JarEntry> entries = j.entries();
            while (entries.hasMoreElements()) {
                JarEntry e = entries.nextElement();
                if (e.getName().startsWith("META-INF/maven/") && e.getName().endsWith("/pom.properties")) {
                    try (InputStream in = j.getInputStream(e)) {
                        put(versions, in);
                    }
                }
            }
        }
        return versions;
    }

    private static Map<String, String> fromClassPath() throws IOException {
        Map<String, String> versions = new LinkedHashMap<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.endsWith(".jar") && Files.isRegularFile(Path.of(entry))) {
                versions.putAll(fromJar(Path.of(entry)));
            }
        }
        return versions;
    }

    private static void put(Map<String, String> versions, InputStream in) throws IOException {
        Properties p = new Properties();
        p.load(in);
        if (p.getProperty("groupId") != null
                && p.getProperty("artifactId") != null
                && p.getProperty("version") != null) {
            versions.put(p.getProperty("groupId") + ":" + p.getProperty("artifactId"), p.getProperty("version"));
        }
    }
}
