package org.opshub.dicom;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decoding of text values by Specific Character Set (0008,0005), PS3.5 §6.1 and PS3.3 §C.12.1.1.2.
 *
 * <p>Supported: the default repertoire (empty value or {@code ISO_IR 6}), the single-byte
 * sets {@code ISO_IR 100, 101, 109, 110, 126, 127, 138, 144, 148, 166, 203, 13}, the
 * multi-byte {@code ISO_IR 192} (UTF-8), {@code GB18030}, {@code GBK}, and the code-extension
 * form ({@code ISO 2022 IR 6\ISO 2022 IR 144} …) for single-byte G1 sets switched by escape
 * sequences (PS3.5 §6.1.2.5, Table C.12-3). Terms this class does not know decode as the
 * default repertoire; bytes outside it become U+FFFD, never an exception.
 */
public final class SpecificCharacterSet {

    /** The default repertoire, ISO-IR 6 (PS3.5 §6.1.2.2). */
    public static final SpecificCharacterSet DEFAULT = new SpecificCharacterSet(StandardCharsets.US_ASCII, false);

    private static final Map<String, String> CHARSETS = Map.ofEntries(
            Map.entry("ISO_IR 6", "US-ASCII"), Map.entry("ISO_IR 100", "ISO-8859-1"),
            Map.entry("ISO_IR 101", "ISO-8859-2"), Map.entry("ISO_IR 109", "ISO-8859-3"),
            Map.entry("ISO_IR 110", "ISO-8859-4"), Map.entry("ISO_IR 144", "ISO-8859-5"),
            Map.entry("ISO_IR 127", "ISO-8859-6"), Map.entry("ISO_IR 126", "ISO-8859-7"),
            Map.entry("ISO_IR 138", "ISO-8859-8"), Map.entry("ISO_IR 148", "ISO-8859-9"),
            Map.entry("ISO_IR 203", "ISO-8859-15"), Map.entry("ISO_IR 166", "x-iso-8859-11"),
            Map.entry("ISO_IR 13", "JIS_X0201"), Map.entry("ISO_IR 192", "UTF-8"),
            Map.entry("GB18030", "GB18030"), Map.entry("GBK", "GBK"));

    /** Final byte of {@code ESC 02/13 F}, designating a 96-character set to G1 (PS3.3 Table C.12-3). */
    private static final Map<Character, String> G1_FINALS = Map.ofEntries(
            Map.entry('A', "ISO-8859-1"),
            Map.entry('B', "ISO-8859-2"),
            Map.entry('C', "ISO-8859-3"),
            Map.entry('D', "ISO-8859-4"),
            Map.entry('L', "ISO-8859-5"),
            Map.entry('G', "ISO-8859-6"),
            Map.entry('F', "ISO-8859-7"),
            Map.entry('H', "ISO-8859-8"),
            Map.entry('M', "ISO-8859-9"),
            Map.entry('b', "ISO-8859-15"),
            Map.entry('T', "x-iso-8859-11"));

    private static final byte ESC = 0x1B;
    private static final Logger LOG = LoggerFactory.getLogger(SpecificCharacterSet.class);
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private final Charset charset;
    private final boolean iso2022;

    private SpecificCharacterSet(Charset charset, boolean iso2022) {
        this.charset = charset;
        this.iso2022 = iso2022;
    }

    /**
     * The character set named by a (0008,0005) value.
     *
     * @param value the attribute's value, backslash-separated terms; {@code null} or empty means
     *              the default repertoire
     */
    public static SpecificCharacterSet of(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT;
        }
        String[] terms = value.split("\\\\", -1);
        boolean extensions = false;
        String first = null;
        for (String term : terms) {
            String t = term.trim();
            if (t.startsWith("ISO 2022")) {
                extensions = true;
                t = t.startsWith("ISO 2022 IR ")
                        ? "ISO_IR " + t.substring("ISO 2022 IR ".length()).trim()
                        : t;
            }
            if (first == null) {
                first = t.isEmpty() ? "ISO_IR 6" : t;
            }
        }
        String name = CHARSETS.get(first);
        if (name == null || !Charset.isSupported(name)) {
            unknown(value);
            return new SpecificCharacterSet(StandardCharsets.US_ASCII, extensions || terms.length > 1);
        }
        return new SpecificCharacterSet(Charset.forName(name), extensions || terms.length > 1);
    }

    /** One WARN per distinct unknown value (at most 100 remembered): a PACS repeats it in every answer. */
    private static void unknown(String value) {
        String shown = value.length() > 64 ? value.substring(0, 64) + "…" : value;
        if (WARNED.size() < 100 && WARNED.add(shown)) {
            LOG.warn(
                    "Unknown Specific Character Set (0008,0005) \"{}\": decoded as the default repertoire"
                            + " (bytes outside it become U+FFFD)",
                    shown.replaceAll("\\p{Cntrl}", "?"));
        }
    }

    /** Name of the Java charset used for bytes outside code extensions. */
    public String charsetName() {
        return charset.name();
    }

    /**
     * Decodes a text value.
     *
     * @param bytes value bytes, padding included (the caller trims)
     * @return the decoded characters; undecodable bytes become U+FFFD
     */
    public String decode(byte[] bytes) {
        if (!iso2022) {
            return new String(bytes, charset);
        }
        StringBuilder out = new StringBuilder(bytes.length);
        Charset initialG1 = charset == StandardCharsets.US_ASCII ? null : charset;
        Charset g1 = initialG1;
        int i = 0;
        while (i < bytes.length) {
            int b = bytes[i] & 0xFF;
            if (b == ESC) {
                if (i + 2 < bytes.length && bytes[i + 1] == 0x2D) {
                    String name = G1_FINALS.get((char) bytes[i + 2]);
                    g1 = name != null && Charset.isSupported(name) ? Charset.forName(name) : null;
                }
                // ESC 02/08 F (G0) and unknown sequences: G0 stays ASCII-compatible
                i += Math.min(3, bytes.length - i);
                continue;
            }
            if (b < 0x80) {
                char c = (char) b;
                if (c == '\\' || c == '=' || c == '\r' || c == '\n') {
                    g1 = initialG1; // PS3.5 §6.1.2.5.3: designations revert at delimiters
                }
                out.append(c);
            } else if (g1 != null) {
                out.append(new String(bytes, i, 1, g1));
            } else {
                out.append('\uFFFD');
            }
            i++;
        }
        return out.toString();
    }
}
