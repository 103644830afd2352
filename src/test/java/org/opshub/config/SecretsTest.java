package org.opshub.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one masking function: what it hides, what it leaves, and one log record as one line. */
class SecretsTest {
    @AfterEach
    void forget() {
        Secrets.clear();
    }

    @Test
    void masksTokensCredentialsUserInfoAndSecretParameters() {
        String bot = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
        assertEquals(
                "GET /bot***/sendMessage answered 404", Secrets.mask("GET /bot" + bot + "/sendMessage answered 404"));
        assertEquals("Authorization: Bearer ***", Secrets.mask("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.x"));
        assertEquals("Authorization: Basic ***", Secrets.mask("Authorization: Basic b3BzOnMzY3JldA=="));
        assertEquals(
                "proxy http://***@proxy:3128 refused", Secrets.mask("proxy http://ops:hunter2@proxy:3128 refused"));
        assertEquals("/render?panelId=2&api_key=***&x=1", Secrets.mask("/render?panelId=2&api_key=abcdef123&x=1"));
        assertEquals(
                "{\"password\":\"***\",\"user\":\"ops\"}", Secrets.mask("{\"password\":\"hunter2\",\"user\":\"ops\"}"));
        assertEquals("telegram.token=*** is wrong", Secrets.mask("telegram.token=abc:def is wrong"));
    }

    @Test
    void registeredValuesAreMaskedWherever() {
        Secrets.register(List.of("s3cret-Webhook_token", "x", ""));
        assertEquals("header *** echoed", Secrets.mask("header s3cret-Webhook_token echoed"));
        assertEquals("x marks", Secrets.mask("x marks"), "values shorter than 4 characters are not registered");
    }

    @Test
    void ordinaryTextStaysAsItIs() {
        for (String s : List.of(
                "StudiesNotForwarded on pair main: 4 studies",
                "Basic realm=\"opshub\"",
                "1.2.840.10008.5.1.4.1.2.2.1",
                "disk 91 % used",
                "a token of thanks")) {
            assertEquals(s, Secrets.mask(s));
        }
    }

    @Test
    void forLogKeepsOneRecordOnOneLineAndNeutralisesBidiControls() {
        String forged = "disk full\n2026-12-07T04:00:00Z INFO  [main] org.opshub - all fine\u202e";
        String line = Secrets.forLog(forged);
        assertFalse(line.contains("\n"), line);
        assertTrue(line.contains("\\n2026-12-07"), line);
        assertTrue(line.endsWith("\\u202e"), line);
        assertEquals("tab\\there", Secrets.forLog("tab\there"));
    }

    @Test
    void excerptsCutLongBodies() {
        String body = "x".repeat(5000);
        String e = Secrets.excerpt(body);
        assertTrue(e.length() < 400, e);
        assertTrue(e.endsWith("… (5000 characters)"), e);
        assertEquals("short", Secrets.excerpt("short"));
    }
}
