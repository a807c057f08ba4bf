package dev.ingot.runtime.data;

import dev.ingot.runtime.io.DataFormatException;
import dev.ingot.runtime.model.TrainConfig;
import dev.ingot.runtime.tensor.Tensor;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * NumPy arrays: the {@code .npy} format ({@code np.save}) and {@code .npz} archives of them
 * ({@code np.savez}, {@code np.savez_compressed}: a zip of {@code NAME.npy} entries).
 *
 * <p>An {@code .npy} file is the magic {@code \x93NUMPY}, a version byte pair, the length of a
 * header (2 bytes little-endian for version 1, 4 for versions 2 and 3), the header (a Python dict
 * literal such as {@code {'descr': '<f4', 'fortran_order': False, 'shape': (60000, 28, 28), }}),
 * then the elements in C order. Supported element types: float16/32/64, signed and unsigned
 * integers of 1 to 8 bytes, and bool, in either byte order. Floats are read as float32, integers
 * as int32 (a value outside the int32 range is an error).
 *
 * <p>As a data source, {@code npz(file, x = "x", y = "y", test_file, test, seed)} or
 * {@code npy(x, y, test_x, test_y, test, seed)}: fields {@code features} (f32, input: the
 * array {@code x} with its first axis as examples) and {@code label} (target: i32 for an integer
 * array, f32 for a float one).
 */
public final class Npy {
    public static final String NPY = "npy", NPZ = "npz";
    public static final List<String> NPY_OPTIONS = List.of("x", "y", "test_x", "test_y", "test", "seed");
    public static final List<String> NPZ_OPTIONS = List.of("file", "x", "y", "test_file", "test", "seed");
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private final String source;
    private final int[] shape;
    private final float[] f32;
    private final int[] i32;

    private Npy(String source, int[] shape, float[] f32, int[] i32) {
        this.source = source;
        this.shape = shape;
        this.f32 = f32;
        this.i32 = i32;
    }

    /** Where the array came from: a file, or {@code archive.npz:name}. */
    public String source() { return source; }

    public int[] shape() { return shape.clone(); }

    /** Whether the elements are integers (or bools), read as int32. */
    public boolean integral() { return i32 != null; }

    /** The elements as float32. */
    public float[] floats() {
        if (f32 != null) return f32;
        float[] r = new float[i32.length];
        for (int i = 0; i < r.length; i++) r[i] = i32[i];
        return r;
    }

    /** The elements of an integer array. */
    public int[] ints() {
        if (i32 == null) throw new DataFormatException(source + ": holds floating-point values, expected integers");
        return i32;
    }

    /** Reads an {@code .npy} file. */
    public static Npy read(Path file) throws IOException {
        if (Files.isDirectory(file)) throw new DataFormatException(file + ": is a directory, expected an .npy file");
        try (InputStream in = Files.newInputStream(file)) {
            return read(file.toString(), in);
        } catch (NoSuchFileException e) {
            throw new DataFormatException(file + ": no such file", e);
        }
    }

    /** The arrays of an {@code .npz} archive, by name (without {@code .npy}), in archive order. */
    public static Map<String, Npy> readNpz(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new DataFormatException(file + (Files.exists(file) ? ": not a regular file" : ": no such file"));
        Map<String, Npy> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                if (e.isDirectory()) continue;
                String name = e.getName().endsWith(".npy") ? e.getName().substring(0, e.getName().length() - 4) : e.getName();
                try (InputStream in = zip.getInputStream(e)) {
                    out.put(name, read(file + ":" + name, in));
                }
            }
        } catch (ZipException e) {
            throw new DataFormatException(file + ": not an .npz archive (not a readable zip file: " + e.getMessage() + ")", e);
        }
        if (out.isEmpty()) throw new DataFormatException(file + ": the archive holds no arrays");
        return out;
    }

    /** Reads one array from a stream; {@code source} names it in errors. */
    public static Npy read(String source, InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(stream, 1 << 16));
        byte[] magic = new byte[8];
        if (readFully(in, magic) < 8 || !Arrays.equals(Arrays.copyOf(magic, 6), MAGIC)) {
            throw new DataFormatException(source + ": not an .npy file (it does not start with \\x93NUMPY)");
        }
        int major = magic[6];
        int headerLength;
        byte[] len = new byte[major == 1 ? 2 : 4];
        if (major < 1 || major > 3) throw new DataFormatException(source + ": .npy format version " + major + "." + magic[7] + " is not supported (1.0, 2.0 or 3.0)");
        if (readFully(in, len) < len.length) throw new DataFormatException(source + ": truncated .npy header");
        ByteBuffer lb = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN);
        headerLength = major == 1 ? lb.getShort() & 0xffff : lb.getInt();
        if (headerLength < 0 || headerLength > 1 << 20) throw new DataFormatException(source + ": invalid .npy header length " + headerLength);
        byte[] hb = new byte[headerLength];
        if (readFully(in, hb) < headerLength) throw new DataFormatException(source + ": truncated .npy header");
        String header = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header), fo = FORTRAN.matcher(header), sh = SHAPE.matcher(header);
        if (!d.find() || !fo.find() || !sh.find()) throw new DataFormatException(source + ": malformed .npy header: " + header.strip());
        if (fo.group(1).equals("True")) {
            throw new DataFormatException(source + ": the array is stored in Fortran order; save it in C order (np.save(f, np.ascontiguousarray(a)))");
        }
        int[] shape = shape(source, sh.group(1));
        String descr = d.group(1);
        if (descr.length() < 3) throw new DataFormatException(source + ": unsupported element type '" + descr + "'");
        char order = descr.charAt(0), kind = descr.charAt(1);
        int size;
        try {
            size = Integer.parseInt(descr.substring(2));
        } catch (NumberFormatException e) {
            throw new DataFormatException(source + ": unsupported element type '" + descr + "'");
        }
        boolean ok = switch (kind) {
            case 'f' -> size == 2 || size == 4 || size == 8;
            case 'i', 'u' -> size == 1 || size == 2 || size == 4 || size == 8;
            case 'b' -> size == 1;
            default -> false;
        };
        if (!ok || (order != '<' && order != '>' && order != '|' && order != '=')) {
            throw new DataFormatException(source + ": unsupported element type '" + descr + "' (supported: float16/32/64, int and uint of 1-8 bytes, bool)");
        }
        long count = Tensor.numel(shape);
        if (count * size > Integer.MAX_VALUE - 8) throw new DataFormatException(source + ": array of shape " + Tensor.shapeString(shape) + " is too large (over 2 GB)");
        int n = (int) count;
        byte[] payload = new byte[n * size];
        int got = readFully(in, payload);
        if (got < payload.length) {
            throw new DataFormatException(source + ": truncated: shape " + Tensor.shapeString(shape) + " of '" + descr + "' needs " + payload.length + " bytes of data, got " + got);
        }
        if (in.read() != -1) throw new DataFormatException(source + ": unexpected data after the " + payload.length + " bytes the header calls for");
        ByteBuffer b = ByteBuffer.wrap(payload).order(order == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        if (kind == 'f') {
            float[] f = new float[n];
            for (int i = 0; i < n; i++) f[i] = switch (size) {
                case 2 -> halfToFloat(b.getShort(2 * i));
                case 4 -> b.getFloat(4 * i);
                default -> (float) b.getDouble(8 * i);
            };
            return new Npy(source, shape, f, null);
        }
        int[] v = new int[n];
        for (int i = 0; i < n; i++) {
            long x = switch (size) {
                case 1 -> kind == 'i' ? payload[i] : payload[i] & 0xff;
                case 2 -> kind == 'i' ? b.getShort(2 * i) : b.getShort(2 * i) & 0xffff;
                case 4 -> kind == 'i' ? b.getInt(4 * i) : b.getInt(4 * i) & 0xffffffffL;
                default -> b.getLong(8 * i);
            };
            if (x != (int) x || (size == 8 && kind == 'u' && x < 0)) {
                throw new DataFormatException(source + ": element " + i + " (" + (kind == 'u' && x < 0 ? Long.toUnsignedString(x) : x) + ") does not fit in an int32");
            }
            v[i] = (int) x;
        }
        return new Npy(source, shape, null, v);
    }

    /** IEEE 754 binary16 to float (Float.float16ToFloat is JDK 20+). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff, sign = (bits & 0x8000) << 16, exp = (bits >>> 10) & 0x1f, mant = bits & 0x3ff;
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        if (exp == 0) {
            float v = mant * 0x1p-24f; // subnormal (or zero)
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private static int[] shape(String source, String tuple) {
        List<Integer> dims = new ArrayList<>();
        for (String s : tuple.split(",")) {
            String t = s.strip().replace("L", "");
            if (t.isEmpty()) continue;
            try {
                dims.add(Integer.parseInt(t));
            } catch (NumberFormatException e) {
                throw new DataFormatException(source + ": malformed shape (" + tuple + ") in the .npy header");
            }
        }
        for (int d : dims) if (d < 0) throw new DataFormatException(source + ": negative dimension in shape (" + tuple + ")");
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int readFully(InputStream in, byte[] b) throws IOException {
        int total = 0;
        try {
            while (total < b.length) {
                int r = in.read(b, total, b.length - total);
                if (r < 0) break;
                total += r;
            }
        } catch (EOFException e) {
            // a cut-off compressed entry: a short read
        }
        return total;
    }

    // ---- as a data source ----------------------------------------------------------------------

    /** Split {@code "train"} or {@code "test"} of an {@code npy} or {@code npz} source; paths relative to {@code baseDir}. */
    public static Dataset dataset(TrainConfig.DataSpec spec, Path baseDir, String split) throws IOException {
        boolean test = DataOptions.isTest(split);
        DataOptions o = new DataOptions(spec, spec.kind().equals(NPZ) ? NPZ_OPTIONS : NPY_OPTIONS);
        double fraction = o.fraction("test", Csv.DEFAULT_TEST, 1);
        long seed = o.seed("seed", 1);
        Npy x, y;
        boolean separate;
        if (spec.kind().equals(NPZ)) {
            String file = o.required("file", "the .npz archive");
            String testFile = o.string("test_file", null);
            separate = testFile != null;
            Path p = baseDir.resolve(test && separate ? testFile : file);
            Map<String, Npy> arrays = readNpz(p);
            x = member(p, arrays, o.string("x", "x"), "x");
            y = member(p, arrays, o.string("y", "y"), "y");
        } else {
            String testX = o.string("test_x", null), testY = o.string("test_y", null);
            if ((testX == null) != (testY == null)) throw new DataFormatException("data kind npy: give both test_x and test_y, or neither (then a test fraction is held out)");
            separate = testX != null;
            x = read(baseDir.resolve(test && separate ? testX : o.required("x", "the .npy file of the features")));
            y = read(baseDir.resolve(test && separate ? testY : o.required("y", "the .npy file of the labels")));
        }
        if (x.shape.length == 0 || y.shape.length == 0) throw new DataFormatException((x.shape.length == 0 ? x : y).source + ": a scalar array; expected examples along the first axis");
        if (x.shape[0] != y.shape[0]) throw new DataFormatException(x.source + " has " + x.shape[0] + " examples but " + y.source + " has " + y.shape[0]);
        int[] xs = Arrays.copyOfRange(x.shape, 1, x.shape.length), ys = Arrays.copyOfRange(y.shape, 1, y.shape.length);
        if (x.shape[0] > 0 && Tensor.numel(xs) == 0) throw new DataFormatException(x.source + ": examples of shape " + Tensor.shapeString(xs) + " are empty");
        Dataset all = Dataset.of(Dataset.Field.f32("features", xs, x.floats(), Dataset.Role.INPUT),
                y.integral() ? Dataset.Field.i32("label", ys, y.ints(), Dataset.Role.TARGET) : Dataset.Field.f32("label", ys, y.floats(), Dataset.Role.TARGET));
        if (separate) return all;
        return all.select(DataOptions.holdOut(x.source, all.size(), fraction, true, seed, test));
    }

    private static Npy member(Path file, Map<String, Npy> arrays, String name, String option) {
        Npy a = arrays.get(name);
        if (a == null) throw new DataFormatException(file + ": no array '" + name + "' (option " + option + "); the archive holds: " + String.join(", ", arrays.keySet()));
        return a;
    }
}
