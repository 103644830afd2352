package org.opshub.alerts;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.regex.Matcher;

/**
 * A chat's subscription pattern. Forms:
 * <ul>
 * <li>{@code *} or {@code all}: every alert;</li>
 * <li>{@code label=regex}: the regex is found in that label's value ({@code severity=critical},
 * {@code pacs=archive.*}); an alert without the label does not match;</li>
 * <li>anything else: a regex found in the alertname.</li>
 * </ul>
 * Regexes use RE2 syntax (RE2J: linear-time matching, so a hostile pattern cannot hang the hub)
 * and match case-insensitively, as the bot this replaces did.
 */
public final class SubscriptionPattern {
    /** Longest pattern accepted, in characters. */
    public static final int MAX_LENGTH = 500;

    private static final java.util.regex.Pattern LABEL_FORM =
            java.util.regex.Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=(.*)", java.util.regex.Pattern.DOTALL);

    private final String text;
    private final String label;
    private final Pattern regex;

    private SubscriptionPattern(String text, String label, Pattern regex) {
        this.text = text;
        this.label = label;
        this.regex = regex;
    }

    /**
     * @param text the pattern as the user typed it (trimmed)
     * @throws IllegalArgumentException when it is empty, too long, or not a valid RE2 regex; the
     *                                  message is the parser's
     */
    public static SubscriptionPattern parse(String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty pattern");
        }
        if (t.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("pattern longer than " + MAX_LENGTH + " characters");
        }
        if (t.equals("*") || t.equalsIgnoreCase("all")) {
            return new SubscriptionPattern(t, null, null);
        }
        String label = null;
        String regex = t;
        Matcher m = LABEL_FORM.matcher(t);
        if (m.matches()) {
            label = m.group(1);
            regex = m.group(2);
        }
        try {
            return new SubscriptionPattern(t, label, Pattern.compile(regex, Pattern.CASE_INSENSITIVE));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(e.getMessage().replace("`(?i)", "`"));
        }
    }

    /** Whether the alert is covered by this pattern. */
    public boolean matches(Alert alert) {
        if (regex == null) {
            return true;
        }
        String value = label == null ? alert.alertname() : alert.labels().get(label);
        return value != null && regex.matcher(value).find();
    }

    /** The pattern as typed. */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
