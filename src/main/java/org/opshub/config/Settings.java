package org.opshub.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Properties;
import java.util.function.Function;
import org.opshub.http.Durations;

/**
 * Typed reads of one property each, through a key → value lookup (null when unset). A value that
 * does not parse is a {@link ConfigException} naming the key, so startup stops with exit 78.
 *
 * <p>Defaults are declared once, in {@code application.properties} (embedded in the jar): the reads
 * without a {@code fallback} take an unset or empty key's value from there ({@link #defaultOf}). A
 * fallback is passed only for keys that have no line there (a key per PACS pair, Camel's own).
 */
public final class Settings {
    private static final Properties DEFAULTS = resource("application.properties");

    private Settings() {}

    /**
     * A properties resource on the class path, read as UTF-8 ({@code application.properties}, embedded).
     *
     * @throws IllegalStateException when it is not there or cannot be read
     */
    static Properties resource(String name) {
        Properties p = new Properties();
        try (InputStream in = Settings.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not on the class path");
            }
            p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + name, e);
        }
        return p;
    }

    /**
     * The default of {@code key}: its value in the embedded {@code application.properties}.
     *
     * @throws IllegalStateException when the file has no line for it (a key read without a default is a bug)
     */
    public static String defaultOf(String key) {
        String v = DEFAULTS.getProperty(key);
        if (v == null) {
            throw new IllegalStateException(key + " has no default in application.properties");
        }
        return v.strip();
    }

    /**
     * A text value, stripped; unset or empty: the default of {@code application.properties} (which may be
     * empty).
     */
    public static String text(Function<String, String> property, String key) {
        return text(property, key, defaultOf(key));
    }

    /** {@link #duration(Function, String, String)} with the default of {@code application.properties}. */
    public static Duration duration(Function<String, String> property, String key) {
        return duration(property, key, defaultOf(key));
    }

    /** {@link #number(Function, String, String, long, long)} with the default of {@code application.properties}. */
    public static long number(Function<String, String> property, String key, long min, long max) {
        return number(property, key, defaultOf(key), min, max);
    }

    /** {@link #bool(Function, String, boolean)} with the default of {@code application.properties}. */
    public static boolean bool(Function<String, String> property, String key) {
        return bool(property, key, Boolean.parseBoolean(defaultOf(key)));
    }

    /**
     * A positive duration: ISO-8601 ({@code PT30S}) or Camel's short form ({@code 30s}); empty or
     * unset: {@code fallback}.
     *
     * @throws ConfigException naming {@code key}
     */
    public static Duration duration(Function<String, String> property, String key, String fallback) {
        String v = text(property, key, fallback);
        try {
            Duration d = Durations.parse(v);
            if (!d.isNegative() && !d.isZero()) {
                return d;
            }
        } catch (RuntimeException e) {
            // reported below
        }
        throw new ConfigException(key, "\"" + v + "\" is not a positive duration such as PT30S or 30s");
    }

    /**
     * A whole number from {@code min} to {@code max}; empty or unset: {@code fallback}.
     *
     * @throws ConfigException naming {@code key}
     */
    public static long number(Function<String, String> property, String key, String fallback, long min, long max) {
        String v = text(property, key, fallback);
        try {
            long n = Long.parseLong(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException(key, "\"" + v + "\" is not a whole number from " + min + " to " + max);
    }

    /**
     * {@code true} or {@code false} (any case); empty or unset: {@code fallback}.
     *
     * @throws ConfigException naming {@code key} for any other value
     */
    public static boolean bool(Function<String, String> property, String key, boolean fallback) {
        String v = text(property, key, Boolean.toString(fallback));
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(v);
        }
        throw new ConfigException(key, "\"" + v + "\" is not true or false");
    }

    /**
     * An IANA zone id; empty or unset: {@code fallback}.
     *
     * @throws ConfigException naming {@code key}
     */
    public static ZoneId zone(Function<String, String> property, String key, ZoneId fallback) {
        String v = text(property, key, "");
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            return ZoneId.of(v);
        } catch (DateTimeException e) {
            throw new ConfigException(key, "\"" + v + "\" is not an IANA zone id such as Europe/Moscow");
        }
    }

    private static String text(Function<String, String> property, String key, String fallback) {
        String v = property.apply(key);
        return v == null || v.isBlank() ? fallback : v.strip();
    }
}
