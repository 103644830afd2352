package org.opshub.http;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import org.apache.camel.util.TimeUtils;

/**
 * Durations as ops write them in properties and route parameters: ISO-8601 ({@code PT30S},
 * {@code PT1H30M}) or Camel's short form ({@code 30s}, {@code 1m30s}, {@code 500ms}); a bare
 * number is milliseconds. (Camel's {@code TimeUtils.toDuration} alone reads {@code PT30S} as 0.)
 */
public final class Durations {
    private Durations() {}

    /**
     * @throws IllegalArgumentException when the text is neither form
     */
    public static Duration parse(String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        if (t.toUpperCase(Locale.ROOT).startsWith("P")) {
            try {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("not a duration: " + text, e);
            }
        }
        return TimeUtils.toDuration(t);
    }
}
