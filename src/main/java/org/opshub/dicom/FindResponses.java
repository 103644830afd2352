package org.opshub.dicom;

/**
 * The responses of one C-FIND (PS3.7 §9.1.2, §9.3.2), read one at a time: {@link #next()} gives
 * each match's identifier and null once the final response came; {@link #cancel()} sends
 * C-CANCEL-RQ (PS3.7 §9.3.2.3), after which the remaining pending responses are read but not
 * handed on, until the final one.
 *
 * <p>Bounded by {@link ScuSettings#findTimeout()} in total (checked between responses) and by
 * {@link ScuSettings#maxMatches()} pending responses: past either, C-CANCEL is sent, the
 * association aborted, and {@link #next()} throws. Each response waits at most
 * {@link ScuSettings#dimseTimeout()}.
 */
public final class FindResponses {
    private final Association as;
    private final ScuSettings settings;
    private final PresentationContext pc;
    private final int id;
    private final long deadline;
    private int matches;
    private int pending;
    private boolean cancelled;
    private Dimse.FindResult result;

    private FindResponses(Association as, ScuSettings settings, PresentationContext pc, int id) {
        this.as = as;
        this.settings = settings;
        this.pc = pc;
        this.id = id;
        this.deadline = System.nanoTime() + settings.findTimeout().toNanos();
    }

    /**
     * Sends the C-FIND-RQ.
     *
     * @param sopClass the query information model, e.g. {@link UID#StudyRootQueryRetrieveFind}
     * @throws DicomException when the model was not accepted or the request cannot be sent
     */
    static FindResponses start(Association as, ScuSettings settings, String sopClass, Attributes identifier)
            throws DicomException {
        PresentationContext pc = as.context(sopClass);
        int id = as.nextMessageId();
        as.send(
                pc,
                new Attributes()
                        .setString(Tag.AffectedSOPClassUID, Vr.UI, sopClass)
                        .setUnsignedShort(Tag.CommandField, Dimse.C_FIND_RQ)
                        .setUnsignedShort(Tag.MessageID, id)
                        .setUnsignedShort(Tag.Priority, 0)
                        .setUnsignedShort(Tag.CommandDataSetType, Dimse.DATA_SET_PRESENT),
                identifier);
        return new FindResponses(as, settings, pc, id);
    }

    /**
     * The next match's identifier; null once the final response came (see {@link #result()}).
     *
     * @throws DimseStatusException  a failure status (0xA700, 0xA900, 0xCxxx, …), or more than
     *                               {@code maxMatches} pending responses (C-CANCEL sent, association aborted)
     * @throws DicomTimeoutException the C-FIND outlasted {@code findTimeout} (C-CANCEL sent, association aborted)
     * @throws DicomException        timeout, abort or protocol errors of the association
     */
    public Attributes next() throws DicomException {
        while (result == null) {
            if (System.nanoTime() - deadline >= 0) {
                cancelAndAbort();
                throw new DicomTimeoutException(
                        "C-FIND on " + as.node() + " did not finish within pacs.find-timeout=" + settings.findTimeout()
                                + " (" + pending + " responses so far); C-CANCEL sent, association aborted");
            }
            Association.Message msg = Dimse.expect(as, settings, Dimse.C_FIND_RSP, id, "C-FIND response");
            int status = msg.command().getInt(Tag.Status, -1);
            if (status == 0xFF00 || status == 0xFF01) {
                if (++pending > settings.maxMatches()) {
                    cancelAndAbort();
                    throw new DimseStatusException(
                            "C-FIND on " + as.node() + " returned more than pacs.max-matches=" + settings.maxMatches()
                                    + " matches; C-CANCEL sent, association aborted",
                            status);
                }
                if (msg.dataSet() != null && !cancelled) {
                    matches++;
                    return msg.dataSet();
                }
            } else if (status == 0x0000 || status == 0xFE00 || (status & 0xF000) == 0xB000) {
                result = new Dimse.FindResult(status, matches, cancelled);
            } else {
                throw new DimseStatusException(
                        "C-FIND on " + as.node() + " failed: " + Dimse.statusText(status, msg.command()), status);
            }
        }
        return null;
    }

    /** Sends C-CANCEL-RQ once; the matches still coming are read by {@link #next()} but not handed on. */
    public void cancel() throws DicomException {
        if (!cancelled && result == null) {
            cancelled = true;
            as.send(
                    pc,
                    new Attributes()
                            .setUnsignedShort(Tag.CommandField, Dimse.C_CANCEL_RQ)
                            .setUnsignedShort(Tag.MessageIDBeingRespondedTo, id)
                            .setUnsignedShort(Tag.CommandDataSetType, Dimse.NO_DATA_SET),
                    null);
        }
    }

    /** How the C-FIND ended; null until {@link #next()} returned null. */
    public Dimse.FindResult result() {
        return result;
    }

    /** C-CANCEL, then A-ABORT: a peer that goes on streaming is not read any further. */
    private void cancelAndAbort() {
        try {
            cancel();
        } catch (DicomException ignored) {
            // the abort below ends it anyway
        }
        as.abort(Pdu.ABORT_SOURCE_USER, 0);
    }
}
