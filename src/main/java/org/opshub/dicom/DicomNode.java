package org.opshub.dicom;

/**
 * A DICOM application entity reached over TCP: AE title, host and port (PS3.8 §7.1.1.4).
 *
 * @param aeTitle called AE title, 1-16 characters
 * @param host    host name or address
 * @param port    TCP port, 1-65535
 */
public record DicomNode(String aeTitle, String host, int port) {
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
