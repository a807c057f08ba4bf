package dev.ingot.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one vector-species setting of the runtime: the precompiled kernels (matmul, convolution, pooling) and the
 * generated code ({@code F} and {@code I} of every generated class) all use {@link #F}.
 * <ul>
 *   <li>{@code -Dingot.vector.bits=64|128|256|512} narrows the species (never wider than the hardware's preferred
 *       one: an unsupported shape falls back to very slow Java code);</li>
 *   <li>{@code -Dingot.vector=false} selects the plain scalar code everywhere ({@link #ENABLED} false), and so does
 *       a species narrower than 8 floats (no useful SIMD).</li>
 * </ul>
 */
public final class Simd {
    private Simd() {}

    /** The float species. */
    public static final VectorSpecies<Float> F = species();
    /** The int species of the same shape (indices, random bits, float-to-int conversions). */
    public static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED.vectorShape() == F.vectorShape()
            ? IntVector.SPECIES_PREFERRED : VectorSpecies.of(int.class, F.vectorShape());
    /** Floats per vector. */
    public static final int L = F.length();
    /** Whether the vector kernels are used. */
    public static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty("ingot.vector", "true")) && L >= 8;

    /**
     * The butterfly shuffles of {@link #sum}: lane i takes lane i ^ d (null where d is not below {@link #L}). The
     * generated kernels run the same butterfly as statements of their own (a call to {@code sum} that C2 does not
     * inline, as happens on JDK 17 after a reduction loop, boxes the vector: one allocation per row).
     */
    public static final jdk.incubator.vector.VectorShuffle<Float> X1 = xor(1), X2 = xor(2), X4 = xor(4), X8 = xor(8), X16 = xor(16);

    private static jdk.incubator.vector.VectorShuffle<Float> xor(int d) {
        return d < F.length() ? jdk.incubator.vector.VectorShuffle.fromOp(F, i -> i ^ d) : null;
    }

    /**
     * The sum of a vector's lanes in one fixed order (a butterfly of lanewise adds), the same bits in every
     * JIT tier. NOTE: not {@code reduceLanes(ADD)}: its order is the interpreter's sequential loop in C1 and
     * the interpreter but a tree in C2 on JDK 21 and later, so results changed when a kernel got compiled.
     */
    public static float sum(FloatVector v) {
        if (L > 16) v = v.add(v.rearrange(X16));
        if (L > 8) v = v.add(v.rearrange(X8));
        if (L > 4) v = v.add(v.rearrange(X4));
        if (L > 2) v = v.add(v.rearrange(X2));
        if (L > 1) v = v.add(v.rearrange(X1));
        return v.lane(0);
    }

    private static VectorSpecies<Float> species() {
        VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
        String bits = System.getProperty("ingot.vector.bits");
        if (bits == null) {
            return preferred;
        }
        int b = Integer.parseInt(bits.trim());
        if (b > preferred.vectorBitSize()) {
            return preferred;
        }
        switch (b) {
            case 64: return FloatVector.SPECIES_64;
            case 128: return FloatVector.SPECIES_128;
            case 256: return FloatVector.SPECIES_256;
            case 512: return FloatVector.SPECIES_512;
            default: throw new IllegalArgumentException("ingot.vector.bits must be 64, 128, 256 or 512: " + bits);
        }
    }
}
