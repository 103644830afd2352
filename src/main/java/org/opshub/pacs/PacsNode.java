package org.opshub.pacs;

import org.opshub.dicom.DicomNode;

/**
 * A configured PACS node ({@code pacs.nodes.<name>.*}).
 *
 * @param name       the configuration name, used as the {@code pacs} metric label
 * @param dicom      AE title, host and port
 * @param maxResults the most C-FIND answers the node returns per query (0 = no cap)
 */
public record PacsNode(String name, DicomNode dicom, int maxResults) {
}
