package org.opshub.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Figures of how the project reads to a maintainer, measured from the working tree: how much of the
 * routes is HTTP plumbing or bean calls, literals that should be properties, SQL outside the stores,
 * long classes, route files without a route test and the README's length. {@code scripts/house-metrics.sh} prints them with their
 * targets; {@link HouseMetricsTest} keeps the ones already met from coming back.
 *
 * <p>What counts: a <em>route step</em> is an item of any {@code steps} list of {@code routes/*.yaml}
 * (routes, templates, {@code onException}, {@code doTry}/{@code doCatch}, {@code choice}, nested); a
 * <em>plumbing</em> step is {@code removeHeaders}/{@code removeHeader}, a {@code setHeader} of a
 * {@code CamelHttp*} header, or a {@code setBody} that empties the body; a <em>bean</em> step is a
 * {@code bean} step or a step whose expression is a {@code method} call; a <em>route state</em> step
 * (the {@code setProperty} figure) is a {@code setProperty} or a {@code setVariable}.
 */
public final class HouseMetrics {
    /** The figures, each a count (percentages are derived from {@link #steps}). */
    public record Figures(
            int steps,
            int plumbing,
            int beans,
            int setProperty,
            int beanExpressions,
            List<String> routeLiterals,
            List<String> exchangeMethods,
            List<String> sqlOutsideStores,
            List<String> longClasses,
            List<String> routeFilesWithoutTest,
            int readmeLines) {

        double plumbingShare() {
            return steps == 0 ? 0 : 100.0 * plumbing / steps;
        }

        double beanShare() {
            return steps == 0 ? 0 : 100.0 * beans / steps;
        }
    }

    private static final Pattern LITERAL = Pattern.compile("TimeoutHttpClient\\('([^']*)', *'([^']*)'\\)");
    private static final Pattern EXCHANGE_METHOD = Pattern.compile(
            "^\\s*public\\s+(?:static\\s+)?[\\w<>\\[\\], ?]+\\s+(\\w+)\\s*\\(([^)]*\\bExchange\\b[^)]*)\\)",
            Pattern.MULTILINE);
    private static final Pattern SQL =
            Pattern.compile("\"\\s*(SELECT|INSERT INTO|UPDATE|DELETE FROM|CREATE|WITH RECURSIVE|MERGE INTO)\\b");

    private HouseMetrics() {}

    /** Measures the project at {@code root} (the directory holding {@code routes/} and {@code src/}). */
    public static Figures measure(Path root) {
        int[] counts = new int[4];
        List<String> literals = new ArrayList<>();
        int beanExpressions = 0;
        for (Path file : list(root.resolve("routes"), ".yaml")) {
            String text = read(file);
            for (Object doc : new Load(LoadSettings.builder().build()).loadAllFromString(text)) {
                walk(doc, counts);
            }
            beanExpressions += count(text, "${bean:");
            Matcher m = LITERAL.matcher(text);
            while (m.find()) {
                if (!m.group(1).startsWith("{{") || !m.group(2).startsWith("{{")) {
                    literals.add(root.relativize(file) + ": " + m.group());
                }
            }
        }
        List<String> exchangeMethods = new ArrayList<>();
        List<String> sql = new ArrayList<>();
        List<String> longClasses = new ArrayList<>();
        Path main = root.resolve("src/main/java");
        for (Path file : list(main, ".java")) {
            String text = read(file);
            String name = main.relativize(file).toString();
            Matcher m = EXCHANGE_METHOD.matcher(text);
            while (m.find()) {
                exchangeMethods.add(name + ": " + m.group(1));
            }
            if (!isStore(file.getFileName().toString())) {
                int n = 0;
                Matcher s = SQL.matcher(text);
                while (s.find()) {
                    n++;
                }
                if (n > 0) {
                    sql.add(name + ": " + n);
                }
            }
            long lines = text.lines().count();
            if (lines > 400 && !name.contains("/dicom/")) {
                longClasses.add(name + ": " + lines);
            }
        }
        int readme = (int) read(root.resolve("README.md")).lines().count();
        List<String> untested = new ArrayList<>();
        List<String> routeTests = list(root.resolve("src/test/java/org/opshub/routes"), "Test.java").stream()
                .map(HouseMetrics::read)
                .toList();
        for (Path file : list(root.resolve("routes"), ".yaml")) {
            Pattern named = Pattern.compile(
                    "(?<![\\w-])" + Pattern.quote(file.getFileName().toString()));
            if (routeTests.stream().noneMatch(t -> named.matcher(t).find())) {
                untested.add(root.relativize(file).toString());
            }
        }
        return new Figures(
                counts[0],
                counts[1],
                counts[2],
                counts[3],
                beanExpressions,
                literals,
                exchangeMethods,
                sql,
                longClasses,
                untested,
                readme);
    }

    /** counts: steps, plumbing, beans, setProperty. */
    @SuppressWarnings("unchecked")
    private static void walk(Object node, int[] counts) {
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if ("steps".equals(e.getKey()) && e.getValue() instanceof List<?> steps) {
                    for (Object step : steps) {
                        classify(step, counts);
                    }
                }
                walk(e.getValue(), counts);
            }
        } else if (node instanceof List<?> list) {
            for (Object o : list) {
                walk(o, counts);
            }
        }
    }

    private static void classify(Object step, int[] counts) {
        counts[0]++;
        if (!(step instanceof Map<?, ?> map) || map.isEmpty()) {
            return;
        }
        Object kind = map.keySet().iterator().next();
        Object spec = map.get(kind);
        if ("removeHeaders".equals(kind) || "removeHeader".equals(kind)) {
            counts[1]++;
        } else if ("setHeader".equals(kind)
                && spec instanceof Map<?, ?> h
                && String.valueOf(h.get("name")).startsWith("CamelHttp")) {
            counts[1]++;
        } else if ("setBody".equals(kind)
                && spec instanceof Map<?, ?> b
                && b.containsKey("constant")
                && (b.get("constant") == null || "".equals(b.get("constant")))) {
            counts[1]++;
        } else if ("bean".equals(kind) || (spec instanceof Map<?, ?> s && s.containsKey("method"))) {
            counts[2]++;
        }
        if ("setProperty".equals(kind) || "setVariable".equals(kind)) {
            counts[3]++; // route state: exchange properties, or Camel 4's variables
        }
    }

    /** The classes that may hold SQL: one per table or aggregate, named {@code …Store} (and the re-send log). */
    static boolean isStore(String fileName) {
        return fileName.endsWith("Store.java") || fileName.equals("ResendLog.java");
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    private static List<Path> list(Path dir, String suffix) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Prints the figures and their targets; args: the project directory (default: the current one). */
    public static void main(String[] args) {
        Figures f = measure(Path.of(args.length > 0 ? args[0] : "."));
        System.out.printf("route steps                         %5d%n", f.steps());
        System.out.printf(
                "  HTTP plumbing                     %5d  %5.1f%%   (target <= 10%%)%n",
                f.plumbing(), f.plumbingShare());
        System.out.printf(
                "  bean calls                        %5d  %5.1f%%   (target <= 20%%)%n", f.beans(), f.beanShare());
        System.out.printf("  setProperty + setVariable         %5d           (target <= 15)%n", f.setProperty());
        System.out.printf("  ${bean:...} expressions           %5d           (target <= 3)%n", f.beanExpressions());
        System.out.printf(
                "timeout or size literals in routes  %5d           (target 0)%n",
                f.routeLiterals().size());
        f.routeLiterals().forEach(s -> System.out.println("    " + s));
        System.out.printf(
                "public methods taking Exchange      %5d           (target 0)%n",
                f.exchangeMethods().size());
        f.exchangeMethods().forEach(s -> System.out.println("    " + s));
        System.out.printf(
                "SQL strings outside *Store classes  %5d           (target 0)%n",
                f.sqlOutsideStores().stream()
                        .mapToInt(s -> Integer.parseInt(s.substring(s.lastIndexOf(' ') + 1)))
                        .sum());
        f.sqlOutsideStores().forEach(s -> System.out.println("    " + s));
        System.out.printf(
                "classes over 400 lines (not dicom/) %5d           (target 0)%n",
                f.longClasses().size());
        f.longClasses().forEach(s -> System.out.println("    " + s));
        System.out.printf(
                "route files without a route test    %5d           (target 0)%n",
                f.routeFilesWithoutTest().size());
        f.routeFilesWithoutTest().forEach(s -> System.out.println("    " + s));
        System.out.printf("README lines                        %5d           (target <= 250)%n", f.readmeLines());
    }
}
