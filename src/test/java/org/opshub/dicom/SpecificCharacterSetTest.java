package org.opshub.dicom;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** PS3.5 §6.1 and PS3.3 §C.12.1.1.2 character sets. */
class SpecificCharacterSetTest {
    private static String decode(String scs, byte[] b) {
        Attributes a =
                new Attributes().setString(Tag.SpecificCharacterSet, Vr.CS, scs).set(Tag.PatientName, Vr.PN, b);
        return a.getString(Tag.PatientName);
    }

    @Test
    void singleByteAndUtf8Sets() throws Exception {
        // ISO-8859-5 code points of "Иванов" (ISO-IR 144)
        assertEquals("Иванов", decode("ISO_IR 144", DataSetCodecTest.bytes(0xB8, 0xD2, 0xD0, 0xDD, 0xDE, 0xD2)));
        assertEquals("Müller^Jürgen", decode("ISO_IR 100", "Müller^Jürgen ".getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals("Иванов^Иван", decode("ISO_IR 192", "Иванов^Иван".getBytes(StandardCharsets.UTF_8)));
        assertEquals("Smith^John", decode("", "Smith^John".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("Smith^John", decode("ISO_IR 6", "Smith^John".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void defaultRepertoireNeverThrowsOnHighBytes() {
        assertEquals("M\uFFFDller", decode("", DataSetCodecTest.bytes('M', 0xFC, 'l', 'l', 'e', 'r')));
        assertEquals("A\uFFFD", decode("NOT A CHARSET", DataSetCodecTest.bytes('A', 0xE9)));
    }

    @Test
    void iso2022CodeExtensionsSwitchG1ByEscapeSequence() {
        // "Ivanov=Иванов" with ESC 02/13 04/12 designating ISO-IR 144 to G1 (PS3.3 Table C.12-3)
        byte[] b = DataSetCodecTest.bytes(
                'I', 'v', 'a', 'n', 'o', 'v', '=', 0x1B, 0x2D, 0x4C, 0xB8, 0xD2, 0xD0, 0xDD, 0xDE, 0xD2);
        assertEquals("Ivanov=Иванов", decode("ISO 2022 IR 6\\ISO 2022 IR 144", b));
        // first term ISO 2022 IR 100: G1 is Latin-1 from the start
        assertEquals("Jürgen", decode("ISO 2022 IR 100", DataSetCodecTest.bytes('J', 0xFC, 'r', 'g', 'e', 'n')));
    }
}
