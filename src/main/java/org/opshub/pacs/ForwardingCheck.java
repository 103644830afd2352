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
 */
public record ForwardingCheck(String pair, String source, String target, StudyWindow window, Duration settle) {
    /** "source->target", the check's key in logs, endpoints and route splits. */
    public String key() {
        return source + "->" + target;
    }
}
