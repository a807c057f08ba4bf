package dev.ingot.runtime.data;

import dev.ingot.runtime.io.DataFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static dev.ingot.runtime.data.IdxFiles.*;
import static org.junit.jupiter.api.Assertions.*;

class IdxTest {
    @TempDir Path dir;

    private Path write(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    @Test
    void readsPlainAndGzippedUbyteImages() throws IOException {
        byte[] file = ubyte(new int[] {2, 2, 3}, 0, 1, 2, 3, 4, 255, 10, 20, 30, 40, 50, 128);
        for (Path p : new Path[] {write("img-idx3-ubyte", file), write("img-idx3-ubyte.gz", gzip(file)), write("gz-without-suffix", gzip(file))}) {
            Idx idx = Idx.read(p);
            assertEquals(Idx.Type.UBYTE, idx.type());
            assertArrayEquals(new int[] {2, 2, 3}, idx.dims());
            assertEquals(2, idx.count());
            assertArrayEquals(new int[] {2, 3}, idx.itemShape());
            assertEquals(12, idx.numel());
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 255, 10, 20, 30, 40, 50, 128}, idx.toInts());
            float[] f = idx.toFloats(0.5f);
            assertEquals(127.5f, f[5]);
            assertEquals(64f, f[11]);
        }
    }

    @Test
    void readsEveryElementType() throws IOException {
        assertArrayEquals(new int[] {-1, 127, -128}, Idx.read(write("b", idx(0x09, new int[] {3}, new byte[] {-1, 127, -128}))).toInts());
        ByteBuffer s = ByteBuffer.allocate(4).putShort((short) -300).putShort((short) 300);
        assertArrayEquals(new int[] {-300, 300}, Idx.read(write("s", idx(0x0B, new int[] {2}, s.array()))).toInts());
        ByteBuffer i = ByteBuffer.allocate(8).putInt(-70000).putInt(Integer.MAX_VALUE);
        Idx ints = Idx.read(write("i", idx(0x0C, new int[] {1, 2}, i.array())));
        assertArrayEquals(new int[] {-70000, Integer.MAX_VALUE}, ints.toInts());
        assertEquals(Idx.Type.INT, ints.type());
        ByteBuffer f = ByteBuffer.allocate(8).putFloat(1.5f).putFloat(-2.25f);
        Idx floats = Idx.read(write("f", idx(0x0D, new int[] {2, 1, 1, 1}, f.array())));
        assertArrayEquals(new float[] {3f, -4.5f}, floats.toFloats(2f));
        assertArrayEquals(new int[] {1, 1, 1}, floats.itemShape());
        DataFormatException e = assertThrows(DataFormatException.class, floats::toInts);
        assertTrue(e.getMessage().endsWith("f: holds FLOAT values, expected integers (labels)"), e.getMessage());
        ByteBuffer d = ByteBuffer.allocate(8).putDouble(0.125);
        assertArrayEquals(new float[] {0.125f}, Idx.read(write("d", idx(0x0E, new int[] {1}, d.array()))).toFloats(1f));
        assertEquals(0, Idx.read(write("empty", ubyte(new int[] {0, 28, 28}))).count());
    }

    @Test
    void truncatedPayload() throws IOException {
        byte[] file = ubyte(new int[] {2, 5}, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertError(write("cut-idx3-ubyte", Arrays.copyOf(file, 18)), "cut-idx3-ubyte: truncated: expected 22 bytes, got 18");
        assertError(write("cut2-idx3-ubyte.gz", gzip(Arrays.copyOf(file, 18))), "cut2-idx3-ubyte.gz: truncated: expected 22 bytes, got 18");
        byte[] gz = gzip(file);
        assertError(write("cutgz", Arrays.copyOf(gz, gz.length - 12)), "cutgz: ");
        assertError(write("header", Arrays.copyOf(file, 9)), "header: truncated: expected a 12-byte header, got 9 bytes");
        assertError(write("empty", new byte[0]), "empty: truncated: expected an IDX header, got 0 bytes");
    }

    @Test
    void cutOffGzipStream() throws IOException {
        byte[] big = new byte[200_000];
        new java.util.SplittableRandom(1).nextBytes(big); // incompressible, so the cut lands inside the data
        byte[] gz = gzip(idx(0x08, new int[] {200_000}, big));
        assertError(write("labels.gz", Arrays.copyOf(gz, gz.length / 2)), "labels.gz: truncated: expected 200008 bytes, got ");
        assertError(write("labels.gz", Arrays.copyOf(gz, gz.length / 2)), "(the gzip stream is cut off)");
    }

    @Test
    void badHeaders() throws IOException {
        assertError(write("notes.txt", "hello, world\n".getBytes()), "notes.txt: not an IDX file (magic number 0x68656c6c; IDX files start with 0x0000TTNN");
        assertError(write("type", idx(0x0A, new int[] {1}, new byte[1])), "type: not an IDX file (magic number 0x00000a01");
        assertError(write("gz", gzip("PK\u0003\u0004 zip".getBytes())), "gz: not an IDX file (after gunzip, magic number 0x504b0304");
        assertError(write("rank0", idx(0x08, new int[] {}, new byte[1])), "rank0: IDX file with 0 dimensions");
        assertError(write("neg", idx(0x08, new int[] {3, -2}, new byte[0])), "neg: invalid header: dimension 1 is -2");
        assertError(write("huge", idx(0x0C, new int[] {1 << 20, 1 << 20}, new byte[0])), "huge: INT data of shape [1048576, 1048576] is too large");
        // an element count that overflows int once the example count is set aside (was: / by zero later)
        assertError(write("overflow", idx(0x08, new int[] {0, 65536, 65536}, new byte[0])),
                "overflow: invalid header: examples of shape [65536, 65536] would have 4,294,967,296 values each, more than supported");
        assertError(write("zero", idx(0x08, new int[] {2, 0}, new byte[0])), "zero: invalid header: dimension 1 is 0");
        assertError(write("bad.gz", new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9}), "bad.gz: ");
    }

    @Test
    void extraData() throws IOException {
        byte[] file = ubyte(new int[] {3}, 1, 2, 3, 4);
        assertError(write("labels-idx1-ubyte", file), "labels-idx1-ubyte: unexpected data after the 11 bytes that the header UBYTE[3] calls for");
        assertError(write("labels-idx1-ubyte.gz", gzip(file)), "unexpected data after the 11 bytes");
    }

    @Test
    void missingFileAndDirectory() {
        assertError(dir.resolve("nope-idx1-ubyte"), "nope-idx1-ubyte: no such file");
        assertError(dir, "is a directory, expected an IDX file");
    }

    static void assertError(Path p, String message) {
        DataFormatException e = assertThrows(DataFormatException.class, () -> Idx.read(p));
        assertTrue(e.getMessage().contains(message), () -> "message '" + e.getMessage() + "' should contain '" + message + "'");
        assertFalse(e.getMessage().contains("\n"));
    }
}
