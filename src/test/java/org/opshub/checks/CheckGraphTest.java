package org.opshub.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Who suppresses whom, without a hub: the rules of {@link CheckGraph}. */
class CheckGraphTest {
    /** uplink ← gateway ← {pacs, ris}; pacs-web ← pacs; printer stands alone. */
    private static final Map<String, List<String>> MAP = Map.of(
            "gateway", List.of("uplink"),
            "pacs", List.of("gateway"),
            "ris", List.of("gateway"),
            "pacs-web", List.of("pacs"));

    private static final Set<String> CHECKS = Set.of("uplink", "gateway", "pacs", "ris", "pacs-web", "printer");

    @Test
    void namesAreCommaOrBlankSeparatedEachOnce() {
        assertEquals(List.of("a", "b", "c"), CheckGraph.names(" a, b  c,a "));
        assertEquals(List.of(), CheckGraph.names(" "));
        assertEquals(List.of(), CheckGraph.names(null));
    }

    @Test
    void anUnknownNameOrACycleIsRefusedNamingTheCheck() {
        CheckGraph.validate(MAP, CHECKS);
        IllegalArgumentException unknown = assertThrows(
                IllegalArgumentException.class, () -> CheckGraph.validate(Map.of("pacs", List.of("gatway")), CHECKS));
        assertEquals("check pacs: dependsOn names gatway, which is not a check", unknown.getMessage());
        IllegalArgumentException cycle = assertThrows(
                IllegalArgumentException.class,
                () -> CheckGraph.validate(
                        Map.of("uplink", List.of("pacs"), "gateway", List.of("uplink"), "pacs", List.of("gateway")),
                        CHECKS));
        assertTrue(
                cycle.getMessage().matches("check (uplink|gateway|pacs): dependsOn makes a cycle: .*"),
                cycle.getMessage());
        assertTrue(cycle.getMessage().contains("uplink") && cycle.getMessage().contains("gateway"), cycle.getMessage());
        IllegalArgumentException self = assertThrows(
                IllegalArgumentException.class, () -> CheckGraph.validate(Map.of("ris", List.of("ris")), CHECKS));
        assertEquals("check ris: dependsOn names the check itself", self.getMessage());
    }

    @Test
    void theSuppressorIsTheDownCheckAtTheTopOfTheChain() {
        assertNull(CheckGraph.suppressor("pacs-web", MAP, n -> false));
        assertEquals("pacs", CheckGraph.suppressor("pacs-web", MAP, Set.of("pacs")::contains));
        // the gateway is down, and so is everything behind it: the gateway is the cause for all
        Set<String> down = Set.of("gateway", "pacs", "ris", "pacs-web");
        assertEquals("gateway", CheckGraph.suppressor("pacs-web", MAP, down::contains));
        assertEquals("gateway", CheckGraph.suppressor("pacs", MAP, down::contains));
        assertNull(CheckGraph.suppressor("gateway", MAP, down::contains), "the gateway itself notifies");
        assertEquals("uplink", CheckGraph.suppressor("pacs-web", MAP, Set.of("uplink", "gateway")::contains));
        assertNull(CheckGraph.suppressor("printer", MAP, CHECKS::contains));
        assertEquals(List.of("pacs", "gateway", "uplink"), CheckGraph.ancestors("pacs-web", MAP));
    }

    @Test
    void aDownWaitsWhileACheckItDependsOnFailsWithoutBeingDownYet() {
        assertTrue(CheckGraph.undecided("pacs", MAP, Set.of("gateway")::contains, n -> false));
        assertFalse(CheckGraph.undecided("pacs", MAP, Set.of("gateway")::contains, Set.of("gateway")::contains));
        assertFalse(CheckGraph.undecided("pacs", MAP, n -> false, n -> false));
        assertFalse(CheckGraph.undecided("printer", MAP, CHECKS::contains, n -> false));
    }
}
