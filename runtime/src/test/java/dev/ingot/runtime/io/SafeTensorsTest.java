package dev.ingot.runtime.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class SafeTensorsTest {
    @TempDir Path dir;

    @Test
    void roundTripsF32AndI32WithMetadata() throws IOException {
        Path p = dir.resolve("t.safetensors");
        float[] w = {1.5f, -2f, 3.25f, Float.NaN, Float.NEGATIVE_INFINITY, 0f};
        int[] ids = {7, -1, Integer.MAX_VALUE, Integer.MIN_VALUE};
        SafeTensors.write(p, List.of(
                SafeTensors.Entry.f32("z.w", new int[] {2, 3}, w),
                SafeTensors.Entry.i32("a.ids", new int[] {4}, ids),
                SafeTensors.Entry.f32("scalar", new int[] {}, new float[] {42f}),
                SafeTensors.Entry.f32("empty", new int[] {0, 5}, new float[0])),
                Map.of("model", "mlp", "note", "héllo"));
        SafeTensors.Contents c = SafeTensors.read(p);
        assertEquals(Map.of("model", "mlp", "note", "héllo"), c.metadata());
        // NOTE: as the Python library: F32 before I32 (its dtype alignment order), then by name
        assertEquals(List.of("empty", "scalar", "z.w", "a.ids"), List.copyOf(c.tensors().keySet()));
        assertArrayEquals(w, c.tensors().get("z.w").f32());
        assertArrayEquals(new int[] {2, 3}, c.tensors().get("z.w").shape());
        assertArrayEquals(ids, c.tensors().get("a.ids").i32());
        assertArrayEquals(new float[] {42f}, c.tensors().get("scalar").f32());
        assertArrayEquals(new int[] {}, c.tensors().get("scalar").shape());
        assertEquals(0, c.tensors().get("empty").f32().length);

        byte[] bytes = Files.readAllBytes(p);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        assertEquals(8 + n + 4 * (6 + 4 + 1), bytes.length);
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{"), header);
    }

    @Test
    void writesExactlyWhatThePythonLibraryWrites() throws IOException {
        // safetensors.numpy.save_file({"a": np.array([1, 2], np.float32)}, f, metadata={"format": "pt"})
        Path p = dir.resolve("a.safetensors");
        SafeTensors.write(p, List.of(SafeTensors.Entry.f32("a", new int[] {2}, new float[] {1f, 2f})), Map.of("format", "pt"));
        String json = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        byte[] expected = file(json, le(8).putFloat(1f).putFloat(2f).array());
        assertArrayEquals(expected, Files.readAllBytes(p));
    }

    @Test
    void emptyFileAndHeaderExactlyAligned() throws IOException {
        Path empty = dir.resolve("empty.safetensors");
        SafeTensors.write(empty, List.of(), Map.of());
        assertArrayEquals(file("{}", new byte[0]), Files.readAllBytes(empty));
        assertArrayEquals(new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '}, Files.readAllBytes(empty));
        assertTrue(SafeTensors.read(empty).tensors().isEmpty());
        // this header is 64 bytes long: no padding at all
        Path p = dir.resolve("attn.safetensors");
        SafeTensors.write(p, List.of(SafeTensors.Entry.f32("attn.0", new int[] {1, 2, 3}, new float[] {0, 1, 2, 3, 4, 5})), Map.of());
        byte[] b = Files.readAllBytes(p);
        assertEquals(64, b[0]);
        assertEquals('}', b[8 + 63]);
        assertEquals(8 + 64 + 24, b.length);
    }

    @Test
    void floatsBeforeIntsThenByName() throws IOException {
        Path p = dir.resolve("order.safetensors");
        SafeTensors.write(p, List.of(SafeTensors.Entry.i32("a", new int[] {1}, new int[] {1}),
                SafeTensors.Entry.f32("c", new int[] {1}, new float[] {2}), SafeTensors.Entry.f32("b", new int[] {1}, new float[] {3})), Map.of());
        try (SafeTensors.Reader r = SafeTensors.open(p)) {
            assertEquals(0, r.info("b").begin());
            assertEquals(4, r.info("c").begin());
            assertEquals(8, r.info("a").begin());
        }
    }

    @Test
    void readsOtherDtypesConverted() throws IOException {
        ByteBuffer d = le(8 + 8 + 6 + 4 + 8 + 2 + 2 + 2 + 4);
        d.putDouble(0.5).putDouble(-1e10);                                  // F64  [0, 16)
        d.putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x0001); // F16 [16, 22)
        d.putShort((short) 0x3F80).putShort((short) 0xC040);                 // BF16 [22, 26)
        d.putLong(-123456789L);                                              // I64  [26, 34)
        d.put((byte) -5).put((byte) -5);                                     // I8 [34, 35), U8 [35, 36)
        d.put((byte) 1).put((byte) 0);                                       // BOOL [36, 38)
        d.putShort((short) -300);                                            // I16  [38, 40)
        d.putShort((short) 0x7C00).putShort((short) 0x7E00);                 // F16 inf, NaN [40, 44)
        Path p = write("other.safetensors", "{"
                + "\"f64\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"f16\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[16,22]},"
                + "\"bf16\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[22,26]},"
                + "\"i64\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[26,34]},"
                + "\"i8\":{\"dtype\":\"I8\",\"shape\":[],\"data_offsets\":[34,35]},"
                + "\"u8\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[35,36]},"
                + "\"bool\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[36,38]},"
                + "\"i16\":{\"dtype\":\"I16\",\"shape\":[1],\"data_offsets\":[38,40]},"
                + "\"special\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[40,44]}}", d.array());
        SafeTensors.Contents c = SafeTensors.read(p);
        assertArrayEquals(new float[] {0.5f, -1e10f}, c.tensors().get("f64").f32());
        assertArrayEquals(new float[] {1f, -2f, 0x1p-24f}, c.tensors().get("f16").f32());
        assertArrayEquals(new float[] {1f, -3f}, c.tensors().get("bf16").f32());
        assertArrayEquals(new int[] {-123456789}, c.tensors().get("i64").i32());
        assertArrayEquals(new int[] {-5}, c.tensors().get("i8").i32());
        assertArrayEquals(new int[] {251}, c.tensors().get("u8").i32());
        assertArrayEquals(new int[] {1, 0}, c.tensors().get("bool").i32());
        assertArrayEquals(new int[] {-300}, c.tensors().get("i16").i32());
        float[] special = c.tensors().get("special").f32();
        assertEquals(Float.POSITIVE_INFINITY, special[0]);
        assertTrue(Float.isNaN(special[1]));
        assertEquals(65504f, SafeTensors.halfToFloat((short) 0x7BFF));
        assertEquals(-0f, SafeTensors.halfToFloat((short) 0x8000));
        assertEquals(0.333251953125f, SafeTensors.halfToFloat((short) 0x3555));
    }

    @Test
    void largeTensorsAreChunked() throws IOException {
        float[] big = new float[(1 << 20) / 4 * 3 + 17]; // spans several 1 MiB chunks
        for (int i = 0; i < big.length; i++) big[i] = i * 0.5f;
        Path p = dir.resolve("big.safetensors");
        SafeTensors.write(p, List.of(SafeTensors.Entry.f32("big", new int[] {big.length}, big)), Map.of());
        try (SafeTensors.Reader r = SafeTensors.open(p)) {
            assertTrue(r.metadata().isEmpty());
            assertArrayEquals(big, r.readF32("big"));
        }
    }

    @Test
    void overwritesAtomicallyAndLeavesNoTemporaryFiles() throws IOException {
        Path p = dir.resolve("ckpt.safetensors");
        SafeTensors.write(p, List.of(SafeTensors.Entry.f32("a", new int[] {1}, new float[] {1f})), Map.of());
        SafeTensors.write(p, List.of(SafeTensors.Entry.f32("a", new int[] {1}, new float[] {2f})), Map.of());
        assertArrayEquals(new float[] {2f}, SafeTensors.read(p).tensors().get("a").f32());
        try (var s = Files.list(dir)) {
            assertEquals(List.of("ckpt.safetensors"), s.map(x -> x.getFileName().toString()).toList());
        }
    }

    @Test
    void aFailedWriteKeepsTheOldFile() throws IOException {
        Path p = dir.resolve("keep.txt");
        AtomicFile.writeString(p, "old");
        IOException e = assertThrows(IOException.class, () -> AtomicFile.write(p, ch -> {
            AtomicFile.writeFully(ch, ByteBuffer.wrap("new but cut".getBytes(StandardCharsets.UTF_8)));
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertEquals("old", Files.readString(p));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "temporary file removed");
        }
    }

    @Test
    void rejectsBadEntries() {
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.Entry.f32("a", new int[] {2, 2}, new float[3]));
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.Entry.f32("__metadata__", new int[] {1}, new float[1]));
        assertThrows(IllegalArgumentException.class, () -> new SafeTensors.Entry("a", "F16", new int[] {1}, new float[1], null));
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(dir.resolve("dup"), List.of(
                SafeTensors.Entry.f32("a", new int[] {1}, new float[1]), SafeTensors.Entry.f32("a", new int[] {1}, new float[1])), Map.of()));
    }

    // ---- every validation error names the file and the problem ----

    @Test
    void notASafetensorsFile() throws IOException {
        Path text = dir.resolve("notes.safetensors");
        Files.writeString(text, "These are my notes, not a checkpoint at all.\n");
        assertError(text, "notes.safetensors: not a safetensors file, or truncated: the header length field says");
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertError(tiny, "tiny.safetensors: not a safetensors file (only 3 bytes");
        Path array = write("array.safetensors", "[1, 2, 3]", new byte[0]);
        assertError(array, "array.safetensors: not a safetensors file (the header does not start with '{')");
        Path binary = dir.resolve("bin.safetensors");
        Files.write(binary, file("{\u0000", new byte[0]));
        byte[] b = Files.readAllBytes(binary);
        b[9] = (byte) 0xFF; // invalid UTF-8
        Files.write(binary, b);
        assertError(binary, "not a safetensors file (the header is not UTF-8 text)");
        assertError(dir.resolve("missing.safetensors"), "missing.safetensors: no such file");
    }

    @Test
    void headerErrors() throws IOException {
        assertError(write("j.safetensors", "{\"a\": {\"dtype\": \"F32\",}}", new byte[0]),
                "j.safetensors: header is not valid JSON (line 1, column 23: unexpected '}', expected a string key)");
        assertError(write("d.safetensors", "{\"a\":{\"dtype\":\"F33\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]),
                "d.safetensors: tensor 'a': unknown dtype \"F33\"");
        assertError(write("n.safetensors", "{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]),
                "tensor 'a': missing or non-string \"dtype\"");
        assertError(write("s.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]),
                "tensor 'a': \"shape\" must hold non-negative integers, got [-1]");
        assertError(write("s2.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", new byte[4]),
                "\"shape\" must hold non-negative integers");
        assertError(write("o.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", new byte[4]),
                "tensor 'a': \"data_offsets\" must be a list of 2 integers");
        assertError(write("e.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", new byte[4]),
                "data_offsets [4, 0] end before they begin");
        assertError(write("m.safetensors", "{\"__metadata__\":{\"k\":1}}", new byte[0]), "__metadata__ value of 'k' is not a string");
        assertError(write("m2.safetensors", "{\"__metadata__\":[]}", new byte[0]), "__metadata__ is not a JSON object");
        assertError(write("x.safetensors", "{\"a\":7}", new byte[0]), "tensor 'a': header entry is not a JSON object");
    }

    @Test
    void offsetErrors() throws IOException {
        assertError(write("size.safetensors", "{\"fc1.w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", new byte[24]),
                "size.safetensors: tensor 'fc1.w': shape [2, 3] of F32 needs 24 bytes, but data_offsets [0, 20] hold 20");
        assertError(write("range.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[4]),
                "range.safetensors: tensor 'a': data_offsets [0, 8] run past the end of the data (4 bytes); the file is truncated or corrupt");
        assertError(write("overlap.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]),
                "overlap.safetensors: tensors 'a' and 'b' overlap (data_offsets [0, 8] and [4, 12])");
    }

    @Test
    void truncatedFile() throws IOException {
        Path p = dir.resolve("cut.safetensors");
        SafeTensors.write(p, List.of(SafeTensors.Entry.f32("w", new int[] {100}, new float[100])), Map.of());
        byte[] b = Files.readAllBytes(p);
        Files.write(p, Arrays.copyOf(b, b.length - 10));
        assertError(p, "cut.safetensors: tensor 'w': data_offsets [0, 400] run past the end of the data (390 bytes)");
        Files.write(p, Arrays.copyOf(b, 20)); // cut inside the header
        assertError(p, "cut.safetensors: not a safetensors file, or truncated: the header length field says");
    }

    @Test
    void unsupportedConversions() throws IOException {
        Path p = write("u.safetensors", "{\"big\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"u64\":{\"dtype\":\"U64\",\"shape\":[1],\"data_offsets\":[8,16]},"
                + "\"f8\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[16,17]}}", le(17).putLong(1L << 40).array());
        try (SafeTensors.Reader r = SafeTensors.open(p)) {
            assertMessage(() -> r.readI32("big"), "u.safetensors: tensor 'big': I64 value 1099511627776 does not fit in 32 bits");
            assertMessage(() -> r.readI32("u64"), "tensor 'u64' has dtype U64, which cannot be read as integers");
            assertMessage(() -> r.readF32("f8"), "tensor 'f8' has dtype F8_E4M3, expected a float type");
            assertMessage(() -> r.readF32("nope"), "u.safetensors: has no tensor 'nope'");
        }
    }

    // ---- helpers ----

    private static ByteBuffer le(int n) { return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN); }

    /** A safetensors file image: padded header then data. */
    private static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer b = le(8 + padded + data.length).putLong(padded).put(h);
        for (int i = h.length; i < padded; i++) b.put((byte) ' ');
        return b.put(data).array();
    }

    private Path write(String name, String header, byte[] data) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, file(header, data));
        return p;
    }

    private static void assertError(Path p, String message) {
        assertMessage(() -> SafeTensors.read(p), message);
    }

    interface Action { void run() throws Exception; }

    static void assertMessage(Action a, String message) {
        DataFormatException e = assertThrows(DataFormatException.class, a::run);
        assertTrue(e.getMessage().contains(message), () -> "message '" + e.getMessage() + "' should contain '" + message + "'");
        assertFalse(e.getMessage().contains("\n"), "one line");
    }
}
