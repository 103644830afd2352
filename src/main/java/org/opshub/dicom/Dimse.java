package org.opshub.dicom;

import java.io.ByteArrayOutputStream;
import java.time.Duration;

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
    public static final int C_MOVE_RQ = 0x0021;
    public static final int C_MOVE_RSP = 0x8021;
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
    public record FindResult(int status, int matches, boolean cancelled) {}

    /**
     * How a C-MOVE ended (PS3.7 §9.1.4, PS3.4 §C.4.2.1.5 and Table C.4-2).
     *
     * @param status    final status: 0x0000 success, 0xB000 warning (one or more sub-operations failed or
     *                  gave warnings), 0xFE00 cancelled, 0xA701/0xA702 out of resources, 0xA801 move
     *                  destination unknown, 0xA900 identifier does not match SOP class, 0xCxxx unable to process;
     *                  -1 when no final response came after C-CANCEL (association aborted)
     * @param remaining NumberOfRemainingSuboperations (0000,1020) of the last response that had it
     * @param completed NumberOfCompletedSuboperations (0000,1021): instances the source stored to the destination
     * @param failed    NumberOfFailedSuboperations (0000,1022)
     * @param warning   NumberOfWarningSuboperations (0000,1023)
     * @param cancelled true when we sent C-CANCEL (the move outlasted its timeout)
     * @param comment   ErrorComment (0000,0902) of the final response, or null
     */
    public record MoveResult(
            int status, int remaining, int completed, int failed, int warning, boolean cancelled, String comment) {
        /** Final status 0x0000 with no failed sub-operation. */
        public boolean success() {
            return status == 0x0000 && failed == 0;
        }

        /** "0xA801 (move destination unknown)", PS3.4 Table C.4-2. */
        public String statusText() {
            return status < 0 ? "no final response" : String.format("0x%04X (%s)", status, moveStatusMeaning(status));
        }
    }

    /** Called with each pending C-MOVE response's sub-operation counts. */
    @FunctionalInterface
    public interface MoveProgress {
        void onPending(int remaining, int completed, int failed, int warning);
    }

    private Dimse() {}

    /** The meaning of a C-MOVE status, PS3.4 Table C.4-2 (and PS3.7 Annex C for the general ones). */
    public static String moveStatusMeaning(int status) {
        return switch (status) {
            case 0x0000 -> "success: sub-operations complete, no failures";
            case 0xB000 -> "warning: sub-operations complete, one or more failures or warnings";
            case 0xFE00 -> "cancelled: sub-operations terminated";
            case 0xFF00 -> "pending: sub-operations continuing";
            case 0xA701 -> "refused: out of resources, unable to calculate number of matches";
            case 0xA702 -> "refused: out of resources, unable to perform sub-operations";
            case 0xA801 -> "refused: move destination unknown";
            case 0xA900 -> "identifier does not match SOP class";
            case 0x0122 -> "SOP class not supported";
            case 0x0211 -> "unrecognized operation";
            default -> (status & 0xF000) == 0xC000 ? "unable to process" : "failure";
        };
    }

    /**
     * The C-MOVE-RQ command set (PS3.7 Table 9.3-5): AffectedSOPClassUID, CommandField 0x0021,
     * MessageID, Priority (0 medium), CommandDataSetType (an identifier follows), MoveDestination.
     */
    static Attributes moveRequest(String sopClass, int messageId, String destination) {
        return new Attributes()
                .setString(Tag.AffectedSOPClassUID, Vr.UI, sopClass)
                .setUnsignedShort(Tag.CommandField, C_MOVE_RQ)
                .setUnsignedShort(Tag.MessageID, messageId)
                .setUnsignedShort(Tag.Priority, 0)
                .setUnsignedShort(Tag.CommandDataSetType, DATA_SET_PRESENT)
                .setString(Tag.MoveDestination, Vr.AE, destination);
    }

    /**
     * C-MOVE (PS3.7 §9.1.4, §9.3.4): asks the peer to C-STORE what {@code identifier} selects to the AE
     * {@code destination}, over its own association to that AE. Pending responses (0xFF00) report the
     * sub-operation counts to {@code progress}. When {@code timeout} passes before the final response,
     * C-CANCEL-RQ is sent (PS3.7 §9.3.4.3) and the final response awaited for
     * {@link ScuSettings#dimseTimeout()}; without one the association is aborted and the result has status -1.
     *
     * @param sopClass    the retrieve information model, e.g. {@link UID#StudyRootQueryRetrieveMove}
     * @param destination the Move Destination AE title (1-16 characters), which the peer must know
     * @return the final status and counts; a failure status is returned, not thrown
     * @throws DicomException on abort, protocol errors or a lost connection
     */
    public static MoveResult move(
            Association as,
            ScuSettings settings,
            String sopClass,
            String destination,
            Attributes identifier,
            Duration timeout,
            MoveProgress progress)
            throws DicomException {
        Pdu.aeField(destination);
        PresentationContext pc = as.context(sopClass);
        int id = as.nextMessageId();
        as.send(pc, moveRequest(sopClass, id, destination), identifier);
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean cancelled = false;
        int[] counts = {0, 0, 0, 0};
        while (true) {
            long left = deadline - System.nanoTime();
            if (!cancelled && left <= 0) {
                cancelled = true;
                as.send(
                        pc,
                        new Attributes()
                                .setUnsignedShort(Tag.CommandField, C_CANCEL_RQ)
                                .setUnsignedShort(Tag.MessageIDBeingRespondedTo, id)
                                .setUnsignedShort(Tag.CommandDataSetType, NO_DATA_SET),
                        null);
            }
            if (!cancelled && !as.awaitData(Duration.ofNanos(Math.min(left, 1_000_000_000L)))) {
                continue;
            }
            Association.Message msg;
            try {
                msg = expect(as, settings, C_MOVE_RSP, id, "C-MOVE response");
            } catch (DicomTimeoutException e) {
                if (cancelled) {
                    return new MoveResult(
                            -1,
                            counts[0],
                            counts[1],
                            counts[2],
                            counts[3],
                            true,
                            "no final response within pacs.dimse-timeout after C-CANCEL; association aborted");
                }
                throw e;
            }
            Attributes cmd = msg.command();
            int status = cmd.getInt(Tag.Status, -1);
            counts[0] = cmd.getInt(Tag.NumberOfRemainingSuboperations, counts[0]);
            counts[1] = cmd.getInt(Tag.NumberOfCompletedSuboperations, counts[1]);
            counts[2] = cmd.getInt(Tag.NumberOfFailedSuboperations, counts[2]);
            counts[3] = cmd.getInt(Tag.NumberOfWarningSuboperations, counts[3]);
            if (status == 0xFF00 || status == 0xFF01) {
                if (progress != null) {
                    progress.onPending(counts[0], counts[1], counts[2], counts[3]);
                }
                continue;
            }
            String comment = cmd.getString(Tag.ErrorComment);
            return new MoveResult(
                    status,
                    status == 0x0000 ? 0 : counts[0],
                    counts[1],
                    counts[2],
                    counts[3],
                    cancelled,
                    comment == null || comment.isBlank() ? null : comment.strip());
        }
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
    public static FindResult find(
            Association as, ScuSettings settings, String sopClass, Attributes identifier, MatchHandler handler)
            throws DicomException {
        FindResponses responses = findResponses(as, settings, sopClass, identifier);
        for (Attributes match = responses.next(); match != null; match = responses.next()) {
            if (!handler.onMatch(match)) {
                responses.cancel();
            }
        }
        return responses.result();
    }

    /** C-FIND with its responses read one at a time ({@link FindResponses#next()}, {@link FindResponses#cancel()}). */
    public static FindResponses findResponses(
            Association as, ScuSettings settings, String sopClass, Attributes identifier) throws DicomException {
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
