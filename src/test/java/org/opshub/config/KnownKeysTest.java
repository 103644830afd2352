package org.opshub.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Unknown keys under opshub's prefixes are refused with the nearest known key; other keys pass. */
class KnownKeysTest {
    private final KnownKeys known = new KnownKeys(
            Set.of("alertmanager.bearer-token", "telegram.token", "state.directory"),
            Map.of("pacs.nodes.", List.of("host", "port", "tls", "ae-title")));

    @Test
    void knownFamilyAndForeignKeysPass() {
        assertNull(known.problem("telegram.token"));
        assertNull(known.problem("pacs.nodes.archive.ae-title"));
        assertNull(known.problem("camel.server.port"));
        assertNull(known.problem("java.home"));
        assertNull(known.problem("opshub.log.level"));
    }

    @Test
    void typosNameTheNearestKey() {
        assertEquals(
                "unknown key (did you mean alertmanager.bearer-token?)", known.problem("alertmanager.bearer_token"));
        assertEquals("unknown key (did you mean pacs.nodes.src.host?)", known.problem("pacs.nodes.src.hots"));
        assertEquals("unknown key (did you mean pacs.nodes.x.tls?)", known.problem("pacs.nodes.x.tsl"));
        ConfigException e =
                assertThrows(ConfigException.class, () -> known.check(List.of("state.directory", "state.dirctory")));
        assertEquals("state.dirctory", e.key());
        assertTrue(e.getMessage().contains("state.directory"), e.getMessage());
    }

    @Test
    void theShippedDefaultsAreKnownToThemselves() {
        Set<String> shipped = KnownKeys.of("application.properties");
        assertTrue(
                shipped.contains("telegram.token") && shipped.contains("opshub.http-idle-timeout"), shipped.toString());
        new KnownKeys(shipped, Map.of()).check(shipped);
    }

    @Test
    void levenshteinDistance() {
        assertEquals(0, KnownKeys.distance("host", "host"));
        assertEquals(2, KnownKeys.distance("hots", "host"));
        assertEquals(1, KnownKeys.distance("bearer_token", "bearer-token"));
    }
}
