package dev.ingot.runtime.io;

import dev.ingot.runtime.tensor.Tensor;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the safetensors format (PyTorch / Hugging Face): an 8-byte little-endian
 * header length N, N bytes of JSON header {@code {"__metadata__": {"k": "v"}, "name": {"dtype":
 * "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...}} padded with spaces to a multiple of
 * 8, then the raw little-endian tensor data (offsets are relative to the end of the header).
 *
 * <p>Writing: F32 and I32. The output is byte-identical to the Python library's: tensors laid
 * out by dtype (F32 before I32, as its alignment order puts them), then by name; the header is
 * compact JSON with {@code __metadata__} first, then the tensors in data order, padded with spaces;
 * the data is contiguous. Files are written atomically ({@link AtomicFile}).
 *
 * <p>NOTE: the reader is more lenient than the Python one, which also rejects gaps between tensors
 * and bytes after the last one; such files are still read here.
 *
 * <p>Reading: F32, F64, F16 and BF16 read as floats; I32, I64 (range-checked), I16, I8, U8 and
 * BOOL read as ints. Everything is validated up front — header length against the file size,
 * JSON syntax, dtypes, shapes, offsets in range and non-overlapping, shape × dtype size equal to
 * the byte length — and a problem raises a {@link DataFormatException} naming the file.
 */
public final class SafeTensors {
    private SafeTensors() {}

    /** Largest header accepted (the Python library's limit). */
    public static final long MAX_HEADER = 100L << 20;
    private static final int CHUNK = 1 << 20;
    private static final String METADATA = "__metadata__";
    /** The dtypes in the order of the reference implementation's {@code Dtype} enum (increasing alignment);
     *  it writes tensors by this order, descending, then by name. */
    private static final List<String> DTYPE_ORDER = List.of(
            "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64");
    /** Bytes per element of every dtype the format defines. */
    private static final Map<String, Integer> DTYPE_SIZE = Map.ofEntries(
            Map.entry("F64", 8), Map.entry("F32", 4), Map.entry("F16", 2), Map.entry("BF16", 2),
            Map.entry("I64", 8), Map.entry("I32", 4), Map.entry("I16", 2), Map.entry("I8", 1),
            Map.entry("U64", 8), Map.entry("U32", 4), Map.entry("U16", 2), Map.entry("U8", 1),
            Map.entry("BOOL", 1), Map.entry("F8_E4M3", 1), Map.entry("F8_E5M2", 1));

    /** A tensor to write, or one read by {@link #read(Path)}: dtype {@code F32} with {@code f32} data or {@code I32} with {@code i32}. */
    public record Entry(String name, String dtype, int[] shape, float[] f32, int[] i32) {
        public Entry {
            shape = shape.clone();
            if (name == null || name.isEmpty() || name.equals(METADATA)) throw new IllegalArgumentException("invalid tensor name '" + name + "'");
            boolean ok = dtype.equals("F32") ? f32 != null && i32 == null : dtype.equals("I32") && i32 != null && f32 == null;
            if (!ok) throw new IllegalArgumentException("tensor '" + name + "': dtype must be F32 with float data or I32 with int data");
            int length = f32 != null ? f32.length : i32.length;
            if (Tensor.numel(shape) != length) {
                throw new IllegalArgumentException("tensor '" + name + "': shape " + Tensor.shapeString(shape) + " needs "
                        + Tensor.numel(shape) + " values, got " + length);
            }
        }

        public static Entry f32(String name, int[] shape, float[] data) { return new Entry(name, "F32", shape, data, null); }

        public static Entry i32(String name, int[] shape, int[] data) { return new Entry(name, "I32", shape, null, data); }

        @Override public int[] shape() { return shape.clone(); }
    }

    /** A tensor's header entry; {@code begin}/{@code end} are relative to the start of the data. */
    public record Info(String name, String dtype, int[] shape, long begin, long end) {
        public Info { shape = shape.clone(); }

        @Override public int[] shape() { return shape.clone(); }

        public long numel() { return Tensor.numel(shape); }
    }

    /** A whole file in memory. */
    public record Contents(Map<String, Entry> tensors, Map<String, String> metadata) {}

    /** Writes {@code tensors} and {@code metadata} (may be empty) to {@code path}, atomically. */
    public static void write(Path path, Collection<Entry> tensors, Map<String, String> metadata) throws IOException {
        List<Entry> sorted = new ArrayList<>(tensors);
        sorted.sort(Comparator.comparingInt((Entry e) -> -DTYPE_ORDER.indexOf(e.dtype())).thenComparing(Entry::name));
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) header.put(METADATA, new LinkedHashMap<>(metadata));
        long offset = 0;
        for (Entry e : sorted) {
            long bytes = Tensor.numel(e.shape) * 4;
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", e.dtype());
            info.put("shape", e.shape);
            info.put("data_offsets", new long[] {offset, offset + bytes});
            if (header.put(e.name(), info) != null) throw new IllegalArgumentException("duplicate tensor name '" + e.name() + "'");
            offset += bytes;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();
        AtomicFile.write(path, ch -> {
            AtomicFile.writeFully(ch, head);
            ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (Entry e : sorted) {
                int n = e.f32 != null ? e.f32.length : e.i32.length;
                for (int done = 0; done < n; ) {
                    int k = Math.min(n - done, CHUNK / 4);
                    buf.clear();
                    if (e.f32 != null) buf.asFloatBuffer().put(e.f32, done, k);
                    else buf.asIntBuffer().put(e.i32, done, k);
                    buf.limit(4 * k);
                    AtomicFile.writeFully(ch, buf);
                    done += k;
                }
            }
        });
    }

    /** Reads a whole file: every tensor (float dtypes as F32, integer ones as I32) and the metadata. */
    public static Contents read(Path path) throws IOException {
        try (Reader r = open(path)) {
            Map<String, Entry> m = new LinkedHashMap<>();
            for (Info info : r.tensors()) {
                m.put(info.name(), isFloat(info.dtype()) ? Entry.f32(info.name(), info.shape(), r.readF32(info.name()))
                                                         : Entry.i32(info.name(), info.shape(), r.readI32(info.name())));
            }
            return new Contents(Collections.unmodifiableMap(m), r.metadata());
        }
    }

    /** Opens and validates a file; tensor data is read on demand. */
    public static Reader open(Path path) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new DataFormatException(path + ": no such file", e);
        }
        try {
            return new Reader(path, ch);
        } catch (RuntimeException | IOException e) {
            ch.close();
            throw e;
        }
    }

    /** Whether {@code dtype} is read as floats (F32, F64, F16, BF16). */
    static boolean isFloat(String dtype) {
        return dtype.equals("F32") || dtype.equals("F64") || dtype.equals("F16") || dtype.equals("BF16");
    }

    /** An open, validated safetensors file. */
    public static final class Reader implements Closeable {
        private final Path path;
        private final FileChannel ch;
        private final long dataStart;
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private final Map<String, Info> tensors = new LinkedHashMap<>();

        private Reader(Path path, FileChannel ch) throws IOException {
            this.path = path;
            this.ch = ch;
            long size = ch.size();
            if (size < 8) throw fail("not a safetensors file (only " + size + " bytes, shorter than the 8-byte header length)");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(lenBuf, 0);
            long n = lenBuf.getLong(0);
            if (n < 2 || n > size - 8) {
                throw fail("not a safetensors file, or truncated: the header length field says " + Long.toUnsignedString(n)
                        + " bytes but the file has " + size);
            }
            if (n > MAX_HEADER) throw fail("header of " + n + " bytes is larger than the " + MAX_HEADER + "-byte limit");
            ByteBuffer hb = ByteBuffer.allocate((int) n);
            readFully(hb, 8);
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(hb.flip()).toString();
            } catch (CharacterCodingException e) {
                throw fail("not a safetensors file (the header is not UTF-8 text)");
            }
            if (!text.startsWith("{")) throw fail("not a safetensors file (the header does not start with '{')");
            Object root;
            try {
                root = Json.parse(text);
            } catch (Json.ParseException e) {
                throw fail("header is not valid JSON (" + e.getMessage() + ")");
            }
            this.dataStart = 8 + n;
            parseHeader((Map<?, ?>) root, size - dataStart);
        }

        private void parseHeader(Map<?, ?> root, long dataSize) {
            List<Info> byOffset = new ArrayList<>();
            for (Map.Entry<?, ?> e : root.entrySet()) {
                String name = (String) e.getKey();
                if (name.equals(METADATA)) {
                    if (!(e.getValue() instanceof Map<?, ?> meta)) throw fail("__metadata__ is not a JSON object");
                    for (Map.Entry<?, ?> m : meta.entrySet()) {
                        if (!(m.getValue() instanceof String v)) throw fail("__metadata__ value of '" + m.getKey() + "' is not a string");
                        metadata.put((String) m.getKey(), v);
                    }
                    continue;
                }
                Info info = parseInfo(name, e.getValue(), dataSize);
                tensors.put(name, info);
                byOffset.add(info);
            }
            byOffset.sort(Comparator.comparingLong(Info::begin).thenComparingLong(Info::end));
            for (int i = 1; i < byOffset.size(); i++) {
                Info a = byOffset.get(i - 1), b = byOffset.get(i);
                if (b.begin() < a.end()) {
                    throw fail("tensors '" + a.name() + "' and '" + b.name() + "' overlap (data_offsets [" + a.begin() + ", "
                            + a.end() + "] and [" + b.begin() + ", " + b.end() + "])");
                }
            }
        }

        private Info parseInfo(String name, Object value, long dataSize) {
            String what = "tensor '" + name + "'";
            if (!(value instanceof Map<?, ?> m)) throw fail(what + ": header entry is not a JSON object");
            if (!(m.get("dtype") instanceof String dtype)) throw fail(what + ": missing or non-string \"dtype\"");
            Integer elemSize = DTYPE_SIZE.get(dtype);
            if (elemSize == null) throw fail(what + ": unknown dtype \"" + dtype + "\"");
            long[] shapeL = longs(m.get("shape"), what + ": \"shape\"", -1);
            long[] off = longs(m.get("data_offsets"), what + ": \"data_offsets\"", 2);
            int[] shape = new int[shapeL.length];
            for (int i = 0; i < shape.length; i++) {
                if (shapeL[i] > Integer.MAX_VALUE) throw fail(what + ": dimension " + shapeL[i] + " is too large");
                shape[i] = (int) shapeL[i];
            }
            if (off[0] > off[1]) throw fail(what + ": data_offsets [" + off[0] + ", " + off[1] + "] end before they begin");
            if (off[1] > dataSize) {
                throw fail(what + ": data_offsets [" + off[0] + ", " + off[1] + "] run past the end of the data (" + dataSize
                        + " bytes); the file is truncated or corrupt");
            }
            long numel = Tensor.numel(shape);
            long need = numel > Long.MAX_VALUE / 8 ? Long.MAX_VALUE : numel * elemSize;
            if (need != off[1] - off[0]) {
                throw fail(what + ": shape " + Tensor.shapeString(shape) + " of " + dtype + " needs " + need
                        + " bytes, but data_offsets [" + off[0] + ", " + off[1] + "] hold " + (off[1] - off[0]));
            }
            return new Info(name, dtype, shape, off[0], off[1]);
        }

        /** A JSON array of non-negative integers (of length {@code len} unless -1). */
        private long[] longs(Object v, String what, int len) {
            if (!(v instanceof List<?> l) || (len >= 0 && l.size() != len)) {
                throw fail(what + " must be a list of " + (len >= 0 ? len + " " : "") + "integers");
            }
            long[] out = new long[l.size()];
            for (int i = 0; i < out.length; i++) {
                if (!(l.get(i) instanceof Long x) || x < 0) throw fail(what + " must hold non-negative integers, got " + Json.write(l));
                out[i] = x;
            }
            return out;
        }

        public Path path() { return path; }

        /** The {@code __metadata__} map (empty if absent). */
        public Map<String, String> metadata() { return Collections.unmodifiableMap(metadata); }

        /** Every tensor, in header order. */
        public List<Info> tensors() { return List.copyOf(tensors.values()); }

        /** The tensor called {@code name}, or null. */
        public Info info(String name) { return tensors.get(name); }

        /** Reads tensor {@code name} (a float dtype) as floats. */
        public float[] readF32(String name) throws IOException {
            Info info = require(name);
            float[] out = new float[arraySize(info)];
            readF32(info, out);
            return out;
        }

        /** Reads tensor {@code name} (an integer or bool dtype) as ints. */
        public int[] readI32(String name) throws IOException {
            Info info = require(name);
            int[] out = new int[arraySize(info)];
            readI32(info, out);
            return out;
        }

        /** Reads a float tensor into {@code dst}, whose length must equal its element count. */
        public void readF32(Info info, float[] dst) throws IOException {
            checkDst(info, dst.length);
            String dt = info.dtype();
            if (!isFloat(dt)) throw fail("tensor '" + info.name() + "' has dtype " + dt + ", expected a float type (F32, F64, F16, BF16)");
            stream(info, (buf, at, k) -> {
                switch (dt) {
                    case "F32" -> buf.asFloatBuffer().get(dst, at, k);
                    case "F64" -> { for (int i = 0; i < k; i++) dst[at + i] = (float) buf.getDouble(8 * i); }
                    case "F16" -> { for (int i = 0; i < k; i++) dst[at + i] = halfToFloat(buf.getShort(2 * i)); }
                    default -> { for (int i = 0; i < k; i++) dst[at + i] = Float.intBitsToFloat((buf.getShort(2 * i) & 0xFFFF) << 16); }
                }
            });
        }

        /** Reads an integer tensor into {@code dst}, whose length must equal its element count. */
        public void readI32(Info info, int[] dst) throws IOException {
            checkDst(info, dst.length);
            String dt = info.dtype();
            stream(info, (buf, at, k) -> {
                switch (dt) {
                    case "I32" -> buf.asIntBuffer().get(dst, at, k);
                    case "I16" -> { for (int i = 0; i < k; i++) dst[at + i] = buf.getShort(2 * i); }
                    case "I8" -> { for (int i = 0; i < k; i++) dst[at + i] = buf.get(i); }
                    case "U8", "BOOL" -> { for (int i = 0; i < k; i++) dst[at + i] = buf.get(i) & 0xFF; }
                    case "I64" -> {
                        for (int i = 0; i < k; i++) {
                            long v = buf.getLong(8 * i);
                            if (v != (int) v) throw fail("tensor '" + info.name() + "': I64 value " + v + " does not fit in 32 bits");
                            dst[at + i] = (int) v;
                        }
                    }
                    default -> throw fail("tensor '" + info.name() + "' has dtype " + dt
                            + ", which cannot be read as integers (supported: I32, I64, I16, I8, U8, BOOL)");
                }
            });
        }

        @Override
        public void close() throws IOException { ch.close(); }

        private interface Chunk {
            /** {@code buf} holds elements {@code at .. at+k} from position 0, little-endian. */
            void accept(ByteBuffer buf, int at, int k);
        }

        /** Feeds the tensor's bytes to {@code sink} in chunks of whole elements. */
        private void stream(Info info, Chunk sink) throws IOException {
            int size = DTYPE_SIZE.get(info.dtype());
            long total = info.end() - info.begin();
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(total, CHUNK)).order(ByteOrder.LITTLE_ENDIAN);
            for (long done = 0; done < total; ) {
                int len = (int) Math.min(total - done, buf.capacity());
                buf.clear().limit(len);
                readFully(buf, dataStart + info.begin() + done);
                buf.flip();
                sink.accept(buf, (int) (done / size), len / size);
                done += len;
            }
        }

        private void readFully(ByteBuffer buf, long position) throws IOException {
            long p = position;
            while (buf.hasRemaining()) {
                int r = ch.read(buf, p);
                if (r < 0) throw fail("truncated: unexpected end of file at byte " + p);
                p += r;
            }
        }

        private Info require(String name) {
            Info info = tensors.get(name);
            if (info == null) throw fail("has no tensor '" + name + "'");
            return info;
        }

        private int arraySize(Info info) {
            if (info.numel() > Integer.MAX_VALUE - 8) throw fail("tensor '" + info.name() + "' has too many elements for one Java array");
            return (int) info.numel();
        }

        private void checkDst(Info info, int length) {
            if (info.numel() != length) {
                throw new IllegalArgumentException("tensor '" + info.name() + "' has " + info.numel() + " elements, destination holds " + length);
            }
        }

        private DataFormatException fail(String what) { return new DataFormatException(path + ": " + what); }
    }

    /** IEEE 754 half precision to float (Float.float16ToFloat exists only from Java 20). */
    static float halfToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0x1F) return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13)); // inf / NaN
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal (or zero)
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
