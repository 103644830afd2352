package org.opshub.dicom;

/**
 * A DICOM application entity reached over TCP: AE title, host and port (PS3.8 §7.1.1.4), and
 * optionally over TLS (PS3.15 Annex B).
 *
 * @param aeTitle called AE title, 1-16 characters
 * @param host    host name or address
 * @param port    TCP port, 1-65535
 * @param tls     the TLS settings, or null for plain TCP
 */
public record DicomNode(String aeTitle, String host, int port, DicomTls tls) {
    /** A node over plain TCP. */
    public DicomNode(String aeTitle, String host, int port) {
        this(aeTitle, host, port, null);
    }

    public DicomNode {
        Pdu.aeField(aeTitle); // validates
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host of AE " + aeTitle + " is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " of AE " + aeTitle + " is not 1-65535");
        }
    }

    @Override
    public String toString() {
        return aeTitle + "@" + host + ":" + port;
    }
}
