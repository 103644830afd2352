package org.opshub.checks;

/**
 * The outcome of one probe of one check.
 *
 * @param success         whether the target answered as expected
 * @param durationSeconds how long the probe took, in seconds
 * @param detail          what was seen, for the notification and {@code GET /checks}
 *                        ("connect: Connection refused", "HTTP 503", "82.1 % used")
 */
public record ProbeResult(boolean success, double durationSeconds, String detail) {

    static ProbeResult timed(long startNanos, boolean success, String detail) {
        return new ProbeResult(success, (System.nanoTime() - startNanos) / 1e9, detail);
    }
}
