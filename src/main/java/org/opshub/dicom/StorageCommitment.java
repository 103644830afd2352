package org.opshub.dicom;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Storage Commitment Push Model, PS3.4 Annex J.3, as its SCU: the request to commit SOP instances
 * (N-ACTION, PS3.7 §10.1.4; Action Type 1, Table J.3-1) and the result the SCP reports (N-EVENT-REPORT,
 * PS3.7 §10.1.1; Event Type 1 all committed, 2 failures exist, Table J.3-2), on the requesting
 * association or on one the SCP opens to ours ({@link DicomScp}).
 */
public final class StorageCommitment {
    /** N-EVENT-REPORT-RQ and -RSP, N-ACTION-RQ and -RSP command fields, PS3.7 §E.1. */
    public static final int N_EVENT_REPORT_RQ = 0x0100;

    public static final int N_EVENT_REPORT_RSP = 0x8100;
    public static final int N_ACTION_RQ = 0x0130;
    public static final int N_ACTION_RSP = 0x8130;

    private StorageCommitment() {}

    /** One SOP instance to commit (Referenced SOP Class UID, Referenced SOP Instance UID). */
    public record Reference(String sopClassUid, String sopInstanceUid) {}

    /**
     * One SOP instance the SCP could not commit.
     *
     * @param reason Failure Reason (0008,1197), PS3.3 §C.14.1.1
     */
    public record Failure(String sopClassUid, String sopInstanceUid, int reason) {
        /** "0x0112 (no such object instance)". */
        public String reasonText() {
            String meaning = switch (reason) {
                case 0x0110 -> "processing failure";
                case 0x0112 -> "no such object instance";
                case 0x0213 -> "resource limitation";
                case 0x0122 -> "referenced SOP class not supported";
                case 0x0119 -> "class / instance conflict";
                case 0x0131 -> "duplicate transaction UID";
                default -> "unknown reason";
            };
            return String.format("0x%04X (%s)", reason, meaning);
        }
    }

    /**
     * What an N-EVENT-REPORT said.
     *
     * @param transactionUid the Transaction UID (0008,1195) of the request it answers
     * @param committed      the Referenced SOP Sequence: instances the SCP took responsibility for
     * @param failed         the Failed SOP Sequence
     */
    public record Report(String transactionUid, List<Reference> committed, List<Failure> failed) {}

    /** A new Transaction UID under the UUID root 2.25 (PS3.5 §B.2): unique per request. */
    public static String newTransactionUid() {
        UUID u = UUID.randomUUID();
        byte[] b = ByteBuffer.allocate(16)
                .putLong(u.getMostSignificantBits())
                .putLong(u.getLeastSignificantBits())
                .array();
        return "2.25." + new BigInteger(1, b);
    }

    /**
     * Asks the SCP to commit {@code refs}: N-ACTION-RQ on the association's Storage Commitment Push Model
     * context, then its N-ACTION-RSP.
     *
     * @throws DimseStatusException when the SCP answers a status other than success (the caller aborts)
     * @throws DicomException       on timeout, abort or protocol errors
     */
    public static void request(Association as, ScuSettings settings, String transactionUid, List<Reference> refs)
            throws DicomException {
        PresentationContext pc = as.context(UID.StorageCommitmentPushModel);
        int id = as.nextMessageId();
        Attributes rq = new Attributes()
                .setString(Tag.RequestedSOPClassUID, Vr.UI, UID.StorageCommitmentPushModel)
                .setUnsignedShort(Tag.CommandField, N_ACTION_RQ)
                .setUnsignedShort(Tag.MessageID, id)
                .setUnsignedShort(Tag.CommandDataSetType, Dimse.DATA_SET_PRESENT)
                .setString(Tag.RequestedSOPInstanceUID, Vr.UI, UID.StorageCommitmentPushModelInstance)
                .setUnsignedShort(Tag.ActionTypeID, 1);
        List<Attributes> items = new ArrayList<>();
        for (Reference r : refs) {
            items.add(new Attributes()
                    .setString(Tag.ReferencedSOPClassUID, Vr.UI, r.sopClassUid())
                    .setString(Tag.ReferencedSOPInstanceUID, Vr.UI, r.sopInstanceUid()));
        }
        Attributes data = new Attributes()
                .setString(Tag.TransactionUID, Vr.UI, transactionUid)
                .set(Tag.ReferencedSOPSequence, Vr.SQ, DataSetCodec.sequence(items, pc.explicitVr()));
        as.send(pc, rq, data);
        Attributes rsp = Dimse.expect(as, settings, N_ACTION_RSP, id, "N-ACTION response")
                .command();
        int status = rsp.getInt(Tag.Status, -1);
        if (status != 0) {
            throw new DimseStatusException(
                    "Storage Commitment N-ACTION to " + as.node() + " answered " + Dimse.statusText(status, rsp),
                    status);
        }
    }

    /**
     * Reads an N-EVENT-REPORT-RQ of the Storage Commitment Push Model.
     *
     * @param explicitVr the transfer syntax of the context it came on
     * @throws DicomProtocolException when it is not one (another SOP class or instance, an Event Type other
     *                                than 1 or 2, no data set, no Transaction UID, broken sequences, an item
     *                                without its UIDs, a failure without its reason)
     */
    public static Report report(Association.Message rq, boolean explicitVr) throws DicomProtocolException {
        Attributes cmd = rq.command();
        if (cmd.getInt(Tag.CommandField, -1) != N_EVENT_REPORT_RQ
                || !UID.StorageCommitmentPushModel.equals(cmd.getString(Tag.AffectedSOPClassUID))) {
            throw new DicomProtocolException("not a Storage Commitment N-EVENT-REPORT: command "
                    + String.format("0x%04X", cmd.getInt(Tag.CommandField, -1)) + " of "
                    + cmd.getString(Tag.AffectedSOPClassUID));
        }
        int event = cmd.getInt(Tag.EventTypeID, -1);
        if (event != 1 && event != 2) {
            throw new DicomProtocolException("N-EVENT-REPORT with Event Type ID " + event + " (1 or 2 expected)");
        }
        Attributes data = rq.dataSet();
        String tx = data == null ? null : data.getString(Tag.TransactionUID);
        if (tx == null || tx.isBlank()) {
            throw new DicomProtocolException("N-EVENT-REPORT without a Transaction UID (0008,1195)");
        }
        List<Reference> committed = new ArrayList<>();
        for (Attributes item : items(data, Tag.ReferencedSOPSequence, explicitVr)) {
            committed.add(new Reference(uid(item, Tag.ReferencedSOPClassUID), uid(item, Tag.ReferencedSOPInstanceUID)));
        }
        List<Failure> failed = new ArrayList<>();
        for (Attributes item : items(data, Tag.FailedSOPSequence, explicitVr)) {
            Long reason = item.getLong(Tag.FailureReason);
            if (reason == null) {
                throw new DicomProtocolException("Failed SOP Sequence item without a Failure Reason (0008,1197)");
            }
            failed.add(new Failure(
                    uid(item, Tag.ReferencedSOPClassUID), uid(item, Tag.ReferencedSOPInstanceUID), reason.intValue()));
        }
        if (event == 2 && failed.isEmpty()) {
            throw new DicomProtocolException(
                    "N-EVENT-REPORT Event Type 2 (failures exist) without a Failed SOP Sequence");
        }
        return new Report(tx.strip(), List.copyOf(committed), List.copyOf(failed));
    }

    /** The N-EVENT-REPORT-RSP to {@code rq} with {@code status}. */
    public static Attributes reportResponse(Attributes rq, int status) {
        return new Attributes()
                .setString(Tag.AffectedSOPClassUID, Vr.UI, UID.StorageCommitmentPushModel)
                .setUnsignedShort(Tag.CommandField, N_EVENT_REPORT_RSP)
                .setUnsignedShort(Tag.MessageIDBeingRespondedTo, rq.getInt(Tag.MessageID, 0))
                .setUnsignedShort(Tag.CommandDataSetType, Dimse.NO_DATA_SET)
                .setUnsignedShort(Tag.Status, status)
                .setString(Tag.AffectedSOPInstanceUID, Vr.UI, UID.StorageCommitmentPushModelInstance)
                .setUnsignedShort(Tag.EventTypeID, rq.getInt(Tag.EventTypeID, 1));
    }

    private static List<Attributes> items(Attributes data, int tag, boolean explicitVr) throws DicomProtocolException {
        Attributes.Element e = data.get(tag);
        return e == null ? List.of() : DataSetCodec.items(e.value(), explicitVr);
    }

    private static String uid(Attributes item, int tag) throws DicomProtocolException {
        String v = item.getString(tag);
        if (v == null || v.isBlank()) {
            throw new DicomProtocolException("sequence item without " + Tag.toString(tag));
        }
        return v.strip();
    }
}
