package dev.ingot.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API form of {@link Rng#uniform(int, int)}, in a class of its own so that scalar code
 * (the plain-Java target) never loads a Vector API class.
 */
public final class RngVectors {
    private RngVectors() {}

    /** The same for a vector of consecutive indices {@code index0 + lane}. */
    public static FloatVector uniform(VectorSpecies<Integer> species, int key, int index0) {
        IntVector h = IntVector.zero(species).addIndex(1).add(index0).mul(0x9E3779B9).add(key);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16)).mul(0x85EBCA6B);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 13)).mul(0xC2B2AE35);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16));
        return ((FloatVector) h.lanewise(VectorOperators.LSHR, 8).convert(VectorOperators.I2F, 0)).mul(0x1.0p-24f);
    }
}
