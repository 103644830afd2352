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
 */
public record ScuSettings(String callingAeTitle, Duration connectTimeout, Duration associationTimeout,
                          Duration dimseTimeout, int maxPduLength, int maxDataSetBytes) {

    public ScuSettings {
        Pdu.aeField(callingAeTitle);
        if (maxPduLength < 1024) {
            throw new IllegalArgumentException("maxPduLength must be at least 1024 bytes");
        }
    }

    /** Defaults: 5 s connect, 10 s association, 30 s DIMSE, 64 KiB PDUs, 16 MiB data sets. */
    public static ScuSettings defaults(String callingAeTitle) {
        return new ScuSettings(callingAeTitle, Duration.ofSeconds(5), Duration.ofSeconds(10),
                Duration.ofSeconds(30), 65536, 16 << 20);
    }
}
