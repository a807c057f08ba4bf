package dev.ingot.runtime.data;

import dev.ingot.runtime.io.DataFormatException;
import dev.ingot.runtime.model.DType;
import dev.ingot.runtime.model.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The .npy/.npz reader. The byte layouts are those numpy 1.24 writes (np.save: version 1.0, the
 * header padded with spaces to a multiple of 64 bytes and ended by a newline).
 */
class NpyTest {
    @TempDir Path dir;

    /** An .npy file as np.save writes it. */
    static byte[] npy(String descr, int[] shape, byte[] data) {
        StringBuilder sh = new StringBuilder("(");
        for (int d : shape) sh.append(d).append(", ");
        if (shape.length > 1) sh.setLength(sh.length() - 2);
        else if (shape.length == 1) sh.setLength(sh.length() - 1);
        sh.append(")");
        String h = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + sh + ", }";
        int total = 10 + h.length() + 1;
        h = h + " ".repeat((64 - total % 64) % 64) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.writeBytes(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) h.length()).array());
        out.writeBytes(h.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(data);
        return out.toByteArray();
    }

    static byte[] f4(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return b.array();
    }

    static byte[] i8(long... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) b.putLong(x);
        return b.array();
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private Path npz(String name, boolean compressed, Map<String, byte[]> arrays) throws IOException {
        Path p = dir.resolve(name);
        try (OutputStream f = Files.newOutputStream(p); ZipOutputStream z = new ZipOutputStream(f)) {
            z.setMethod(compressed ? ZipOutputStream.DEFLATED : ZipOutputStream.STORED);
            for (Map.Entry<String, byte[]> e : arrays.entrySet()) {
                ZipEntry ze = new ZipEntry(e.getKey() + ".npy");
                if (!compressed) {
                    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                    crc.update(e.getValue());
                    ze.setSize(e.getValue().length);
                    ze.setCrc(crc.getValue());
                }
                z.putNextEntry(ze);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return p;
    }

    @Test
    void readsTheElementTypes() throws IOException {
        Npy a = Npy.read(file("a.npy", npy("<f4", new int[] {2, 3}, f4(1, 2, 3, 4, 5, -6.5f))));
        assertArrayEquals(new int[] {2, 3}, a.shape());
        assertFalse(a.integral());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, -6.5f}, a.floats(), 0f);
        Npy l = Npy.read(file("l.npy", npy("<i8", new int[] {3}, i8(0, 9, -2))));
        assertArrayEquals(new int[] {0, 9, -2}, l.ints());
        ByteBuffer d = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN).putDouble(0.25).putDouble(-3);
        assertArrayEquals(new float[] {0.25f, -3}, Npy.read(file("d.npy", npy(">f8", new int[] {2}, d.array()))).floats(), 0f);
        assertArrayEquals(new int[] {200, 7}, Npy.read(file("u.npy", npy("|u1", new int[] {2}, new byte[] {(byte) 200, 7}))).ints());
        assertArrayEquals(new int[] {1, 0}, Npy.read(file("b.npy", npy("|b1", new int[] {2}, new byte[] {1, 0}))).ints());
        // float16: 1.0 = 0x3C00, -2.0 = 0xC000, 65504 = 0x7BFF, smallest subnormal 0x0001
        ByteBuffer h = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x7BFF).putShort((short) 1);
        assertArrayEquals(new float[] {1, -2, 65504, 0x1p-24f}, Npy.read(file("h.npy", npy("<f2", new int[] {4}, h.array()))).floats(), 0f);
        assertArrayEquals(new int[] {}, Npy.read(file("s.npy", npy("<f4", new int[] {}, f4(3)))).shape(), "a scalar");
    }

    @Test
    void npzStoredAndCompressedAsADataSource() throws IOException {
        Map<String, byte[]> arrays = new LinkedHashMap<>();
        float[] x = new float[10 * 4];
        for (int i = 0; i < x.length; i++) x[i] = i;
        arrays.put("x", npy("<f4", new int[] {10, 2, 2}, f4(x)));
        arrays.put("y", npy("<f4", new int[] {10}, f4(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)));
        npz("d.npz", false, arrays);
        npz("c.npz", true, arrays);
        assertEquals(Map.of("x", 0, "y", 1).keySet(), Npy.readNpz(dir.resolve("c.npz")).keySet());
        for (String name : new String[] {"d.npz", "c.npz"}) {
            Dataset train = Dataset.load(new TrainConfig.DataSpec("npz", Map.of("file", name, "test", "0.2")), dir, "train");
            Dataset test = Dataset.load(new TrainConfig.DataSpec("npz", Map.of("file", name, "test", "0.2")), dir, "test");
            assertEquals(8, train.size());
            assertEquals(2, test.size());
            assertEquals(DType.F32, train.field("label").dtype(), "float labels: regression");
            assertArrayEquals(new int[] {2, 2}, train.field("features").shape());
            for (int i = 0; i < 2; i++) {
                float label = test.field("label").f32()[i];
                assertEquals(label * 4, test.field("features").f32()[4 * i], 0f, "features stay with their label");
            }
        }
        String e = assertThrows(DataFormatException.class,
                () -> Dataset.load(new TrainConfig.DataSpec("npz", Map.of("file", "d.npz", "y", "labels")), dir, "train")).getMessage();
        assertEquals(dir.resolve("d.npz") + ": no array 'labels' (option y); the archive holds: x, y", e);
    }

    @Test
    void npyPairWithTestFiles() throws IOException {
        file("x.npy", npy("<f4", new int[] {3, 2}, f4(1, 2, 3, 4, 5, 6)));
        file("y.npy", npy("<i8", new int[] {3}, i8(0, 1, 1)));
        file("tx.npy", npy("<f4", new int[] {1, 2}, f4(7, 8)));
        file("ty.npy", npy("<i8", new int[] {1}, i8(2)));
        Map<String, String> o = Map.of("x", "x.npy", "y", "y.npy", "test_x", "tx.npy", "test_y", "ty.npy");
        Dataset train = Dataset.load(new TrainConfig.DataSpec("npy", o), dir, "train");
        assertEquals(DType.I32, train.field("label").dtype());
        assertArrayEquals(new int[] {0, 1, 1}, train.field("label").i32());
        assertArrayEquals(new float[] {7, 8}, Dataset.load(new TrainConfig.DataSpec("npy", o), dir, "test").field("features").f32(), 0f);
        file("y2.npy", npy("<i8", new int[] {2}, i8(0, 1)));
        String e = assertThrows(DataFormatException.class,
                () -> Dataset.load(new TrainConfig.DataSpec("npy", Map.of("x", "x.npy", "y", "y2.npy")), dir, "train")).getMessage();
        assertEquals(dir.resolve("x.npy") + " has 3 examples but " + dir.resolve("y2.npy") + " has 2", e);
    }

    @Test
    void malformedFiles() throws IOException {
        byte[] good = npy("<f4", new int[] {2, 2}, f4(1, 2, 3, 4));
        assertEquals(dir.resolve("t.npy") + ": truncated: shape [2, 2] of '<f4' needs 16 bytes of data, got 12",
                message(file("t.npy", Arrays.copyOf(good, good.length - 4))));
        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertEquals(dir.resolve("l.npy") + ": unexpected data after the 16 bytes the header calls for", message(file("l.npy", longer)));
        assertEquals(dir.resolve("n.npy") + ": not an .npy file (it does not start with \\x93NUMPY)", message(file("n.npy", "a,b\n1,2\n".getBytes())));
        assertTrue(message(file("o.npy", npy("<c8", new int[] {1}, new byte[8]))).contains("unsupported element type '<c8'"));
        assertTrue(message(file("big.npy", npy("<i8", new int[] {1}, i8(1L << 40)))).contains("element 0 (1099511627776) does not fit in an int32"));
        byte[] fortran = new String(good, StandardCharsets.ISO_8859_1).replace("False", "True ").getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(message(file("f.npy", fortran)).contains("Fortran order"));
        assertEquals(dir.resolve("missing.npy") + ": no such file", message(dir.resolve("missing.npy")));
        String z = assertThrows(DataFormatException.class, () -> Npy.readNpz(file("z.npz", good))).getMessage();
        assertTrue(z.startsWith(dir.resolve("z.npz") + ": not an .npz archive"), z);
    }

    private static String message(Path p) {
        return assertThrows(DataFormatException.class, () -> Npy.read(p)).getMessage();
    }
}
