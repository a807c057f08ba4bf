package dev.ingot.runtime.data;

import dev.ingot.runtime.io.DataFormatException;
import dev.ingot.runtime.tensor.Tensor;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * An IDX file (the MNIST format), plain or gzip-compressed, fully read into memory.
 *
 * <p>Format: a big-endian magic number {@code 0x0000TTNN} where TT is the element type and NN the
 * number of dimensions, then NN big-endian int32 dimension sizes, then the elements in row-major
 * order, big-endian. MNIST images are {@code 0x00000803} (ubyte, 3 dims: N, 28, 28), labels
 * {@code 0x00000801} (ubyte, 1 dim: N). Gzip is recognised by its magic bytes, not the file name.
 *
 * <p>Everything is validated: magic, dimensions, and the exact payload length (a truncated or
 * overlong file is an error naming the file and the byte counts).
 */
public final class Idx {
    /** Element types of the IDX format. */
    public enum Type {
        UBYTE(0x08, 1), BYTE(0x09, 1), SHORT(0x0B, 2), INT(0x0C, 4), FLOAT(0x0D, 4), DOUBLE(0x0E, 8);

        /** The type byte in the magic number. */
        public final int code;
        /** Bytes per element. */
        public final int size;

        Type(int code, int size) {
            this.code = code;
            this.size = size;
        }

        static Type of(int code) {
            for (Type t : values()) if (t.code == code) return t;
            return null;
        }

        boolean integral() { return this != FLOAT && this != DOUBLE; }
    }

    private static final int BUFFER = 1 << 16;
    /** First allocation for the payload; it grows as data actually arrives, so a corrupt header
     *  claiming gigabytes cannot make us allocate them up front. */
    private static final int INITIAL_CHUNK = 1 << 26;

    private final Path path;
    private final Type type;
    private final int[] dims;
    private final byte[] payload;

    private Idx(Path path, Type type, int[] dims, byte[] payload) {
        this.path = path;
        this.type = type;
        this.dims = dims;
        this.payload = payload;
    }

    /** Reads and validates an IDX file, gzip-compressed or not. */
    public static Idx read(Path path) throws IOException {
        if (Files.isDirectory(path)) throw new DataFormatException(path + ": is a directory, expected an IDX file");
        try (InputStream file = Files.newInputStream(path)) {
            BufferedInputStream buffered = new BufferedInputStream(file, BUFFER);
            buffered.mark(2);
            boolean gzip = buffered.read() == 0x1f && buffered.read() == 0x8b;
            buffered.reset();
            InputStream in = gzip ? new GZIPInputStream(buffered, BUFFER) : buffered;
            return read(path, in, gzip);
        } catch (NoSuchFileException e) {
            throw new DataFormatException(path + ": no such file", e);
        } catch (ZipException | EOFException e) {
            throw new DataFormatException(path + ": corrupt gzip data (" + e.getMessage() + ")", e);
        }
    }

    private static Idx read(Path path, InputStream in, boolean gzip) throws IOException {
        byte[] magic = new byte[4];
        int got = readUpTo(in, magic, 0, 4);
        if (got < 4) throw new DataFormatException(path + ": truncated: expected an IDX header, got " + got + " bytes");
        Type type = Type.of(magic[2] & 0xFF);
        int rank = magic[3] & 0xFF;
        if (magic[0] != 0 || magic[1] != 0 || type == null) {
            throw new DataFormatException(String.format("%s: not an IDX file (%smagic number 0x%08x; IDX files start with"
                    + " 0x0000TTNN, TT the type and NN the rank, e.g. 0x00000803 for MNIST images)",
                    path, gzip ? "after gunzip, " : "", ByteBuffer.wrap(magic).getInt()));
        }
        if (rank == 0) throw new DataFormatException(path + ": IDX file with 0 dimensions; expected at least 1 (the example count)");
        int headerBytes = 4 + 4 * rank;
        byte[] dimBytes = new byte[4 * rank];
        got = readUpTo(in, dimBytes, 0, dimBytes.length);
        if (got < dimBytes.length) {
            throw new DataFormatException(path + ": truncated: expected a " + headerBytes + "-byte header, got " + (4 + got) + " bytes");
        }
        int[] dims = new int[rank];
        ByteBuffer db = ByteBuffer.wrap(dimBytes);
        for (int i = 0; i < rank; i++) {
            dims[i] = db.getInt();
            if (dims[i] < 0 || (i > 0 && dims[i] == 0)) throw new DataFormatException(path + ": invalid header: dimension " + i + " is " + dims[i]);
        }
        long perExample = Tensor.numel(Arrays.copyOfRange(dims, 1, rank));
        if (perExample > Integer.MAX_VALUE)
            throw new DataFormatException(path + ": invalid header: examples of shape " + Tensor.shapeString(Arrays.copyOfRange(dims, 1, rank))
                    + " would have " + (perExample == Long.MAX_VALUE ? "more than 9e18" : String.format("%,d", perExample)) + " values each, more than supported");
        long payloadBytes = Tensor.numel(dims) == Long.MAX_VALUE ? Long.MAX_VALUE : Tensor.numel(dims) * type.size;
        if (payloadBytes > Integer.MAX_VALUE - 8) {
            throw new DataFormatException(path + ": " + type + " data of shape " + Tensor.shapeString(dims) + " is too large (over 2 GB), not supported");
        }
        long expected = headerBytes + payloadBytes;
        byte[] payload = readPayload(path, in, (int) payloadBytes, headerBytes, expected, gzip);
        if (in.read() != -1) {
            throw new DataFormatException(path + ": unexpected data after the " + expected + " bytes that the header "
                    + type + Tensor.shapeString(dims) + " calls for");
        }
        return new Idx(path, type, dims, payload);
    }

    private static byte[] readPayload(Path path, InputStream in, int n, int headerBytes, long expected, boolean gzip) throws IOException {
        byte[] buf = new byte[Math.min(n, INITIAL_CHUNK)];
        int off = 0;
        try {
            while (off < n) {
                if (off == buf.length) buf = Arrays.copyOf(buf, (int) Math.min(n, 2L * buf.length));
                int r = in.read(buf, off, buf.length - off);
                if (r < 0) break;
                off += r;
            }
        } catch (EOFException e) {
            // GZIPInputStream: the compressed stream ends before its end marker (a cut-off .gz file)
            throw new DataFormatException(path + ": truncated: expected " + expected + " bytes, got " + (headerBytes + off)
                    + (gzip ? " (the gzip stream is cut off)" : ""), e);
        }
        if (off < n) throw new DataFormatException(path + ": truncated: expected " + expected + " bytes, got " + (headerBytes + off));
        return buf;
    }

    private static int readUpTo(InputStream in, byte[] b, int off, int len) throws IOException {
        int total = 0;
        try {
            while (total < len) {
                int r = in.read(b, off + total, len - total);
                if (r < 0) break;
                total += r;
            }
        } catch (EOFException e) {
            // a cut-off gzip stream: report as a short read
        }
        return total;
    }

    /** The file this was read from. */
    public Path path() { return path; }

    public Type type() { return type; }

    /** All dimensions, the first being the number of items. */
    public int[] dims() { return dims.clone(); }

    /** Number of items (the first dimension). */
    public int count() { return dims[0]; }

    /** Shape of one item: the dimensions after the first ({@code [28, 28]} for MNIST images, {@code []} for labels). */
    public int[] itemShape() { return Arrays.copyOfRange(dims, 1, dims.length); }

    /** Total number of elements. */
    public int numel() { return payload.length / type.size; }

    /** The elements as floats, each multiplied by {@code scale} (e.g. {@code 1/255f} for pixels). */
    public float[] toFloats(float scale) {
        int n = numel();
        float[] out = new float[n];
        ByteBuffer bb = ByteBuffer.wrap(payload); // big-endian, as IDX
        switch (type) {
            case UBYTE -> { for (int i = 0; i < n; i++) out[i] = (payload[i] & 0xFF) * scale; }
            case BYTE -> { for (int i = 0; i < n; i++) out[i] = payload[i] * scale; }
            case SHORT -> { for (int i = 0; i < n; i++) out[i] = bb.getShort(2 * i) * scale; }
            case INT -> { for (int i = 0; i < n; i++) out[i] = bb.getInt(4 * i) * scale; }
            case FLOAT -> { for (int i = 0; i < n; i++) out[i] = bb.getFloat(4 * i) * scale; }
            case DOUBLE -> { for (int i = 0; i < n; i++) out[i] = (float) (bb.getDouble(8 * i) * scale); }
        }
        return out;
    }

    /** The elements as ints (labels); fails for float files. */
    public int[] toInts() {
        if (!type.integral()) throw new DataFormatException(path + ": holds " + type + " values, expected integers (labels)");
        int n = numel();
        int[] out = new int[n];
        ByteBuffer bb = ByteBuffer.wrap(payload);
        switch (type) {
            case UBYTE -> { for (int i = 0; i < n; i++) out[i] = payload[i] & 0xFF; }
            case BYTE -> { for (int i = 0; i < n; i++) out[i] = payload[i]; }
            case SHORT -> { for (int i = 0; i < n; i++) out[i] = bb.getShort(2 * i); }
            default -> bb.asIntBuffer().get(out);
        }
        return out;
    }

    @Override
    public String toString() {
        return "Idx[" + path.getFileName() + ": " + type + " " + Tensor.shapeString(dims) + "]";
    }
}
