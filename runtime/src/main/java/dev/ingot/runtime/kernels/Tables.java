package dev.ingot.runtime.kernels;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/**
 * Constant tables of generated code (attention masks, positional encodings), stored as base64
 * strings of little-endian floats: a Java array initializer of a few thousand elements would make
 * the class initializer exceed the 64 KB method limit.
 */
public final class Tables {
    private Tables() {}

    /** Decodes the concatenation of {@code parts} (each under the 64 KB string-constant limit). */
    public static float[] floats(String... parts) {
        StringBuilder sb = new StringBuilder();
        for (String p : parts) sb.append(p);
        ByteBuffer b = ByteBuffer.wrap(Base64.getDecoder().decode(sb.toString())).order(ByteOrder.LITTLE_ENDIAN);
        float[] r = new float[b.remaining() / 4];
        b.asFloatBuffer().get(r);
        return r;
    }

    /** The encoding {@link #floats} reads (used by the compiler). */
    public static String encode(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return Base64.getEncoder().encodeToString(b.array());
    }
}
