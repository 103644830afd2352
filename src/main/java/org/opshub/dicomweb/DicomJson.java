package org.opshub.dicomweb;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;

/**
 * Reads attributes of the DICOM JSON Model (PS3.18 Annex F): an object per data set whose keys are
 * tags as eight upper-case hex digits ({@code "0020000D"}), each an object with {@code vr} and, when
 * the attribute has a value, {@code Value} (an array). Tolerant as servers are: lower-case tag keys, a
 * missing {@code vr} or {@code Value}, numbers given as strings (IS, DS) or strings given as numbers, a
 * person name as {@code {"Alphabetic": ...}} (F.2.2) or a plain string, and multiple values joined with
 * a backslash as in DIMSE.
 */
public final class DicomJson {
    private DicomJson() {}

    /** The attribute object of a tag, or a missing node. */
    private static JsonNode attribute(JsonNode dataSet, int tag) {
        String key = String.format("%08X", tag);
        JsonNode a = dataSet.get(key);
        return a != null ? a : dataSet.path(key.toLowerCase(Locale.ROOT));
    }

    /**
     * The value(s) of a tag as text: multiple values joined with a backslash, a person name by its
     * Alphabetic group (F.2.2); null when the attribute or its Value is absent or empty.
     */
    public static String string(JsonNode dataSet, int tag) {
        JsonNode value = attribute(dataSet, tag).path("Value");
        if (!value.isArray() || value.isEmpty()) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        for (JsonNode v : value) {
            if (b.length() > 0) {
                b.append('\\');
            }
            if (v.isObject()) {
                b.append(v.path("Alphabetic").asText(""));
            } else if (!v.isNull()) {
                b.append(v.asText());
            }
        }
        String s = b.toString().strip();
        return s.isEmpty() ? null : s;
    }

    /** The first value of a tag as a whole number (IS, US, UL, or a numeric string); null when absent or not a number. */
    public static Integer integer(JsonNode dataSet, int tag) {
        JsonNode value = attribute(dataSet, tag).path("Value");
        if (!value.isArray() || value.isEmpty()) {
            return null;
        }
        JsonNode v = value.get(0);
        if (v.isIntegralNumber()) {
            return v.intValue();
        }
        if (v.isNumber()) {
            return (int) v.doubleValue();
        }
        try {
            return Integer.valueOf(v.asText().strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
