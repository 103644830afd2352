package org.opshub.pacs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
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
    private final DicomClient client = new DicomClient(new ScuSettings("OPSHUB", Duration.ofSeconds(2),
            Duration.ofSeconds(2), Duration.ofSeconds(2), 65536, 1 << 20));

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
}
