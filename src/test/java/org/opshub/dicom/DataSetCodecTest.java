package org.opshub.dicom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PS3.5 §7.1 element encodings and §7.5 sequences, against bytes written out from the standard's tables. */
class DataSetCodecTest {

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @Test
    void explicitVrShortAndLongLengthsWithPadding() {
        Attributes a = new Attributes()
                .setString(Tag.QueryRetrieveLevel, Vr.CS, "STUDY")
                .setString(Tag.StudyInstanceUID, Vr.UI, "1.2.3");
        // (0008,0052) CS len 6 "STUDY " ; (0020,000D) UI len 6 "1.2.3\0" (PS3.5 Table 7.1-2)
        assertArrayEquals(
                bytes(
                        0x08, 0, 0x52, 0, 'C', 'S', 6, 0, 'S', 'T', 'U', 'D', 'Y', ' ', 0x20, 0, 0x0D, 0, 'U', 'I', 6,
                        0, '1', '.', '2', '.', '3', 0),
                DataSetCodec.encode(a, true));
        Attributes ut = new Attributes().setString(0x0040A160, Vr.UT, "ab");
        // UT: 2 reserved bytes then a 32-bit length (PS3.5 Table 7.1-1)
        assertArrayEquals(
                bytes(0x40, 0, 0x60, 0xA1, 'U', 'T', 0, 0, 2, 0, 0, 0, 'a', 'b'), DataSetCodec.encode(ut, true));
    }

    @Test
    void implicitVrUsesA32BitLengthAndTheDictionaryForDecoding() throws Exception {
        byte[] enc =
                DataSetCodec.encode(new Attributes().setString(Tag.NumberOfStudyRelatedInstances, Vr.IS, "12"), false);
        assertArrayEquals(bytes(0x20, 0, 0x08, 0x12, 2, 0, 0, 0, '1', '2'), enc);
        Attributes back = DataSetCodec.decode(enc, false);
        assertEquals(Vr.IS, back.get(Tag.NumberOfStudyRelatedInstances).vr());
        assertEquals(12L, back.getLong(Tag.NumberOfStudyRelatedInstances));
    }

    @Test
    void sequencesOfDefinedAndUndefinedLengthAreKeptWholeAndReadItemByItem() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(bytes(0x08, 0, 0x20, 0, 'D', 'A', 8, 0));
        b.writeBytes("20261121".getBytes());
        // (0008,1110) SQ undefined length: item undefined length with a nested undefined SQ, then delimiters
        b.writeBytes(bytes(0x08, 0, 0x10, 0x11, 'S', 'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF));
        b.writeBytes(bytes(0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF));
        b.writeBytes(bytes(0x08, 0, 0x50, 0, 'S', 'H', 2, 0, 'X', 'Y'));
        b.writeBytes(bytes(0x08, 0, 0x15, 0x11, 'S', 'Q', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF));
        b.writeBytes(bytes(0xFE, 0xFF, 0x00, 0xE0, 4, 0, 0, 0, 1, 2, 3, 4)); // defined-length item
        b.writeBytes(bytes(0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0));
        b.writeBytes(bytes(0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0));
        b.writeBytes(bytes(0xFE, 0xFF, 0xDD, 0xE0, 0, 0, 0, 0));
        // (0008,1111) SQ defined length 8: one empty item
        b.writeBytes(bytes(0x08, 0, 0x11, 0x11, 'S', 'Q', 0, 0, 8, 0, 0, 0, 0xFE, 0xFF, 0x00, 0xE0, 0, 0, 0, 0));
        b.writeBytes(bytes(0x20, 0, 0x0D, 0, 'U', 'I', 4, 0, '1', '.', '2', 0));
        Attributes a = DataSetCodec.decode(b.toByteArray(), true);
        assertEquals("20261121", a.getString(Tag.StudyDate));
        assertEquals("1.2", a.getString(Tag.StudyInstanceUID));
        assertNull(a.get(Tag.AccessionNumber), "elements inside items are not top-level");
        assertEquals(4, a.size(), "the two sequences are kept as their raw values");
        List<Attributes> undefined = DataSetCodec.items(a.get(0x00081110).value(), true);
        assertEquals(1, undefined.size());
        assertEquals(
                "XY", undefined.get(0).getString(Tag.AccessionNumber), "an item's elements, read from the sequence");
        assertEquals(1, DataSetCodec.items(a.get(0x00081111).value(), true).size(), "one empty item");
        assertEquals(
                0, DataSetCodec.items(a.get(0x00081111).value(), true).get(0).size());
    }

    @Test
    void hostileLengthsAndNestingAreProtocolErrors() {
        byte[] pastEnd = bytes(0x08, 0, 0x50, 0, 'S', 'H', 0x10, 0, 'A');
        assertTrue(assertThrows(DicomProtocolException.class, () -> DataSetCodec.decode(pastEnd, true))
                .getMessage()
                .contains("runs past the data set"));
        byte[] hugeImplicit = bytes(0x08, 0, 0x50, 0, 0xF0, 0xFF, 0xFF, 0x7F);
        assertThrows(DicomProtocolException.class, () -> DataSetCodec.decode(hugeImplicit, false));
        assertThrows(
                DicomProtocolException.class, () -> DataSetCodec.decode(bytes(0x08, 0, 0x50, 0, 'Z', 'Z', 0, 0), true));
        ByteArrayOutputStream deep = new ByteArrayOutputStream();
        for (int i = 0; i < 40; i++) {
            deep.writeBytes(
                    bytes(0x08, 0, 0x10, 0x11, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF));
        }
        assertTrue(assertThrows(DicomProtocolException.class, () -> DataSetCodec.decode(deep.toByteArray(), false))
                .getMessage()
                .contains("nested deeper"));
        byte[] truncatedItem = bytes(0x08, 0, 0x10, 0x11, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0x00, 0xE0);
        assertThrows(DicomProtocolException.class, () -> DataSetCodec.decode(truncatedItem, false));
    }
}
