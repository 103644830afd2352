package org.opshub.dicom;

import java.time.Duration;
import java.util.List;

/**
 * The SCU facade: C-ECHO on a fresh association, and associations for Study Root C-FIND on
 * which several queries can run (PS3.4 Annex A verification, Annex C query/retrieve).
 */
public final class DicomClient {
    private final ScuSettings settings;

    public DicomClient(ScuSettings settings) {
        this.settings = settings;
    }

    public ScuSettings settings() {
        return settings;
    }

    /**
     * Associates, sends C-ECHO, releases.
     *
     * @return the round trip in nanoseconds, association and release included
     * @throws DicomException with an operator-readable message on any failure
     */
    public long echo(DicomNode node) throws DicomException {
        long start = System.nanoTime();
        Association as = Association.open(node, settings, List.of(UID.Verification));
        boolean ok = false;
        try {
            Dimse.echo(as, settings);
            ok = true;
        } finally {
            // whatever failed, checked or not, the connection is closed: nothing leaks
            if (ok) {
                as.release();
            } else {
                as.abort(Pdu.ABORT_SOURCE_USER, 0);
            }
        }
        return System.nanoTime() - start;
    }

    /**
     * Opens an association proposing Study Root Query/Retrieve - FIND
     * ({@value UID#StudyRootQueryRetrieveFind}); close it with {@link Association#release()}.
     */
    public Association openStudyRootFind(DicomNode node) throws DicomException {
        Association as = Association.open(node, settings, List.of(UID.StudyRootQueryRetrieveFind));
        boolean ok = false;
        try {
            as.context(UID.StudyRootQueryRetrieveFind);
            ok = true;
        } finally {
            if (!ok) {
                as.abort(Pdu.ABORT_SOURCE_USER, 0);
            }
        }
        return as;
    }

    /**
     * Opens an association proposing Study Root Query/Retrieve - MOVE
     * ({@value UID#StudyRootQueryRetrieveMove}); close it with {@link Association#release()}.
     */
    public Association openStudyRootMove(DicomNode node) throws DicomException {
        Association as = Association.open(node, settings, List.of(UID.StudyRootQueryRetrieveMove));
        boolean ok = false;
        try {
            as.context(UID.StudyRootQueryRetrieveMove);
            ok = true;
        } finally {
            if (!ok) {
                as.abort(Pdu.ABORT_SOURCE_USER, 0);
            }
        }
        return as;
    }

    /** C-MOVE with the Study Root model on an open association; see {@link Dimse#move}. */
    public Dimse.MoveResult move(
            Association as, String destination, Attributes identifier, Duration timeout, Dimse.MoveProgress progress)
            throws DicomException {
        return Dimse.move(as, settings, UID.StudyRootQueryRetrieveMove, destination, identifier, timeout, progress);
    }

    /**
     * C-FIND with the Study Root model on an open association, its matches read one at a time
     * with {@link FindResponses#next()} and stopped with {@link FindResponses#cancel()}.
     */
    public FindResponses findResponses(Association as, Attributes identifier) throws DicomException {
        return Dimse.findResponses(as, settings, UID.StudyRootQueryRetrieveFind, identifier);
    }

    /** C-FIND with the Study Root model on an open association; see {@link Dimse#find}. */
    public Dimse.FindResult find(Association as, Attributes identifier, Dimse.MatchHandler handler)
            throws DicomException {
        return Dimse.find(as, settings, UID.StudyRootQueryRetrieveFind, identifier, handler);
    }
}
