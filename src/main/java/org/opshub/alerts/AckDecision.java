package org.opshub.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.opshub.alerts.Acks.Ack;

/**
 * What one read of Alertmanager's alerts decides for the acknowledgements ({@link #decide}), and the
 * decision itself: a function from records to a plan, without effects ({@link Acks} runs it against
 * the {@link AckStore}).
 *
 * @param extend    acknowledgements whose silence is to be extended
 * @param expire    acknowledgements whose alert resolved: silence to expire
 * @param resolved  alerts opshub sends RESOLVED for itself (status resolved, ended at the read)
 * @param fired     alerts opshub resolved itself that fire again (status firing)
 * @param muted     fingerprints of the firing list Alertmanager now lists as silenced
 * @param absentNow fingerprints not listed on this read, to be resolved if the next read does not list them
 * @param at        the read's time, epoch ms
 */
public record AckDecision(
        List<Ack> extend,
        List<Ack> expire,
        List<Alert> resolved,
        List<Alert> fired,
        List<String> muted,
        Set<String> absentNow,
        long at) {
    AckStore.Changes changes() {
        return new AckStore.Changes(
                fired.stream().map(Alert::fingerprint).toList(),
                resolved.stream().map(Alert::fingerprint).toList(),
                muted,
                at);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Alertmanager's answer as a decision reads it.
     *
     * @param silenced every listed alert's fingerprint, and whether Alertmanager mutes it: a silence holds it
     *                 ({@code status.silencedBy}) or an inhibition rule does ({@code status.inhibitedBy}); either
     *                 way Alertmanager sends nothing when it resolves
     * @param active   the listed alerts whose state is {@code active}, as firing alerts, by fingerprint
     */
    public record Listed(Map<String, Boolean> silenced, Map<String, Alert> active) {
        /**
         * Reads {@code GET /api/v2/alerts}' answer, a JSON array of {@code gettableAlert}.
         *
         * @throws IllegalArgumentException when it is not a JSON array
         */
        public static Listed parse(String alertsJson) {
            JsonNode alerts;
            try {
                alerts = JSON.readTree(alertsJson == null ? "" : alertsJson);
            } catch (IOException e) {
                alerts = null;
            }
            if (alerts == null || !alerts.isArray()) {
                throw new IllegalArgumentException("Alertmanager's /api/v2/alerts answer is not a JSON array");
            }
            Map<String, Boolean> silenced = new HashMap<>();
            Map<String, Alert> active = new HashMap<>();
            for (JsonNode a : alerts) {
                silenced.put(
                        a.path("fingerprint").asText(),
                        a.path("status").path("silencedBy").size() > 0
                                || a.path("status").path("inhibitedBy").size() > 0);
                if ("active".equals(a.path("status").path("state").asText())) {
                    Alert alert = firing(a);
                    if (alert != null) {
                        active.put(a.path("fingerprint").asText(), alert);
                    }
                }
            }
            return new Listed(silenced, active);
        }
    }

    /**
     * The decision of one read of Alertmanager's alerts, a function without effects: an acknowledged
     * alert still listed is extended when its silence ends within half of {@code silenceMs}; one not
     * listed on two reads in a row (this one and {@code absentOnce}) resolved; a delivered alert that is
     * acknowledged, or that Alertmanager listed as silenced, and is not listed on two reads gets opshub's
     * own RESOLVED; an alert opshub resolved itself that is active again fires again.
     *
     * @param listed     this read
     * @param held       the acknowledgements, the alerts resolved by opshub and the firing list
     * @param absentOnce fingerprints the previous read did not list
     * @param now        the read's time, epoch ms
     * @param silenceMs  {@code alertmanager.ack-silence}, ms
     */
    public static AckDecision decide(
            Listed listed, AckStore.Held held, Set<String> absentOnce, long now, long silenceMs) {
        Set<String> acked = new HashSet<>();
        List<Ack> extend = new ArrayList<>();
        List<Ack> expire = new ArrayList<>();
        Set<String> gone = new HashSet<>();
        Set<String> absentNow = new HashSet<>();
        for (Ack a : held.acks()) {
            acked.add(a.fingerprint());
            if (listed.silenced().containsKey(a.fingerprint())) {
                if (a.silenceEndsAt() - now < silenceMs / 2) {
                    extend.add(a);
                }
            } else if (absentOnce.contains(a.fingerprint())) {
                expire.add(a);
                gone.add(a.fingerprint());
            } else {
                absentNow.add(a.fingerprint());
            }
        }
        List<Alert> fired = new ArrayList<>();
        for (String fp : held.resolvedMuted()) {
            Alert alert = listed.active().get(fp);
            if (alert != null) {
                fired.add(alert);
            }
        }
        List<Alert> resolved = new ArrayList<>();
        List<String> muted = new ArrayList<>();
        for (AlertStore.FiringRow row : held.firing()) {
            String fp = row.fingerprint();
            Boolean silenced = listed.silenced().get(fp);
            if (Boolean.TRUE.equals(silenced) && !row.muted()) {
                muted.add(fp);
            }
            boolean watched = row.muted() || acked.contains(fp) || Boolean.TRUE.equals(silenced);
            if (!watched || silenced != null || row.alertJson() == null) {
                continue;
            }
            if (gone.contains(fp) || !acked.contains(fp) && absentOnce.contains(fp)) {
                Alert last = AlertmanagerPayload.fromJson(row.alertJson());
                resolved.add(new Alert(
                        Alert.RESOLVED,
                        last.labels(),
                        last.annotations(),
                        last.startsAt(),
                        Instant.ofEpochMilli(now),
                        last.generatorUrl(),
                        last.fingerprint()));
            } else {
                absentNow.add(fp);
            }
        }
        return new AckDecision(extend, expire, resolved, fired, muted, absentNow, now);
    }

    /** A {@code gettableAlert} of Alertmanager's API v2 as a firing alert, or null when it is not one. */
    private static Alert firing(JsonNode a) {
        try {
            SortedMap<String, String> labels = new TreeMap<>();
            a.path("labels")
                    .fields()
                    .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
            SortedMap<String, String> annotations = new TreeMap<>();
            a.path("annotations")
                    .fields()
                    .forEachRemaining(
                            e -> annotations.put(e.getKey(), e.getValue().asText()));
            return new Alert(
                    Alert.FIRING,
                    labels,
                    annotations,
                    OffsetDateTime.parse(a.path("startsAt").asText()).toInstant(),
                    null,
                    a.path("generatorURL").asText(""),
                    a.path("fingerprint").asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
