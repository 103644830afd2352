package org.opshub.alerts;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SubscriptionPatternTest {
    static Alert alert(String name, String... labels) {
        TreeMap<String, String> l = new TreeMap<>(Map.of("alertname", name));
        for (int i = 0; i + 1 < labels.length; i += 2) {
            l.put(labels[i], labels[i + 1]);
        }
        return new Alert("firing", l, new TreeMap<>(), Instant.EPOCH, null, "", "f");
    }

    @Test
    void aRegexIsFoundInTheAlertnameCaseInsensitively() {
        SubscriptionPattern p = SubscriptionPattern.parse("pacs");
        assertTrue(p.matches(alert("PacsDown")));
        assertTrue(p.matches(alert("StudiesNotSentToPACS")));
        assertFalse(p.matches(alert("DiskFull")));
        assertTrue(SubscriptionPattern.parse("^disk").matches(alert("DiskFull")));
        assertFalse(SubscriptionPattern.parse("^full").matches(alert("DiskFull")));
    }

    @Test
    void labelEqualsRegexMatchesThatLabelOnly() {
        SubscriptionPattern p = SubscriptionPattern.parse("pacs=archive.*");
        assertTrue(p.matches(alert("PacsDown", "pacs", "Archive-2")));
        assertFalse(p.matches(alert("PacsDown", "pacs", "storage")));
        assertFalse(p.matches(alert("archive")), "no such label");
        assertTrue(SubscriptionPattern.parse("severity=^critical$").matches(alert("X", "severity", "CRITICAL")));
    }

    @Test
    void starAndAllMatchEverything() {
        assertTrue(SubscriptionPattern.parse("*").matches(alert("anything")));
        assertTrue(SubscriptionPattern.parse("ALL").matches(alert("")));
    }

    @Test
    void invalidPatternsAreRefusedWithTheParsersMessage() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> SubscriptionPattern.parse("a(b"));
        assertTrue(e.getMessage().contains("missing closing )"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SubscriptionPattern.parse("   "));
        assertThrows(IllegalArgumentException.class, () -> SubscriptionPattern.parse("x".repeat(501)));
        e = assertThrows(IllegalArgumentException.class, () -> SubscriptionPattern.parse("(a)\\1"));
        assertTrue(e.getMessage().contains("invalid escape"), e.getMessage());
    }

    @Test
    void aCatastrophicBacktrackingPatternStaysLinear() {
        // (a+)+$ against "aaaa…b" takes exponential time in backtracking engines; RE2 answers at once
        SubscriptionPattern p = SubscriptionPattern.parse("(a+)+$");
        assertFalse(p.matches(alert("a".repeat(10_000) + "b")));
    }
}
