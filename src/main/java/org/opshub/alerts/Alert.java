package org.opshub.alerts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;

/**
 * One alert of an Alertmanager webhook payload (version 4), as documented in the Alertmanager
 * configuration reference, section {@code <webhook_config>}.
 *
 * @param status       {@code firing} or {@code resolved}
 * @param labels       label name → value, sorted by name
 * @param annotations  annotation name → value, sorted by name
 * @param startsAt     when the alert started
 * @param endsAt       when it ended; {@code null} while firing (Alertmanager sends the zero time)
 * @param generatorUrl link to the rule's expression in Prometheus; may be empty
 * @param fingerprint  Alertmanager's fingerprint, or a hash of the sorted labels when absent
 */
public record Alert(
        String status,
        SortedMap<String, String> labels,
        SortedMap<String, String> annotations,
        Instant startsAt,
        Instant endsAt,
        String generatorUrl,
        String fingerprint) {

    public static final String FIRING = "firing";
    public static final String RESOLVED = "resolved";

    /**
     * The de-duplication key: fingerprint, status and start. A payload re-sent by Alertmanager,
     * or the same group from two clustered Alertmanagers, has the same keys.
     */
    public String key() {
        return fingerprint + "|" + status + "|" + startsAt;
    }

    public String alertname() {
        return labels.getOrDefault("alertname", "");
    }

    public boolean firing() {
        return FIRING.equals(status);
    }

    /** The fingerprint Alertmanager would lack: SHA-256 of the sorted labels, first 16 hex digits. */
    static String labelsHash(Map<String, String> sortedLabels) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, String> e : sortedLabels.entrySet()) {
                md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0xff);
                md.update(e.getValue().getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0xfe);
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
