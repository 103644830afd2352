package org.opshub.config;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one masking function for text that can carry foreign or secret content on its way to a log
 * line, a chat or an error reply. {@link #mask} replaces
 * <ul>
 * <li>every configured secret value ({@link #register}: tokens, passwords, proxy credentials);</li>
 * <li>Telegram bot tokens ({@code 123456:AA…}, also inside {@code /bot<token>/} paths);</li>
 * <li>{@code Bearer} and {@code Basic} credentials;</li>
 * <li>URL user info ({@code https://user:pw@host} → {@code https://***@host});</li>
 * <li>values of secret-looking query or form parameters ({@code token=}, {@code password=},
 * {@code api_key=}, {@code secret=}, {@code sig=}, …) and of such JSON string fields</li>
 * </ul>
 * with {@code ***}. {@link #forLog} also neutralises control and bidirectional-override characters
 * (a label cannot forge a log line) and {@link #excerpt} cuts an upstream body to a few hundred
 * characters before it is logged or shown.
 */
public final class Secrets {
    /** The most characters of an upstream answer body that are logged or shown. */
    public static final int EXCERPT_CHARS = 300;

    private static final String MASK = "***";
    private static final List<String> VALUES = new CopyOnWriteArrayList<>();
    private static final Pattern BOT_TOKEN = Pattern.compile("(?<![0-9])\\d{5,12}:[A-Za-z0-9_-]{30,}");
    private static final Pattern AUTH = Pattern.compile("(?i)\\b(Bearer|Basic)(\\s+)[A-Za-z0-9._~+/=:-]{8,}");
    private static final Pattern USER_INFO = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#\\s@\"']+@");
    private static final String SECRET_NAME =
            "[a-z0-9_.-]*(?:key|token|secret|passw(?:or)?d|pwd|auth|sig|signature" + "|credential|session)[a-z0-9_.-]*";
    private static final Pattern SECRET_PARAM = Pattern.compile("(?i)((?:^|[?&;\\s])" + SECRET_NAME + "=)[^&#\\s\"']+");
    private static final Pattern SECRET_JSON = Pattern.compile("(?i)(\"" + SECRET_NAME + "\"\\s*:\\s*\")[^\"]*(\")");

    private Secrets() {}

    /**
     * Adds values never to be shown (blank and values shorter than 4 characters are ignored: they
     * would mask ordinary words). Longest first, so a proxy URL is masked whole before its password.
     */
    public static void register(Collection<String> values) {
        for (String v : values) {
            if (v != null && v.strip().length() >= 4 && !VALUES.contains(v.strip())) {
                VALUES.add(v.strip());
            }
        }
        List<String> sorted = VALUES.stream()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
        VALUES.clear();
        VALUES.addAll(sorted);
    }

    /** {@code text} with every secret masked; null stays null. */
    public static String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (String v : VALUES) {
            out = out.replace(v, MASK);
        }
        out = BOT_TOKEN.matcher(out).replaceAll(MASK);
        out = AUTH.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + m.group(2)) + MASK);
        out = USER_INFO.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1)) + MASK + "@");
        out = SECRET_PARAM.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1)) + MASK);
        out = SECRET_JSON.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1)) + MASK + "\"");
        return out;
    }

    /**
     * {@link #mask}ed, with line breaks, other control characters and bidirectional formatting
     * characters (U+061C, U+200E/F, U+202A-E, U+2066-9) written as {@code \n}, {@code \r}, {@code \t}
     * or {@code \}{@code uXXXX}: one log record stays one line.
     */
    public static String forLog(String text) {
        String m = mask(text);
        if (m == null) {
            return null;
        }
        StringBuilder b = null;
        for (int i = 0; i < m.length(); i++) {
            char c = m.charAt(i);
            String r = c == '\n'
                    ? "\\n"
                    : c == '\r'
                            ? "\\r"
                            : c == '\t'
                                    ? "\\t"
                                    : Character.isISOControl(c) || bidi(c) ? String.format("\\u%04x", (int) c) : null;
            if (r != null && b == null) {
                b = new StringBuilder(m.length() + 16).append(m, 0, i);
            }
            if (b != null) {
                b.append(r != null ? r : String.valueOf(c));
            }
        }
        return b == null ? m : b.toString();
    }

    /** Whether {@code c} reorders text around it (Unicode bidirectional formatting characters). */
    static boolean bidi(char c) {
        return c == '\u061c'
                || c == '\u200e'
                || c == '\u200f'
                || (c >= '\u202a' && c <= '\u202e')
                || (c >= '\u2066' && c <= '\u2069');
    }

    /**
     * The first {@link #EXCERPT_CHARS} characters of an upstream body, masked, with
     * {@code … (N characters)} when cut; null stays null.
     */
    public static String excerpt(String body) {
        if (body == null) {
            return null;
        }
        String b = body.length() > EXCERPT_CHARS
                ? body.substring(0, EXCERPT_CHARS) + "… (" + body.length() + " characters)"
                : body;
        return mask(b);
    }

    /** For tests: forgets the registered values. */
    public static void clear() {
        VALUES.clear();
    }

    /** The registered values' count (never the values). */
    public static int registered() {
        return Objects.requireNonNull(VALUES).size();
    }
}
