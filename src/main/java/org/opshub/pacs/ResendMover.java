package org.opshub.pacs;

import java.util.ArrayList;
import java.util.List;
import org.opshub.dicom.Association;
import org.opshub.dicom.Attributes;
import org.opshub.dicom.DicomClient;
import org.opshub.dicom.DicomException;
import org.opshub.dicom.Dimse;
import org.opshub.dicom.Pdu;
import org.opshub.dicom.Tag;
import org.opshub.dicom.Vr;

/**
 * One re-send as the C-MOVE SCU makes it (PS3.4 §C.4.2, Study Root Query/Retrieve Information Model -
 * MOVE): an association with the source, one C-MOVE of the study or one per series, to the move
 * destination, released when a final status came and aborted otherwise, and the outcome as a
 * {@link Move}: {@code success} (status 0000, nothing failed), {@code partial} or {@code failed}
 * (0000 or B000 with failed sub-operations, or a refusal), {@code timeout} (C-CANCEL sent after
 * {@code pacs.move-timeout}) or {@code error} (no association, no answer).
 */
final class ResendMover {
    private final DicomClient client;
    private final PacsSettings settings;

    ResendMover(DicomClient client, PacsSettings settings) {
        this.client = client;
        this.settings = settings;
    }

    /** Makes the move of {@code start}: the study, or each of {@code series} (SERIES level). */
    Move move(Move.Start start, List<String> series) {
        ForwardingCheck c = start.check();
        String uid = start.uid();
        PacsNode source = settings.nodes().get(c.source());
        String destination = c.resend().moveDestination();
        long t0 = System.nanoTime();
        int completed = 0;
        int failed = 0;
        int warning = 0;
        int remaining = 0;
        Dimse.MoveResult last = null;
        Association as = null;
        boolean ok = false;
        try {
            if (source.dicom() == null || destination == null) {
                throw new IllegalArgumentException(
                        source.dicom() == null
                                ? "the source is reached by QIDO-RS only: a C-MOVE needs its host and ae-title"
                                : "the target has no AE title: set pacs.forwarding." + c.pair() + ".move-destination");
            }
            as = client.openStudyRootMove(source.dicom());
            for (Attributes identifier : identifiers(uid, series)) {
                last = client.move(as, destination, identifier, settings.moveTimeout(), null);
                completed += last.completed();
                failed += last.failed();
                warning += last.warning();
                remaining += last.remaining();
                if (last.status() != 0x0000 && last.status() != 0xB000) {
                    break;
                }
            }
            ok = last != null && last.status() >= 0;
        } catch (DicomException | IllegalArgumentException e) {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            return start.ended(
                    "error", null, completed, failed, warning, remaining, c.source() + ": " + e.getMessage(), ms);
        } finally {
            if (as != null) {
                if (ok) {
                    as.release();
                } else {
                    as.abort(Pdu.ABORT_SOURCE_USER, 0);
                }
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String result;
        String reason = null;
        int status = last.status();
        if (last.cancelled()) {
            result = "timeout";
            reason = "the move did not finish within pacs.move-timeout=" + settings.moveTimeout() + "; C-CANCEL sent ("
                    + completed + " instances sent so far)";
        } else if (status == 0x0000 && failed == 0) {
            result = "success";
        } else if (status == 0x0000 || status == 0xB000) {
            result = completed > 0 ? "partial" : "failed";
            reason = c.source() + " sent " + completed + " and failed " + failed + " of the instances to AE "
                    + destination + ": status " + last.statusText();
        } else {
            result = "failed";
            reason = c.source() + " (AE " + source.dicom().aeTitle() + ") refused to send to move destination AE "
                    + destination + ": status " + last.statusText()
                    + (last.comment() == null ? "" : ": " + last.comment())
                    + (status == 0xA801
                            ? "; the source must know AE " + destination + " (or set pacs.forwarding." + c.pair()
                                    + ".move-destination)"
                            : "");
        }
        return start.ended(result, status < 0 ? null : status, completed, failed, warning, remaining, reason, ms);
    }

    /** The C-MOVE identifiers: the study, or one per series (SERIES level, the study's UID above it). */
    static List<Attributes> identifiers(String studyUid, List<String> series) {
        if (series.isEmpty()) {
            return List.of(new Attributes()
                    .setString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY")
                    .setString(Tag.StudyInstanceUID, Vr.UI, studyUid));
        }
        List<Attributes> out = new ArrayList<>();
        for (String s : series) {
            out.add(new Attributes()
                    .setString(Tag.QueryRetrieveLevel, Vr.CS, "SERIES")
                    .setString(Tag.StudyInstanceUID, Vr.UI, studyUid)
                    .setString(Tag.SeriesInstanceUID, Vr.UI, s));
        }
        return out;
    }

    static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
