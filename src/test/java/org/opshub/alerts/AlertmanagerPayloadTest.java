package org.opshub.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

class AlertmanagerPayloadTest {
    static byte[] sample(String name) throws Exception {
        try (InputStream in = AlertmanagerPayloadTest.class.getResourceAsStream("/alertmanager/" + name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void everyAlertOfAGroupIsRead() throws Exception {
        List<Alert> alerts = AlertmanagerPayload.parse(sample("grouped-synthetic.json"));
        assertEquals(2, alerts.size());
        assertEquals("archive", alerts.get(0).labels().get("pacs"));
        assertEquals("storage", alerts.get(1).labels().get("pacs"));
        assertEquals(
                "a1b2c3d4e5f60718|firing|2026-11-21T08:00:00Z", alerts.get(0).key());
        assertNull(alerts.get(0).endsAt(), "zero time means no end");
    }

    @Test
    void aResolvedRealPayloadKeepsItsEnd() throws Exception {
        Alert a = AlertmanagerPayload.parse(sample("resolved-real-0.25.json")).get(0);
        assertEquals("resolved", a.status());
        assertEquals(Instant.parse("2026-11-21T02:23:14.482Z"), a.startsAt());
        assertEquals("3453d209d460a594", a.fingerprint());
        assertEquals("3 studies not sent to DST", a.annotations().get("summary"));
    }

    @Test
    void withoutFingerprintTheKeyHashesTheSortedLabels() {
        String a = "{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"b\":\"2\",\"a\":\"1\"},"
                + "\"startsAt\":\"2026-11-21T08:00:00+03:00\"}]}";
        String b = "{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"a\":\"1\",\"b\":\"2\"},"
                + "\"startsAt\":\"2026-11-21T05:00:00Z\",\"fingerprint\":\"\"}]}";
        assertEquals(
                AlertmanagerPayload.parse(a.getBytes(StandardCharsets.UTF_8))
                        .get(0)
                        .key(),
                AlertmanagerPayload.parse(b.getBytes(StandardCharsets.UTF_8))
                        .get(0)
                        .key());
    }

    @Test
    void errorsNameTheField() {
        assertEquals(
                "field \"alerts[0].status\" must be \"firing\" or \"resolved\"",
                reject(
                        "{\"version\":\"4\",\"alerts\":[{\"status\":\"odd\",\"labels\":{},\"startsAt\":\"2026-11-21T05:00:00Z\"}]}"));
        assertEquals(
                "field \"alerts[0].startsAt\" is not an RFC 3339 time: yesterday",
                reject(
                        "{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"labels\":{},\"startsAt\":\"yesterday\"}]}"));
        assertEquals(
                "field \"alerts[0].labels.x\" must be a string",
                reject(
                        "{\"version\":\"4\",\"alerts\":[{\"status\":\"firing\",\"labels\":{\"x\":[1]},\"startsAt\":\"2026-11-21T05:00:00Z\"}]}"));
        assertEquals("not an Alertmanager webhook payload: field \"version\" is missing", reject("{\"alerts\":[]}"));
        assertEquals(
                "unsupported payload: field \"version\" must be \"4\"", reject("{\"version\":\"3\",\"alerts\":[]}"));
        assertEquals("not an Alertmanager webhook payload: expected a JSON object", reject("[1,2]"));
        assertEquals(
                400,
                assertThrows(
                                WebhookRejectedException.class,
                                () -> AlertmanagerPayload.parse(
                                        "[".repeat(100_000).getBytes()))
                        .status());
    }

    private static String reject(String body) {
        WebhookRejectedException e = assertThrows(
                WebhookRejectedException.class, () -> AlertmanagerPayload.parse(body.getBytes(StandardCharsets.UTF_8)));
        assertEquals(400, e.status());
        return e.getMessage();
    }

    private static byte[] oneAlert(String labels, String annotations) {
        return ("{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[{\"status\":\"firing\",\"labels\":" + labels
                        + ",\"annotations\":" + annotations + ",\"startsAt\":\"2026-12-07T03:00:00Z\"}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void longValuesAreCutToTheByteCapWithAnEllipsis() {
        String big = "я".repeat(500_000); // 2 bytes a character: a 1 MB label
        Alert a = AlertmanagerPayload.parse(
                        oneAlert(
                                "{\"alertname\":\"Big\",\"blob\":\"" + big + "\"}",
                                "{\"summary\":\"" + "x".repeat(10_000) + "\"}"),
                        new AlertmanagerPayload.Limits(4096, 64))
                .get(0);
        assertTrue(a.labels().get("blob").getBytes(StandardCharsets.UTF_8).length <= 4096);
        assertTrue(a.labels().get("blob").endsWith("…"));
        assertTrue(a.labels().get("blob").startsWith("яяя"));
        assertEquals(4096, a.annotations().get("summary").getBytes(StandardCharsets.UTF_8).length);
        assertEquals("Big", a.labels().get("alertname"));
    }

    @Test
    void nulAndTooManyLabelsAreRefusedNamingTheField() {
        WebhookRejectedException e = Assertions.assertThrows(
                WebhookRejectedException.class,
                () -> AlertmanagerPayload.parse(oneAlert("{\"alertname\":\"A\\u0000B\"}", "{}")));
        assertEquals(400, e.status());
        assertTrue(
                e.getMessage().contains("alerts[0].labels.alertname")
                        && e.getMessage().contains("NUL"),
                e.getMessage());
        e = Assertions.assertThrows(
                WebhookRejectedException.class,
                () -> AlertmanagerPayload.parse(oneAlert("{\"alertname\":\"A\"}", "{\"de\\u0000sc\":\"x\"}")));
        assertTrue(e.getMessage().contains("alerts[0].annotations.de"), e.getMessage());
        StringBuilder many = new StringBuilder("{\"alertname\":\"A\"");
        for (int i = 0; i < 70; i++) {
            many.append(",\"l").append(i).append("\":\"v\"");
        }
        e = Assertions.assertThrows(
                WebhookRejectedException.class,
                () -> AlertmanagerPayload.parse(oneAlert(many + "}", "{}"), new AlertmanagerPayload.Limits(4096, 64)));
        assertTrue(
                e.getMessage().contains("alerts[0].labels") && e.getMessage().contains("alertmanager.max-labels=64"),
                e.getMessage());
    }

    @Test
    void rfc3339TimesAreReadAsJavaReadsThem() {
        for (String t : List.of(
                "2026-11-21T02:23:14.482Z",
                "0001-01-01T00:00:00Z",
                "2026-03-01T10:00:00.123456789Z",
                "2026-03-01T10:00:00+03:00",
                "2026-03-01T10:00:00.5-05:30",
                "2024-02-29T23:59:59z",
                "2026-12-31t00:00:00Z",
                "2026-03-01T10:00:00.1234567890Z".substring(0, 29) + "Z")) {
            assertEquals(OffsetDateTime.parse(t).toInstant(), AlertmanagerPayload.rfc3339(t), t);
        }
        for (String bad : List.of(
                "2026-02-30T10:00:00Z",
                "2026-13-01T10:00:00Z",
                "2026-03-01T24:00:00Z",
                "2026-03-01T10:00:00",
                "2026-03-01T10:00:00.1234567891Z",
                "2026-03-01 10:00:00Z",
                "2026-03-01T10:00:00+3:00",
                "yesterday")) {
            assertThrows(DateTimeParseException.class, () -> AlertmanagerPayload.rfc3339(bad), bad);
        }
    }
}
