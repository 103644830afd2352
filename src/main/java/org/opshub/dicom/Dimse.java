package org.opshub.dicom;

import java.io.ByteArrayOutputStream;

/**
 * DIMSE-C services used by this SCU, PS3.7 §9: C-ECHO (§9.1.5, §9.3.5), C-FIND (§9.1.2,
 * §9.3.2) and C-CANCEL (§9.3.2.3), with command sets encoded per PS3.7 §6.3 in Implicit VR
 * Little Endian.
 */
public final class Dimse {
    public static final int C_FIND_RQ = 0x0020;
    public static final int C_FIND_RSP = 0x8020;
    public static final int C_ECHO_RQ = 0x0030;
    public static final int C_ECHO_RSP = 0x8030;
    public static final int C_CANCEL_RQ = 0x0FFF;
    /** CommandDataSetType (0000,0800) value meaning "no data set" (PS3.7 §E.1). */
    public static final int NO_DATA_SET = 0x0101;
    /** A value meaning "a data set follows"; any other than 0x0101 does. */
    public static final int DATA_SET_PRESENT = 0x0001;

    /** Called for each C-FIND match; answer false to stop early (C-CANCEL is sent). */
    @FunctionalInterface
    public interface MatchHandler {
        boolean onMatch(Attributes identifier) throws DicomException;
    }

    /**
     * How a C-FIND ended.
     *
     * @param status    final status: 0x0000 success, 0xFE00 cancelled
     * @param matches   pending responses with an identifier, as received
     * @param cancelled true when we sent C-CANCEL
     */
    public record FindResult(int status, int matches, boolean cancelled) {
    }

    private Dimse() {
    }

    /**
     * Encodes a command set with its CommandGroupLength (0000,0000) first.
     */
    static byte[] encodeCommand(Attributes command) {
        Attributes copy = new Attributes();
        command.elements().forEach((t, e) -> {
            if (t != Tag.CommandGroupLength) {
                copy.set(t, e.vr(), e.value());
            }
        });
        byte[] rest = DataSetCodec.encode(copy, false);
        byte[] len = new byte[4];
        len[0] = (byte) rest.length;
        len[1] = (byte) (rest.length >>> 8);
        len[2] = (byte) (rest.length >>> 16);
        len[3] = (byte) (rest.length >>> 24);
        ByteArrayOutputStream out = new ByteArrayOutputStream(rest.length + 12);
        out.writeBytes(DataSetCodec.encode(new Attributes().set(Tag.CommandGroupLength, Vr.UL, len), false));
        out.writeBytes(rest);
        return out.toByteArray();
    }

    static boolean hasDataSet(Attributes command) {
        return command.getInt(Tag.CommandDataSetType, NO_DATA_SET) != NO_DATA_SET;
    }

    /**
     * C-ECHO on an open association with an accepted Verification context.
     *
     * @throws DimseStatusException when the status is not success
     * @throws DicomException       on timeout, abort or protocol errors
     */
    public static void echo(Association as, ScuSettings settings) throws DicomException {
        PresentationContext pc = as.context(UID.Verification);
        int id = as.nextMessageId();
        Attributes rq = new Attributes()
                .setString(Tag.AffectedSOPClassUID, Vr.UI, UID.Verification)
                .setUnsignedShort(Tag.CommandField, C_ECHO_RQ)
                .setUnsignedShort(Tag.MessageID, id)
                .setUnsignedShort(Tag.CommandDataSetType, NO_DATA_SET);
        as.send(pc, rq, null);
        Attributes rsp = expect(as, settings, C_ECHO_RSP, id, "C-ECHO response").command();
        int status = rsp.getInt(Tag.Status, -1);
        if (status != 0) {
            throw new DimseStatusException("C-ECHO to " + as.node() + " answered " + statusText(status, rsp), status);
        }
    }

        /**
     * C-FIND: sends the identifier and hands each match to {@code handler} until the final
     * response. When the handler returns false a C-CANCEL-RQ is sent and the remaining responses
     * are read (not handed on) until the final status. See {@link FindResponses} for the bounds.
     *
     * @param sopClass the query information model, e.g. {@link UID#StudyRootQueryRetrieveFind}
     * @throws DimseStatusException  when the final status is a failure (e.g. 0xA700, 0xA900, 0xCxxx),
     *                               or more than {@link ScuSettings#maxMatches()} pending responses came
     *                               (C-CANCEL sent, association aborted)
     * @throws DicomTimeoutException when the whole C-FIND takes longer than
     *                               {@link ScuSettings#findTimeout()} (C-CANCEL sent, association aborted)
     * @throws DicomException        on timeout, abort or protocol errors
     */
    public static FindResult find(Association as, ScuSettings settings, String sopClass, Attributes identifier,
                                  MatchHandler handler) throws DicomException {
        FindResponses responses = findResponses(as, settings, sopClass, identifier);
        for (Attributes match = responses.next(); match != null; match = responses.next()) {
            if (!handler.onMatch(match)) {
                responses.cancel();
            }
        }
        return responses.result();
    }

    /** C-FIND with its responses read one at a time ({@link FindResponses#next()}, {@link FindResponses#cancel()}). */
    public static FindResponses findResponses(Association as, ScuSettings settings, String sopClass, Attributes identifier)
            throws DicomException {
        return FindResponses.start(as, settings, sopClass, identifier);
    }

    static Association.Message expect(Association as, ScuSettings settings, int field, int id, String what)
            throws DicomException {
        Association.Message msg = as.receive(settings.dimseTimeout(), what);
        Attributes cmd = msg.command();
        int got = cmd.getInt(Tag.CommandField, -1);
        int responding = cmd.getInt(Tag.MessageIDBeingRespondedTo, -1);
        if (got != field || responding != id) {
            as.abort(Pdu.ABORT_SOURCE_PROVIDER, Pdu.ABORT_UNEXPECTED_PDU);
            throw new DicomProtocolException(String.format(
                    "protocol error from %s: expected %s to message %d, got command 0x%04X to message %d",
                    as.node(), what, id, got, responding));
        }
        return msg;
    }

    /** "0xA700 (out of resources): comment", PS3.4 §C.4.1.1.4 and PS3.7 Annex C. */
    static String statusText(int status, Attributes cmd) {
        String meaning;
        if (status == 0xA700) {
            meaning = "out of resources";
        } else if (status == 0xA900) {
            meaning = "identifier does not match SOP class";
        } else if (status == 0x0122) {
            meaning = "SOP class not supported";
        } else if (status == 0x0211) {
            meaning = "unrecognized operation";
        } else if ((status & 0xF000) == 0xC000) {
            meaning = "unable to process";
        } else if (status == -1) {
            meaning = "no status";
        } else {
            meaning = "failure";
        }
        String comment = cmd.getString(Tag.ErrorComment);
        return String.format("status 0x%04X (%s)", status & 0xFFFF, meaning)
                + (comment == null || comment.isEmpty() ? "" : ": " + comment);
    }
}
