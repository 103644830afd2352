package org.opshub.alerts;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Parses and validates an Alertmanager webhook payload, version 4 (Alertmanager configuration
 * reference, {@code <webhook_config>}): {@code version}, {@code status}, {@code alerts[]} with
 * {@code status}, {@code labels}, {@code annotations}, {@code startsAt}, {@code endsAt},
 * {@code generatorURL}, {@code fingerprint}. Every alert of the payload is returned.
 */
public final class AlertmanagerPayload {
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(
                    StreamReadConstraints.builder().maxNestingDepth(64).build())
            .build());
    /** Alertmanager's "no end yet": {@code 0001-01-01T00:00:00Z}. */
    private static final Instant ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

    private AlertmanagerPayload() {}

    /**
     * @param body the request body (UTF-8 JSON)
     * @return the alerts, in payload order
     * @throws WebhookRejectedException (400) when the body is not JSON or not a version 4 payload;
     *                                  the message names the offending field
     */
    public static List<Alert> parse(byte[] body) {
        return parse(body, Limits.DEFAULT);
    }

    /**
     * What one alert may carry.
     *
     * @param maxValueBytes the longest label or annotation value, UTF-8 bytes
     *                      ({@code alertmanager.max-value-bytes}); a longer one is cut and ends in "…"
     * @param maxLabels     the most labels of one alert ({@code alertmanager.max-labels}); more: 400
     */
    public record Limits(int maxValueBytes, int maxLabels) {
        public static final Limits DEFAULT = new Limits(16384, 64);
    }

    /**
     * As {@link #parse(byte[])}, with the limits of one alert.
     *
     * @throws WebhookRejectedException (400) also for a NUL character in a label or annotation, and
     *                                  for more labels than {@link Limits#maxLabels}, naming the field
     */
    public static List<Alert> parse(byte[] body, Limits limits) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonParseException e) {
            throw new WebhookRejectedException(400, "body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new WebhookRejectedException(400, "body is not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new WebhookRejectedException(400, "not an Alertmanager webhook payload: expected a JSON object");
        }
        String version = text(root, "version", "");
        if (!"4".equals(version)) {
            throw new WebhookRejectedException(400, "unsupported payload: field \"version\" must be \"4\"");
        }
        JsonNode alerts = root.get("alerts");
        if (alerts == null || !alerts.isArray()) {
            throw new WebhookRejectedException(
                    400, "not an Alertmanager webhook payload: field \"alerts\" (array) is missing");
        }
        List<Alert> out = new ArrayList<>(alerts.size());
        for (int i = 0; i < alerts.size(); i++) {
            out.add(alert(alerts.get(i), "alerts[" + i + "]", limits));
        }
        return out;
    }

    /**
     * One alert as the webhook's {@code alerts[]} object (status, labels, annotations, startsAt,
     * endsAt, generatorURL, fingerprint), for the store.
     */
    public static String toJson(Alert alert) {
        ObjectNode o = JSON.createObjectNode().put("status", alert.status());
        ObjectNode labels = o.putObject("labels");
        alert.labels().forEach(labels::put);
        ObjectNode annotations = o.putObject("annotations");
        alert.annotations().forEach(annotations::put);
        o.put("startsAt", alert.startsAt().toString());
        o.put(
                "endsAt",
                alert.endsAt() == null ? ZERO_TIME.toString() : alert.endsAt().toString());
        o.put("generatorURL", alert.generatorUrl()).put("fingerprint", alert.fingerprint());
        return o.toString();
    }

    /**
     * An alert stored by {@link #toJson}.
     *
     * @throws WebhookRejectedException when the text is not such an object
     */
    public static Alert fromJson(String json) {
        try {
            return alert(JSON.readTree(json), "stored alert", new Limits(Integer.MAX_VALUE, Integer.MAX_VALUE));
        } catch (IOException e) {
            throw new WebhookRejectedException(400, "stored alert is not JSON");
        }
    }

    private static Alert alert(JsonNode a, String at, Limits limits) {
        if (!a.isObject()) {
            throw new WebhookRejectedException(400, "field \"" + at + "\" must be an object");
        }
        String status = text(a, "status", at);
        if (!Alert.FIRING.equals(status) && !Alert.RESOLVED.equals(status)) {
            throw new WebhookRejectedException(400, "field \"" + at + ".status\" must be \"firing\" or \"resolved\"");
        }
        SortedMap<String, String> labels = map(a, "labels", at, true, limits);
        SortedMap<String, String> annotations = map(a, "annotations", at, false, limits);
        if (labels.size() > limits.maxLabels()) {
            throw new WebhookRejectedException(
                    400,
                    "field \"" + at + ".labels\" has " + labels.size() + " labels, more than alertmanager.max-labels="
                            + limits.maxLabels());
        }
        Instant startsAt = time(a, "startsAt", at, true);
        Instant endsAt = time(a, "endsAt", at, false);
        if (endsAt != null && !endsAt.isAfter(ZERO_TIME)) {
            endsAt = null;
        }
        String generatorUrl =
                a.hasNonNull("generatorURL") ? a.get("generatorURL").asText() : "";
        String fingerprint =
                a.hasNonNull("fingerprint") ? a.get("fingerprint").asText().strip() : "";
        if (fingerprint.isEmpty() || fingerprint.length() > 64) {
            fingerprint = Alert.labelsHash(labels);
        }
        return new Alert(status, labels, annotations, startsAt, endsAt, generatorUrl, fingerprint);
    }

    private static String text(JsonNode node, String field, String at) {
        JsonNode v = node.get(field);
        String name = at.isEmpty() ? field : at + "." + field;
        if (v == null || v.isNull()) {
            throw new WebhookRejectedException(
                    400, "not an Alertmanager webhook payload: field \"" + name + "\" is missing");
        }
        if (!v.isTextual()) {
            throw new WebhookRejectedException(400, "field \"" + name + "\" must be a string");
        }
        return v.asText();
    }

    private static SortedMap<String, String> map(JsonNode a, String field, String at, boolean required, Limits limits) {
        JsonNode v = a.get(field);
        SortedMap<String, String> m = new TreeMap<>();
        if (v == null || v.isNull()) {
            if (required) {
                throw new WebhookRejectedException(
                        400, "not an Alertmanager webhook payload: field \"" + at + "." + field + "\" is missing");
            }
            return m;
        }
        if (!v.isObject()) {
            throw new WebhookRejectedException(400, "field \"" + at + "." + field + "\" must be an object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isValueNode()) {
                throw new WebhookRejectedException(
                        400, "field \"" + at + "." + field + "." + e.getKey() + "\" must be a string");
            }
            String name = at + "." + field + "." + abbreviate(e.getKey());
            if (e.getKey().indexOf('\u0000') >= 0 || e.getValue().asText().indexOf('\u0000') >= 0) {
                throw new WebhookRejectedException(400, "field \"" + name + "\" holds a NUL character");
            }
            if (e.getKey().getBytes(StandardCharsets.UTF_8).length > limits.maxValueBytes()) {
                throw new WebhookRejectedException(
                        400,
                        "field \"" + name + "\": the name is longer than" + " alertmanager.max-value-bytes="
                                + limits.maxValueBytes());
            }
            m.put(e.getKey(), cut(e.getValue().asText(), limits.maxValueBytes()));
        }
        return m;
    }

    /**
     * {@code value} within {@code maxBytes} UTF-8 bytes: cut at a character boundary (never inside a
     * surrogate pair) and ended with "…" when longer.
     */
    static String cut(String value, int maxBytes) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= maxBytes) {
            return value;
        }
        int budget = Math.max(0, maxBytes - 3); // "…" is 3 bytes
        int bytes = 0;
        int end = 0;
        while (end < value.length()) {
            int cp = value.codePointAt(end);
            int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + len > budget) {
                break;
            }
            bytes += len;
            end += Character.charCount(cp);
        }
        return value.substring(0, end) + "…";
    }

    private static Instant time(JsonNode a, String field, String at, boolean required) {
        JsonNode v = a.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new WebhookRejectedException(
                        400, "not an Alertmanager webhook payload: field \"" + at + "." + field + "\" is missing");
            }
            return null;
        }
        try {
            return rfc3339(v.asText());
        } catch (DateTimeParseException e) {
            throw new WebhookRejectedException(
                    400, "field \"" + at + "." + field + "\" is not an RFC 3339 time: " + abbreviate(v.asText()));
        }
    }

    /**
     * An RFC 3339 date-time ({@code 2026-03-01T10:00:00.123456789Z}, {@code …+03:00}) as an instant.
     * The form Alertmanager writes (Go's {@code time.RFC3339Nano}) is read by hand, a few times
     * faster than {@link OffsetDateTime#parse} on the webhook's path; anything else goes to it.
     *
     * @throws DateTimeParseException when the text is not an ISO-8601 offset date-time
     */
    static Instant rfc3339(String t) {
        int n = t.length();
        if (n >= 20
                && t.charAt(4) == '-'
                && t.charAt(7) == '-'
                && (t.charAt(10) == 'T' || t.charAt(10) == 't')
                && t.charAt(13) == ':'
                && t.charAt(16) == ':') {
            int year = digits(t, 0, 4);
            int month = digits(t, 5, 2);
            int day = digits(t, 8, 2);
            int hour = digits(t, 11, 2);
            int minute = digits(t, 14, 2);
            int second = digits(t, 17, 2);
            int i = 19;
            int nanos = 0;
            if (i < n && t.charAt(i) == '.') {
                int start = ++i;
                while (i < n && i - start < 9 && Character.isDigit(t.charAt(i))) {
                    nanos = nanos * 10 + (t.charAt(i++) - '0');
                }
                for (int k = i - start; k < 9; k++) {
                    nanos *= 10;
                }
                if (i == start || (i < n && Character.isDigit(t.charAt(i)))) {
                    return OffsetDateTime.parse(t).toInstant();
                }
            }
            int offsetSeconds = -1;
            if (i == n - 1 && (t.charAt(i) == 'Z' || t.charAt(i) == 'z')) {
                offsetSeconds = 0;
            } else if (i == n - 6 && (t.charAt(i) == '+' || t.charAt(i) == '-') && t.charAt(i + 3) == ':') {
                int oh = digits(t, i + 1, 2);
                int om = digits(t, i + 4, 2);
                if (oh >= 0 && om >= 0 && oh <= 18 && om < 60) {
                    offsetSeconds = (t.charAt(i) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
                }
            }
            if (year >= 0
                    && month >= 1
                    && month <= 12
                    && day >= 1
                    && hour >= 0
                    && hour <= 23
                    && minute >= 0
                    && minute <= 59
                    && second >= 0
                    && second <= 59
                    && offsetSeconds != -1
                    && day <= YearMonth.of(year, month).lengthOfMonth()) {
                long days = LocalDate.of(year, month, day).toEpochDay();
                return Instant.ofEpochSecond(
                        days * 86_400 + hour * 3600L + minute * 60L + second - offsetSeconds, nanos);
            }
        }
        return OffsetDateTime.parse(t).toInstant();
    }

    /** {@code len} ASCII digits at {@code at} as a number; -1 when one is not a digit. */
    private static int digits(String t, int at, int len) {
        int v = 0;
        for (int k = at; k < at + len; k++) {
            char ch = t.charAt(k);
            if (ch < '0' || ch > '9') {
                return -1;
            }
            v = v * 10 + (ch - '0');
        }
        return v;
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }
}
