package org.opshub.dicom;

import java.io.ByteArrayOutputStream;
import java.util.function.IntFunction;

/**
 * Reassembles one DIMSE message from the PDVs that carry it, PS3.8 Annex E and PS3.7 §6.3.1:
 * the command fragments (Implicit VR Little Endian) up to the one marked last, then, when the
 * command says a data set follows, the data set fragments up to the one marked last, all on one
 * presentation context. The sizes are bounded, so a hostile peer cannot make it hold more than
 * {@code maxCommandBytes + maxDataSetBytes}.
 */
final class PdvReassembler {
    private final int maxCommandBytes;
    private final long maxDataSetBytes;
    private final IntFunction<PresentationContext> accepted;
    private final ByteArrayOutputStream command = new ByteArrayOutputStream();
    private ByteArrayOutputStream data;
    private Attributes commandSet;
    private int contextId = -1;

    /**
     * @param accepted the accepted presentation context of an id (its transfer syntax decodes the
     *                 data set), or null when that id was not accepted
     */
    PdvReassembler(int maxCommandBytes, long maxDataSetBytes, IntFunction<PresentationContext> accepted) {
        this.maxCommandBytes = maxCommandBytes;
        this.maxDataSetBytes = maxDataSetBytes;
        this.accepted = accepted;
    }

    /**
     * Adds the next PDV.
     *
     * @return the message this PDV completes, or null while more is to come
     * @throws DicomProtocolException a PDV on another presentation context, a fragment out of place
     *                                (command after its last fragment, data before its command), a
     *                                command or data set over its bound, or undecodable bytes
     */
    Association.Message add(Pdu.Pdv pdv) throws DicomProtocolException {
        if (contextId == -1) {
            contextId = pdv.contextId();
        } else if (pdv.contextId() != contextId) {
            throw new DicomProtocolException(
                    "PDV on presentation context " + pdv.contextId() + " inside a message on " + contextId);
        }
        byte[] fragment = pdv.data();
        if (pdv.command()) {
            if (commandSet != null || command.size() + fragment.length > maxCommandBytes) {
                throw new DicomProtocolException(
                        "command fragment out of place or command longer than " + maxCommandBytes + " bytes");
            }
            command.writeBytes(fragment);
            if (!pdv.last()) {
                return null;
            }
            commandSet = DataSetCodec.decode(command.toByteArray(), false);
            if (!Dimse.hasDataSet(commandSet)) {
                return new Association.Message(contextId, commandSet, null);
            }
            data = new ByteArrayOutputStream();
            return null;
        }
        if (data == null || data.size() + (long) fragment.length > maxDataSetBytes) {
            throw new DicomProtocolException(
                    data == null
                            ? "data fragment before its command"
                            : "data set longer than " + maxDataSetBytes + " bytes");
        }
        data.writeBytes(fragment);
        if (!pdv.last()) {
            return null;
        }
        PresentationContext pc = accepted.apply(contextId);
        if (pc == null) {
            throw new DicomProtocolException("data on presentation context " + contextId + ", which was not accepted");
        }
        return new Association.Message(contextId, commandSet, DataSetCodec.decode(data.toByteArray(), pc.explicitVr()));
    }
}
