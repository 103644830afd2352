package org.opshub.telegram.outbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The texts the bot writes, in English and Russian: {@code messages_en.properties} and
 * {@code messages_ru.properties} (UTF-8) in {@code telegram.texts-directory} ({@code templates/}), files an
 * ops engineer edits like the templates; an edited file is read again at its next use. A text is a
 * key's value with {@code {0}}, {@code {1}} … replaced by the arguments (no other syntax: quotes and
 * braces are plain text). A key missing in Russian falls back to English; one missing in both is shown
 * as {@code [key]} and logged once.
 */
public final class Texts {
    private static final Logger LOG = LoggerFactory.getLogger(Texts.class);
    /** The languages the bot speaks ({@code telegram.language}, {@code /language}). */
    public static final List<String> LANGUAGES = List.of("en", "ru");

    private final Path directory;
    private final Map<String, Loaded> bundles = new ConcurrentHashMap<>();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    private record Loaded(FileTime modified, Map<String, String> texts) {}

    /**
     * Reads both files.
     *
     * @throws IllegalArgumentException naming {@code telegram.texts-directory} and the file that is missing or unreadable
     */
    public Texts(Path directory) {
        this.directory = directory;
        for (String lang : LANGUAGES) {
            try {
                load(lang);
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        "telegram.texts-directory: " + file(lang) + " cannot be read (" + e + ")");
            }
        }
    }

    /** The texts embedded in the jar (a copy of templates/messages_*.properties as shipped), for code not given any. */
    public static Texts embedded() {
        return Embedded.TEXTS;
    }

    private static final class Embedded {
        static final Texts TEXTS = new Texts();
    }

    private Texts() {
        this.directory = null;
        for (String lang : LANGUAGES) {
            Properties p = new Properties();
            try (InputStream in = Texts.class.getResourceAsStream("/texts/messages_" + lang + ".properties")) {
                if (in != null) {
                    p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Map<String, String> m = new LinkedHashMap<>();
            p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
            bundles.put(lang, new Loaded(null, Map.copyOf(m)));
        }
    }

    /** The file of a language. */
    public Path file(String lang) {
        return directory.resolve("messages_" + lang + ".properties");
    }

    /** {@code lang} when the bot speaks it, else {@code en}. */
    public static String known(String lang) {
        return lang != null && LANGUAGES.contains(lang) ? lang : "en";
    }

    /** The locale of a language, for dates and numbers. */
    public static Locale locale(String lang) {
        return Locale.forLanguageTag(known(lang));
    }

    /**
     * The text of {@code key} in {@code lang} with {@code {n}} replaced by {@code args[n]} (as
     * {@link String#valueOf(Object)}; callers escape what is HTML).
     */
    public String t(String lang, String key, Object... args) {
        String text = texts(known(lang)).get(key);
        if (text == null) {
            text = texts("en").get(key);
        }
        if (text == null) {
            if (reported.add(key)) {
                LOG.warn("No text for key {} in {} (nor in messages_en.properties)", key, file(known(lang)));
            }
            return "[" + key + "]";
        }
        if (args.length == 0) {
            return text;
        }
        StringBuilder b = new StringBuilder(text.length() + 32);
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            int close = ch == '{' ? text.indexOf('}', i) : -1;
            if (close > i + 1
                    && close <= i + 3
                    && text.substring(i + 1, close).chars().allMatch(Character::isDigit)) {
                int n = Integer.parseInt(text.substring(i + 1, close));
                b.append(n < args.length ? String.valueOf(args[n]) : text.substring(i, close + 1));
                i = close;
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }

    /** Every key of a language's file, sorted. */
    public Set<String> keys(String lang) {
        return new TreeSet<>(texts(known(lang)).keySet());
    }

    private Map<String, String> texts(String lang) {
        Loaded held = bundles.get(lang);
        if (directory == null) {
            return held == null ? Map.of() : held.texts();
        }
        try {
            FileTime now = Files.getLastModifiedTime(file(lang));
            if (held == null || !now.equals(held.modified())) {
                return load(lang);
            }
        } catch (IOException e) {
            if (held == null) {
                return Map.of();
            }
            if (reported.add("file:" + lang)) {
                LOG.warn("{} cannot be read ({}): the texts read before stay", file(lang), e.toString());
            }
        }
        return held.texts();
    }

    private Map<String, String> load(String lang) throws IOException {
        Path f = file(lang);
        FileTime modified = Files.getLastModifiedTime(f);
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, String> m = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        bundles.put(lang, new Loaded(modified, Map.copyOf(m)));
        return m;
    }
}
