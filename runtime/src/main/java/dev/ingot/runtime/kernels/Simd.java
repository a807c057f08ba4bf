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
