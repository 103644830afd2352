package org.opshub.dicom;

import java.time.Duration;

/**
 * How this SCU associates and how long it waits.
 *
 * @param callingAeTitle     our AE title, 1-16 characters
 * @param connectTimeout     TCP connect
 * @param associationTimeout wait for A-ASSOCIATE-AC/RJ and for A-RELEASE-RP
 * @param dimseTimeout       wait for each DIMSE response (each C-FIND match counts as one)
 * @param maxPduLength       largest P-DATA-TF variable field we accept, bytes (PS3.8 §D.1);
 *                           a longer PDU is answered with A-ABORT
 * @param maxDataSetBytes    largest reassembled data set we accept, bytes
 * @param findTimeout        the most one C-FIND may take in total, all its responses included
 *                           (checked between responses, each of which waits at most
 *                           {@code dimseTimeout}); past it C-CANCEL is sent and the association aborted
 * @param maxMatches         the most pending responses one C-FIND may return; past it C-CANCEL is
 *                           sent and the association aborted, so memory stays bounded
 */
public record ScuSettings(
        String callingAeTitle,
        Duration connectTimeout,
        Duration associationTimeout,
        Duration dimseTimeout,
        int maxPduLength,
        int maxDataSetBytes,
        Duration findTimeout,
        int maxMatches) {

    /** Default total C-FIND time: 5 minutes. */
    public static final Duration DEFAULT_FIND_TIMEOUT = Duration.ofMinutes(5);
    /** Default match cap of one C-FIND: 100,000. */
    public static final int DEFAULT_MAX_MATCHES = 100_000;

    /** With the default C-FIND total timeout and match cap. */
    public ScuSettings(
            String callingAeTitle,
            Duration connectTimeout,
            Duration associationTimeout,
            Duration dimseTimeout,
            int maxPduLength,
            int maxDataSetBytes) {
        this(
                callingAeTitle,
                connectTimeout,
                associationTimeout,
                dimseTimeout,
                maxPduLength,
                maxDataSetBytes,
                DEFAULT_FIND_TIMEOUT,
                DEFAULT_MAX_MATCHES);
    }

    public ScuSettings {
        Pdu.aeField(callingAeTitle);
        if (maxPduLength < 1024) {
            throw new IllegalArgumentException("maxPduLength must be at least 1024 bytes");
        }
        if (maxMatches < 1) {
            throw new IllegalArgumentException("maxMatches must be at least 1");
        }
    }

    /** Defaults: 5 s connect, 10 s association, 30 s DIMSE, 64 KiB PDUs, 16 MiB data sets. */
    public static ScuSettings defaults(String callingAeTitle) {
        return new ScuSettings(
                callingAeTitle, Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), 65536, 16 << 20);
    }
}
