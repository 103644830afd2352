package org.opshub.pacs;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.opshub.dicom.Dimse;

/**
 * One move, as recorded.
 *
 * @param level      {@code STUDY}, or {@code SERIES} when only the series missing on the target were moved
 * @param series     series moved (0 at STUDY level)
 * @param trigger    who or what asked: {@code api:<user>}, {@code telegram:<user> [id]}, {@code auto}
 * @param result     one of {@link PacsResends#RESULTS}, or {@code rate-limited} (not made)
 * @param status     the final C-MOVE status, null when none came
 * @param reason     what went wrong, readable, or null
 * @param durationMs association, move and release, milliseconds
 */
public record Move(
        String pair,
        String source,
        String target,
        String studyInstanceUid,
        String level,
        int series,
        String trigger,
        String result,
        Integer status,
        int completed,
        int failed,
        int warning,
        int remaining,
        String reason,
        Instant startedAt,
        long durationMs) {

    /** As JSON for the API (a map Jackson writes). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pair", pair);
        m.put("source", source);
        m.put("target", target);
        m.put("studyInstanceUid", studyInstanceUid);
        m.put("level", level);
        m.put("series", series);
        m.put("trigger", trigger);
        m.put("result", result);
        m.put("status", status == null ? null : String.format("0x%04X", status));
        m.put("statusMeaning", status == null ? null : Dimse.moveStatusMeaning(status));
        m.put("completed", completed);
        m.put("failed", failed);
        m.put("warning", warning);
        m.put("remaining", remaining);
        m.put("reason", reason);
        m.put("startedAt", startedAt == null ? null : startedAt.toString());
        m.put("durationMs", durationMs);
        return m;
    }

    /**
     * A move before its outcome: which check, which study, at which level, who asked and when.
     *
     * @param series the number of series moved (0 at STUDY level)
     */
    record Start(ForwardingCheck check, String uid, String level, int series, String trigger, Instant started) {
        /** The move as it ended (counts are C-MOVE sub-operations; {@code status} null when none came). */
        Move ended(
                String result,
                Integer status,
                int completed,
                int failed,
                int warning,
                int remaining,
                String reason,
                long durationMs) {
            return new Move(
                    check.pair(),
                    check.source(),
                    check.target(),
                    uid,
                    level,
                    series,
                    trigger,
                    result,
                    status,
                    completed,
                    failed,
                    warning,
                    remaining,
                    reason,
                    started,
                    durationMs);
        }
    }
}
