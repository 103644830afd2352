package org.opshub.dicomweb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.opshub.dicom.Tag;

/** The DICOM JSON Model (PS3.18 Annex F) as QIDO-RS servers send it, the standard's examples first. */
class DicomJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** PS3.18 §F.4 (the example of a QIDO-RS study result), abridged to the attributes opshub reads. */
    private static final String STANDARD_EXAMPLE = """
            [{
              "00080005": {"vr": "CS", "Value": ["ISO_IR 192"]},
              "00080020": {"vr": "DA", "Value": ["20130409"]},
              "00080030": {"vr": "TM", "Value": ["131600.0000"]},
              "00080050": {"vr": "SH", "Value": ["11235813"]},
              "00080061": {"vr": "CS", "Value": ["CT", "PET"]},
              "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Wang^XiaoDong=王^小東", "Ideographic": "王^小東"}]},
              "00100020": {"vr": "LO", "Value": ["12345678"]},
              "0020000D": {"vr": "UI", "Value": ["1.2.392.200036.9116.2.2.2.1762893313.1029997326.945873"]},
              "00201206": {"vr": "IS", "Value": [4]},
              "00201208": {"vr": "IS", "Value": [942]}
            }]""";

    @Test
    void theStandardsStudyResultReadsAsTheCFindAnswerWould() throws Exception {
        JsonNode study = JSON.readTree(STANDARD_EXAMPLE).get(0);
        assertEquals(
                "1.2.392.200036.9116.2.2.2.1762893313.1029997326.945873",
                DicomJson.string(study, Tag.StudyInstanceUID));
        assertEquals("20130409", DicomJson.string(study, Tag.StudyDate));
        assertEquals("131600.0000", DicomJson.string(study, Tag.StudyTime));
        assertEquals("CT\\PET", DicomJson.string(study, Tag.ModalitiesInStudy), "multiple values as DIMSE gives them");
        assertEquals(
                "Wang^XiaoDong=王^小東", DicomJson.string(study, Tag.PatientName), "PN by its Alphabetic group (F.2.2)");
        assertEquals(942, DicomJson.integer(study, Tag.NumberOfStudyRelatedInstances));
        assertEquals(4, DicomJson.integer(study, Tag.NumberOfStudyRelatedSeries));
    }

    @Test
    void serversThatBendTheModelAreReadToo() throws Exception {
        JsonNode a = JSON.readTree("""
                {"0020000d": {"vr": "UI", "Value": ["1.2.3"]},
                 "00201208": {"vr": "IS", "Value": ["17"]},
                 "00201209": {"Value": [" 5 "]},
                 "00200011": {"vr": "IS", "Value": [3.0]},
                 "00100010": {"vr": "PN", "Value": ["Doe^John"]},
                 "00080050": {"vr": "SH"},
                 "00080061": {"vr": "CS", "Value": []},
                 "00080020": {"vr": "DA", "Value": [null]},
                 "00201206": {"vr": "IS", "Value": ["many"]}}""");
        assertEquals("1.2.3", DicomJson.string(a, Tag.StudyInstanceUID), "lower-case tag key");
        assertEquals(17, DicomJson.integer(a, Tag.NumberOfStudyRelatedInstances), "IS as a string");
        assertEquals(5, DicomJson.integer(a, Tag.NumberOfSeriesRelatedInstances), "no vr, padded string");
        assertEquals(3, DicomJson.integer(a, Tag.SeriesNumber), "a decimal number");
        assertEquals("Doe^John", DicomJson.string(a, Tag.PatientName), "PN as a plain string");
        assertNull(DicomJson.string(a, Tag.AccessionNumber), "no Value: empty");
        assertNull(DicomJson.string(a, Tag.ModalitiesInStudy), "empty Value");
        assertNull(DicomJson.string(a, Tag.StudyDate), "null value");
        assertNull(DicomJson.integer(a, Tag.NumberOfStudyRelatedSeries), "not a number");
        assertNull(DicomJson.string(a, Tag.StudyTime), "absent attribute");
        assertNull(DicomJson.integer(a, Tag.PatientID));
    }
}
