package org.opshub.pacs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rules of a forwarding pair: what each condition expects, and each malformed property named. */
class ForwardingRuleTest {
    static final ZoneId MOSCOW = ZoneId.of("Europe/Moscow");

    static StudyRecord study(String uid, String date, String time, String modalities, String description, Integer n) {
        return new StudyRecord(uid, date, time, "ACC" + uid, modalities, description, n, null, null);
    }

    static ForwardingRule rule(Map<String, String> props) {
        return ForwardingRule.from("pacs.forwarding.p.", k -> props.getOrDefault(k, ""), MOSCOW);
    }

    static Map<String, String> props(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put("pacs.forwarding.p." + kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void modalitiesExpectAStudyWholeOnlyAtSeriesLevelOrNotAtAll() {
        ForwardingRule ctMr = rule(props("modalities", "CT, mr"));
        assertEquals(
                ForwardingRule.Verdict.WHOLE,
                ctMr.judge(study("1", "20261207", "1000", null, null, 1), "CT\\MR", MOSCOW));
        assertEquals(
                "modalities",
                ctMr.judge(study("2", "20261207", "1000", null, null, 1), "CR", MOSCOW)
                        .excludedBy());
        ForwardingRule.Verdict mixed = ctMr.judge(study("3", "20261207", "1000", null, null, 1), "CT\\SR", MOSCOW);
        assertTrue(mixed.expected());
        assertEquals(Set.of("CT"), mixed.seriesModalities(), "only the CT series of a CT+SR study");

        ForwardingRule noSr = rule(props("exclude-modalities", "SR,KO"));
        assertEquals(
                "exclude-modalities",
                noSr.judge(study("4", "20261207", "1000", null, null, 1), "SR\\KO", MOSCOW)
                        .excludedBy());
        assertEquals(
                Set.of("MR"),
                noSr.judge(study("5", "20261207", "1000", null, null, 1), "MR\\SR", MOSCOW)
                        .seriesModalities());
        // unknown modalities: the modality conditions cannot exclude (the monitor reports rather than hides)
        assertEquals(
                ForwardingRule.Verdict.WHOLE, ctMr.judge(study("6", "20261207", "1000", null, null, 1), null, MOSCOW));
    }

    @Test
    void sinceScheduleAndDescriptionsAreJudgedInOrderAndNameTheirCondition() {
        ForwardingRule r = rule(props(
                "since", "2026-12-01T08:00",
                "schedule", "MON-FRI 08:00-20:00",
                "study-description", "(?i).*chest.*",
                "exclude-study-description", ".*RESEARCH.*"));
        // 2026-12-07 is a Monday
        assertEquals(
                "since",
                r.judge(study("1", "20261201", "075959", null, "Chest", 1), null, MOSCOW)
                        .excludedBy());
        assertEquals(
                "schedule",
                r.judge(study("2", "20261205", "120000", null, "Chest", 1), null, MOSCOW)
                        .excludedBy(),
                "Saturday");
        assertEquals(
                "schedule",
                r.judge(study("3", "20261207", "2030", null, "Chest", 1), null, MOSCOW)
                        .excludedBy());
        assertEquals(
                "study-description",
                r.judge(study("4", "20261207", "120000", null, "Knee", 1), null, MOSCOW)
                        .excludedBy());
        assertEquals(
                "exclude-study-description",
                r.judge(study("5", "20261207", "120000", null, "CHEST RESEARCH", 1), null, MOSCOW)
                        .excludedBy());
        assertTrue(r.judge(study("6", "20261207", "120000", null, "CT Chest", 1), null, MOSCOW)
                .expected());
        // anchored: "chest" alone must match the whole description
        assertEquals(
                "study-description",
                rule(props("study-description", "chest"))
                        .judge(study("7", "20261207", "1200", null, "CT chest", 1), null, MOSCOW)
                        .excludedBy());
        // since with an offset; a study without a readable date or time passes the time conditions
        ForwardingRule utc = rule(props("since", "2026-12-07T05:00Z", "schedule", "08:00-09:00"));
        assertEquals(
                "since",
                utc.judge(study("8", "20261207", "075959", null, null, 1), null, MOSCOW)
                        .excludedBy());
        assertTrue(utc.judge(study("9", "20261207", "", null, null, 1), null, MOSCOW)
                .expected());
        assertTrue(utc.judge(study("10", "", null, null, null, 1), null, MOSCOW).expected());
        assertNull(ForwardingRule.ALL
                .judge(study("11", "19990101", "0000", "CR", null, 1), "CR", MOSCOW)
                .excludedBy());
    }

    @Test
    void eachMalformedConditionStopsStartupNamingItsProperty() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("modalities", "CT,Компьютерная");
        bad.put("exclude-modalities", "THIS-IS-NOT-A-CODE");
        bad.put("study-description", "(unclosed");
        bad.put("exclude-study-description", "a{2,1}");
        bad.put("since", "yesterday");
        bad.put("schedule", "WEEKDAYS 8-20");
        List<String> messages = new ArrayList<>();
        bad.forEach((key, value) -> {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> rule(props(key, value)), key);
            assertTrue(e.getMessage().startsWith("pacs.forwarding.p." + key), e.getMessage());
            messages.add(e.getMessage());
        });
        assertEquals(6, messages.size());
    }
}
