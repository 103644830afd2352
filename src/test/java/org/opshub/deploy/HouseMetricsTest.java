package org.opshub.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The house figures already met stay met (scripts/house-metrics.sh prints them all). */
class HouseMetricsTest {
    private final HouseMetrics.Figures figures = HouseMetrics.measure(Path.of("."));

    @Test
    void noTimeoutOrSizeLiteralStandsInARoute() {
        assertEquals(List.of(), figures.routeLiterals(), "each HTTP call's timeout and answer cap is a property");
    }

    @Test
    void noPublicBeanMethodTakesCamelsExchange() {
        assertEquals(List.of(), figures.exchangeMethods(), "beans take named arguments from the routes");
    }

    @Test
    void everySqlStringStandsInAStore() {
        assertEquals(List.of(), figures.sqlOutsideStores(), "SQL belongs to the *Store classes");
    }

    @Test
    void noClassOutsideTheDicomPackageIsOver400Lines() {
        assertEquals(List.of(), figures.longClasses(), "split by what each part does");
    }

    @Test
    void everyRouteFileHasARouteTest() {
        assertEquals(
                List.of(), figures.routeFilesWithoutTest(), "a test under src/test/java/org/opshub/routes names it");
    }

    @Test
    void beanExpressionsAreFew() {
        assertTrue(figures.beanExpressions() <= 3, "${bean:...} in routes: " + figures.beanExpressions());
    }

    @Test
    void theSharedErrorAnswerIsWrittenOnce() throws Exception {
        int copies = 0;
        try (var files = Files.list(Path.of("routes"))) {
            for (Path f : files.toList()) {
                String text = Files.readString(f);
                copies += text.split("internal error; the cause is in the hub log", -1).length - 1;
            }
        }
        assertEquals(1, copies, "the JSON 500 answer stands in routeConfiguration http-answers only");
    }

    @Test
    void theFiguresAreMeasured() {
        assertTrue(figures.steps() > 100, "route steps are counted: " + figures.steps());
        assertTrue(figures.plumbing() > 0 && figures.beans() > 0, figures.toString());
    }
}
