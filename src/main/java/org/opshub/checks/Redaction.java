package org.opshub.checks;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Check targets and probe details as they may be shown (in {@code /checks}, notifications and
 * logs): the user info of every URL ({@code https://user:pw@host} → {@code https://host}) is
 * removed, and query parameters whose name looks like a secret ({@code apikey}, {@code token},
 * {@code password}, {@code secret}, {@code key}, {@code sig}, {@code auth}, …) have their value
 * replaced by {@code ***}.
 */
public final class Redaction {
    private static final Pattern USER_INFO = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#\\s@]*@");
    private static final Pattern SECRET_PARAM = Pattern.compile(
            "([?&;](?:[a-z0-9_.-]*(?:key|token|secret|passw(?:or)?d|pwd|pw|auth|sig|signature|credential|session)"
                    + "[a-z0-9_.-]*)=)[^&#\\s\"']*",
            Pattern.CASE_INSENSITIVE);

    private Redaction() {}

    /** {@code text} with URL user info removed and secret-looking query values masked; null stays null. */
    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = USER_INFO.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1)));
        return SECRET_PARAM.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1)) + "***");
    }
}
