package org.opshub.dicom;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Data set encoding and decoding in Implicit VR Little Endian (PS3.5 §7.1.3, §A.1) and Explicit
 * VR Little Endian (PS3.5 §7.1.2, §A.2).
 *
 * <p>Decoding keeps the top-level elements; a top-level sequence (SQ, and UN of undefined length,
 * PS3.5 §6.2.2) of defined or undefined length (§7.5) is kept as its raw value, read item by item with
 * {@link #items}, and checked on the way, nested up to {@value #MAX_DEPTH} levels. Every length is checked against the bytes present, so hostile input gives a
 * {@link DicomProtocolException}, never an out-of-bounds read or unbounded allocation.
 */
public final class DataSetCodec {

    /** Deepest sequence nesting accepted when skipping. */
    public static final int MAX_DEPTH = 32;

    private static final long UNDEFINED = 0xFFFFFFFFL;

    private DataSetCodec() {}

    /**
     * Encodes a data set. Odd-length values are padded with the VR's padding byte.
     *
     * @param explicitVr Explicit VR Little Endian when true, Implicit VR Little Endian otherwise
     * @return the encoded bytes
     * @throws IllegalArgumentException when a value exceeds 65534 bytes in a 16-bit-length VR
     */
    public static byte[] encode(Attributes attrs, boolean explicitVr) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        for (Map.Entry<Integer, Attributes.Element> en : attrs.elements().entrySet()) {
            int tag = en.getKey();
            Vr vr = en.getValue().vr();
            byte[] v = en.getValue().value();
            int len = v.length + (v.length & 1);
            writeLe16(out, tag >>> 16);
            writeLe16(out, tag & 0xFFFF);
            if (explicitVr) {
                out.write(vr.name().charAt(0));
                out.write(vr.name().charAt(1));
                if (vr.longLength) {
                    writeLe16(out, 0);
                    writeLe32(out, len);
                } else {
                    if (len > 0xFFFE) {
                        throw new IllegalArgumentException("value of " + Tag.toString(tag) + " too long for " + vr);
                    }
                    writeLe16(out, len);
                }
            } else {
                writeLe32(out, len);
            }
            out.write(v, 0, v.length);
            if ((v.length & 1) != 0) {
                out.write(vr.padding());
            }
        }
        return out.toByteArray();
    }

    /**
     * Decodes a data set.
     *
     * @param data       the encoded data set
     * @param explicitVr the transfer syntax: Explicit (true) or Implicit VR Little Endian
     * @return the top-level elements (sequences skipped)
     * @throws DicomProtocolException when a length runs past the data, a VR is unknown, an
     *                                item structure is broken or nesting exceeds {@value #MAX_DEPTH}
     */
    public static Attributes decode(byte[] data, boolean explicitVr) throws DicomProtocolException {
        Attributes attrs = new Attributes();
        new Reader(data).elements(data.length, explicitVr, 0, attrs);
        return attrs;
    }

    /**
     * Encodes items as the value of a sequence (SQ), each item of defined length (PS3.5 §7.5.1).
     *
     * @param explicitVr the transfer syntax of the data set the sequence goes into
     */
    public static byte[] sequence(List<Attributes> items, boolean explicitVr) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * items.size() + 8);
        for (Attributes item : items) {
            byte[] v = encode(item, explicitVr);
            writeLe16(out, Tag.Item >>> 16);
            writeLe16(out, Tag.Item & 0xFFFF);
            writeLe32(out, v.length);
            out.write(v, 0, v.length);
        }
        return out.toByteArray();
    }

    /**
     * The items of a sequence's value, as {@link #decode} keeps it (defined-length or undefined-length
     * items, up to a Sequence Delimitation Item or the end). Nested sequences inside an item are kept raw.
     *
     * @throws DicomProtocolException when the item structure is broken or a length runs past the value
     */
    public static List<Attributes> items(byte[] sequence, boolean explicitVr) throws DicomProtocolException {
        List<Attributes> out = new ArrayList<>();
        Reader r = new Reader(sequence);
        while (r.pos < sequence.length) {
            int tag = r.tag(sequence.length);
            long len = r.u32(sequence.length);
            if (tag == Tag.SequenceDelimitationItem) {
                break;
            }
            if (tag != Tag.Item) {
                throw new DicomProtocolException(
                        "expected item tag, found " + Tag.toString(tag) + " at offset " + (r.pos - 8));
            }
            Attributes item = new Attributes();
            if (len == UNDEFINED) {
                r.elements(sequence.length, explicitVr, 1, item);
            } else {
                if (len > sequence.length - r.pos) {
                    throw new DicomProtocolException("item length " + len + " runs past the sequence");
                }
                r.elements(r.pos + (int) len, explicitVr, 1, item);
            }
            out.add(item);
        }
        return out;
    }

    private static void writeLe16(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
    }

    private static void writeLe32(ByteArrayOutputStream out, long v) {
        writeLe16(out, (int) (v & 0xFFFF));
        writeLe16(out, (int) (v >>> 16));
    }

    /** A bounds-checked cursor over the encoded bytes. */
    private static final class Reader {
        private final byte[] b;
        private int pos;

        Reader(byte[] b) {
            this.b = b;
        }

        private void need(int n, int end) throws DicomProtocolException {
            if (n < 0 || pos + (long) n > end) {
                throw new DicomProtocolException(
                        "data set truncated at offset " + pos + ": need " + n + " bytes, " + (end - pos) + " left");
            }
        }

        private int tag(int end) throws DicomProtocolException {
            need(4, end);
            int tag = ByteCodec.u16(b, pos) << 16 | ByteCodec.u16(b, pos + 2);
            pos += 4;
            return tag;
        }

        private long u32(int end) throws DicomProtocolException {
            need(4, end);
            long v = ByteCodec.u32(b, pos);
            pos += 4;
            return v;
        }

        /**
         * Reads elements up to {@code end}; inside an undefined-length item ({@code out == null}),
         * stops after the Item Delimitation Item.
         */
        void elements(int end, boolean explicit, int depth, Attributes out) throws DicomProtocolException {
            while (pos < end) {
                int tag = tag(end);
                if (tag == Tag.ItemDelimitationItem) {
                    u32(end);
                    if (depth == 0) {
                        throw new DicomProtocolException("item delimiter outside an item at offset " + (pos - 8));
                    }
                    return;
                }
                if ((tag >>> 16) == 0xFFFE) {
                    throw new DicomProtocolException("unexpected " + Tag.toString(tag) + " at offset " + (pos - 4));
                }
                Vr vr;
                long len;
                if (explicit) {
                    need(2, end);
                    vr = Vr.of(b[pos], b[pos + 1]);
                    if (vr == null) {
                        throw new DicomProtocolException(String.format(
                                "unknown VR 0x%02X%02X of %s at offset %d",
                                b[pos], b[pos + 1], Tag.toString(tag), pos));
                    }
                    pos += 2;
                    if (vr.longLength) {
                        need(2, end);
                        pos += 2;
                        len = u32(end);
                    } else {
                        need(2, end);
                        len = ByteCodec.u16(b, pos);
                        pos += 2;
                    }
                } else {
                    vr = Tag.vrOf(tag);
                    len = u32(end);
                }
                if (len == UNDEFINED) {
                    if (vr != Vr.SQ && vr != Vr.UN && explicit) {
                        throw new DicomProtocolException("undefined length for " + vr + " " + Tag.toString(tag));
                    }
                    // PS3.5 §6.2.2: UN of undefined length holds Implicit VR Little Endian items
                    int from = pos;
                    sequence(end, explicit && vr != Vr.UN, depth + 1);
                    if (out != null && vr == Vr.SQ) {
                        out.set(tag, vr, Arrays.copyOfRange(b, from, pos));
                    }
                    continue;
                }
                if (len > end - pos) {
                    throw new DicomProtocolException("length " + len + " of " + Tag.toString(tag)
                            + " runs past the data set (" + (end - pos) + " bytes left)");
                }
                if (out != null) {
                    out.set(tag, vr, Arrays.copyOfRange(b, pos, pos + (int) len));
                }
                pos += (int) len;
            }
            if (depth > 0 && out == null) {
                throw new DicomProtocolException("item without delimiter at end of data set");
            }
        }

        /** Skips the items of an undefined-length sequence up to its Sequence Delimitation Item. */
        private void sequence(int end, boolean explicit, int depth) throws DicomProtocolException {
            if (depth > MAX_DEPTH) {
                throw new DicomProtocolException("sequences nested deeper than " + MAX_DEPTH);
            }
            while (true) {
                int tag = tag(end);
                long len = u32(end);
                if (tag == Tag.SequenceDelimitationItem) {
                    return;
                }
                if (tag != Tag.Item) {
                    throw new DicomProtocolException(
                            "expected item tag, found " + Tag.toString(tag) + " at offset " + (pos - 8));
                }
                if (len == UNDEFINED) {
                    elements(end, explicit, depth, null);
                } else {
                    if (len > end - pos) {
                        throw new DicomProtocolException("item length " + len + " runs past the data set");
                    }
                    pos += (int) len;
                }
            }
        }
    }
}
