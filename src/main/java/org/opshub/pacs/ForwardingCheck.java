package org.opshub.pacs;

import java.time.Duration;

/**
 * One source→target reconciliation from {@code pacs.forwarding.<pair>.*}; a pair with several
 * comma-separated targets gives one check per target.
 *
 * @param pair   the pair's configuration name
 * @param source source node name
 * @param target target node name
 * @param window which studies to compare
 * @param settle how long after first being seen on the source a study may be absent from the
 *               target before it counts as missing (or incomplete)
 * @param resend how studies of this check are re-sent by C-MOVE
 * @param rule   which studies (and series) of the window the pair forwards
 * @param commitment whether and how arrival is proven by Storage Commitment
 */
public record ForwardingCheck(
        String pair,
        String source,
        String target,
        StudyWindow window,
        Duration settle,
        Resend resend,
        ForwardingRule rule,
        Commitment commitment) {

    /**
     * Storage Commitment from {@code pacs.forwarding.<pair>.*} (PS3.4 Annex J).
     *
     * @param enabled {@code commitment} (default false): ask the target to commit each complete, settled study
     * @param timeout {@code commitment-timeout} (default PT10M): a study without a report this long after the
     *                request is uncommitted
     * @param retries {@code commitment-retries} (default 3): requests per study at most
     */
    public record Commitment(boolean enabled, Duration timeout, int retries) {
        /** Off. */
        public static final Commitment OFF = new Commitment(false, Duration.ofMinutes(10), 3);
    }

    /**
     * Re-sending from {@code pacs.forwarding.<pair>.*}.
     *
     * @param moveDestination   {@code move-destination}: the AE title the source sends to (default: the target
     *                          node's AE title); the source must know it
     * @param auto              {@code auto-resend} (default false): re-send settled missing and incomplete
     *                          studies by itself
     * @param maxAttempts       {@code max-attempts} (default 3): automatic moves per study at most
     * @param minAge            {@code min-age} (default PT15M): a study is re-sent automatically only this
     *                          long after it was first seen on the source, and again only this long after
     *                          its last move
     * @param maxMovesPerMinute {@code max-moves-per-minute} (default 5): moves from the source in any minute,
     *                          whoever triggered them
     */
    public record Resend(
            String moveDestination, boolean auto, int maxAttempts, Duration minAge, int maxMovesPerMinute) {}

    /** "source->target", the check's key in logs, endpoints and route splits. */
    public String key() {
        return source + "->" + target;
    }
}
