package org.opshub.dicom;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * A flat DICOM data set (PS3.5 §7): the top-level elements in tag order, values kept as encoded
 * bytes. Sequences are not kept (the query identifiers and responses this SCU handles need none).
 *
 * <p>Not thread-safe.
 */
public final class Attributes {

    /** One element: its VR and raw little-endian value, padding included. */
    public record Element(Vr vr, byte[] value) {}

    private final TreeMap<Integer, Element> elements = new TreeMap<>(Integer::compareUnsigned);

    /** Sets a raw element, replacing any with the same tag. */
    public Attributes set(int tag, Vr vr, byte[] value) {
        elements.put(tag, new Element(vr, value));
        return this;
    }

    /**
     * Sets a string value, encoded in the default repertoire (ASCII), or UTF-8 for text VRs.
     * Padding to even length is added by the writer.
     *
     * @param value the value; {@code null} or empty gives a zero-length (universal matching) key
     */
    public Attributes setString(int tag, Vr vr, String value) {
        byte[] bytes = value == null
                ? new byte[0]
                : value.getBytes(vr.text ? StandardCharsets.UTF_8 : StandardCharsets.US_ASCII);
        return set(tag, vr, bytes);
    }

    /** Sets a US (unsigned 16-bit) value. */
    public Attributes setUnsignedShort(int tag, int value) {
        return set(tag, Vr.US, new byte[] {(byte) value, (byte) (value >>> 8)});
    }

    public boolean contains(int tag) {
        return elements.containsKey(tag);
    }

    /** The element, or {@code null}. */
    public Element get(int tag) {
        return elements.get(tag);
    }

    /** All elements in ascending tag order (read-only view). */
    public Map<Integer, Element> elements() {
        return Collections.unmodifiableMap(elements);
    }

    public int size() {
        return elements.size();
    }

    /** This data set's character set, from (0008,0005). */
    public SpecificCharacterSet characterSet() {
        Element e = elements.get(Tag.SpecificCharacterSet);
        return e == null
                ? SpecificCharacterSet.DEFAULT
                : SpecificCharacterSet.of(new String(e.value(), StandardCharsets.US_ASCII).trim());
    }

    /**
     * A string value: text VRs decoded by this data set's Specific Character Set, others as
     * the default repertoire; trailing padding (spaces and NULs) and leading spaces removed.
     *
     * @return the value ({@code ""} when zero-length), or {@code null} when absent
     */
    public String getString(int tag) {
        Element e = elements.get(tag);
        if (e == null) {
            return null;
        }
        String s = e.vr().text ? characterSet().decode(e.value()) : new String(e.value(), StandardCharsets.US_ASCII);
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\0')) {
            end--;
        }
        int start = 0;
        while (start < end && s.charAt(start) == ' ') {
            start++;
        }
        return s.substring(start, end);
    }

    /**
     * An integer value: US, UL, SS, SL as binary; IS as a decimal string.
     *
     * @return the value, or {@code null} when absent, empty or not a number
     */
    public Long getLong(int tag) {
        Element e = elements.get(tag);
        if (e == null) {
            return null;
        }
        byte[] v = e.value();
        switch (e.vr()) {
            case US:
                return v.length >= 2 ? (long) ((v[0] & 0xFF) | (v[1] & 0xFF) << 8) : null;
            case SS:
                return v.length >= 2 ? (long) (short) ((v[0] & 0xFF) | (v[1] & 0xFF) << 8) : null;
            case UL:
                return v.length >= 4 ? ByteCodec.u32(v, 0) : null;
            case SL:
                return v.length >= 4 ? (long) (int) ByteCodec.u32(v, 0) : null;
            default:
                String s = getString(tag);
                if (s == null || s.isEmpty()) {
                    return null;
                }
                try {
                    return Long.parseLong(s.startsWith("+") ? s.substring(1) : s);
                } catch (NumberFormatException ex) {
                    return null;
                }
        }
    }

    /** {@link #getLong} as an int with a default for absent or unparsable values. */
    public int getInt(int tag, int defaultValue) {
        Long v = getLong(tag);
        return v == null ? defaultValue : v.intValue();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Attributes[");
        elements.forEach((t, e) -> sb.append(Tag.toString(t))
                .append(' ')
                .append(e.vr())
                .append(" #")
                .append(e.value().length)
                .append(' '));
        return sb.append(']').toString();
    }
}
