package org.opshub.pacs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.opshub.dicom.Association;
import org.opshub.dicom.DicomClient;
import org.opshub.dicom.ScuSettings;
import org.opshub.dicom.TestScp;

/**
 * The cap splitting of {@link StudyFinder} against an in-test SCP that answers at most
 * {@link TestScp#CAP} matches per C-FIND: the StudyTime range is halved until each part is under
 * the cap, and every study is found once (two of them share one second).
 */
class StudyFinderTest {
    private final DicomClient client = new DicomClient(new ScuSettings(
            "OPSHUB", Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2), 65536, 1 << 20));

    @Test
    void aCappedNodeIsListedWholeBySplittingTheStudyTimeRange() throws Exception {
        try (TestScp scp = new TestScp(TestScp.Mode.CAPPED)) {
            Association as = client.openStudyRootFind(scp.node());
            StudyFinder.Listing l = new StudyFinder(client, false).list(as, "20261130", TestScp.CAP);
            as.release();
            TreeSet<String> expected = new TreeSet<>();
            for (int i = 0; i < TestScp.STUDY_TIMES.size(); i++) {
                expected.add("1.2.3." + i);
            }
            assertEquals(expected, new TreeSet<>(l.studies().keySet()), "every study once");
            assertTrue(l.queries() > 1 && l.queries() == scp.queries(), "split into " + l.queries() + " queries");
            assertEquals(false, l.truncated(), "no second holds more studies than the cap");
        }
    }

    @Test
    void aPeerThatRefusesUidListsIsAskedOneUidAtATime() throws Exception {
        try (TestScp scp = new TestScp(TestScp.Mode.FIND_NO_LISTS)) {
            Association as = client.openStudyRootFind(scp.node());
            StudyFinder.Confirmation c =
                    new StudyFinder(client, false).confirm(as, List.of("1.2.3.1", "1.2.3.5", "9.9.9"), "1.2.3.0", true);
            as.release();
            assertEquals(
                    new TreeSet<>(List.of("1.2.3.1", "1.2.3.5")),
                    new TreeSet<>(c.found().keySet()));
            assertEquals(false, c.listMatching(), "the refusal is remembered");
            assertEquals(1 + 3, c.queries(), "one refused list, then one query per UID");
            assertEquals(c.queries(), scp.queries());
        }
        try (TestScp scp = new TestScp(TestScp.Mode.FIND_NO_LISTS)) {
            Association as = client.openStudyRootFind(scp.node());
            StudyFinder.Confirmation c =
                    new StudyFinder(client, false).confirm(as, List.of("1.2.3.1", "9.9.9"), "1.2.3.0", false);
            as.release();
            assertEquals(2, c.queries(), "known to refuse lists: no list is tried");
            assertEquals(Set.of("1.2.3.1"), c.found().keySet());
        }
    }

    @Test
    void uidBatchesFitOnePduOfThePeer() {
        assertEquals(244, StudyFinder.batchSize(16_384), "(16384 - PDV header - other keys) / 65 bytes per UID");
        assertEquals(1000, StudyFinder.batchSize(0), "unlimited PDU: 1,000 UIDs, within a 64 KiB UI value");
        assertEquals(1000, StudyFinder.batchSize(1 << 20));
        assertEquals(7, StudyFinder.batchSize(1024));
    }
}
