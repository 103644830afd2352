package org.opshub.pacs;

import org.opshub.dicom.DicomNode;
import org.opshub.dicomweb.QidoClient;

/**
 * A configured PACS node ({@code pacs.nodes.<name>.*}): reached by DIMSE (host, port, AE title;
 * over TLS with {@code tls=true}), by QIDO-RS ({@code qido-url}), or both: then the queries use
 * QIDO-RS and the echo (and a C-MOVE from it) DIMSE.
 *
 * @param name       the configuration name, used as the {@code pacs} metric label
 * @param dicom      AE title, host and port; null for a QIDO-RS-only node
 * @param maxResults the most C-FIND answers the node returns per query (0 = no cap)
 * @param qido       the QIDO-RS service of the node, or null
 */
public record PacsNode(String name, DicomNode dicom, int maxResults, QidoClient qido) {
    /** A DIMSE node. */
    public PacsNode(String name, DicomNode dicom, int maxResults) {
        this(name, dicom, maxResults, null);
    }

    /**
     * How opshub queries the node: {@code qido-rs}, {@code dimse-tls} (DIMSE over TLS, PS3.15 Annex B) or
     * {@code dimse}.
     */
    public String transport() {
        return qido != null ? "qido-rs" : dicom.tls() != null ? "dimse-tls" : "dimse";
    }

    /** Where the node is, for messages: {@code AE@host:port}, the QIDO-RS URL, or both. */
    public String endpoint() {
        if (qido == null) {
            return dicom.toString();
        }
        return dicom == null ? qido.settings().toString() : dicom + ", " + qido.settings();
    }
}
