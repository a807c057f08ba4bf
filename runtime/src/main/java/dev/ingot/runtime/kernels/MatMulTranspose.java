package dev.ingot.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * A 16 x 16 float transpose in registers for the transposing packs of {@link MatMulPack} (A stored [k,m], B stored
 * [n,k]): 16 vector loads, 4 butterfly stages of 16 two-source rearranges, 16 vector stores.
 *
 * <p>Stage with distance b (8, 4, 2, 1) combines rows i and i+b (i with bit b clear): lane j of the new row i is
 * {@code j & b == 0 ? x[j] : y[j - b]}, of the new row i+b {@code j & b == 0 ? x[j + b] : y[j]}. After the four
 * stages row r holds column r of the input.
 *
 * <p>Measured (one core of the AMD EPYC Zen 5 machine, per CPU-second, under load): 0.22 ns per element on JDK 25
 * against 0.38-0.44 for the scalar tile ({@link MatMulPack#transposeTile}). NOTE: on JDK 17 C2 does not intrinsify
 * the two-source rearrange and every vector is boxed (30 ns per element, gigabytes of garbage), so
 * {@link #ENABLED} is off before JDK 25 ({@code -Dingot.matmul.vectorTranspose=true|false} overrides).
 */
final class MatMulTranspose {
    private MatMulTranspose() {
    }

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;

    /** Whether the packs use {@link #tile}: 512-bit vectors in use and JDK 25 or later (see the class comment). */
    static final boolean ENABLED = MatMulKernels.ENABLED && MatMulKernels.L == 16
            && Boolean.parseBoolean(System.getProperty("ingot.matmul.vectorTranspose",
                    Boolean.toString(Runtime.version().feature() >= 25)));

    private static final VectorShuffle<Float> LO0 = shuffle(8, false);
    private static final VectorShuffle<Float> HI0 = shuffle(8, true);
    private static final VectorShuffle<Float> LO1 = shuffle(4, false);
    private static final VectorShuffle<Float> HI1 = shuffle(4, true);
    private static final VectorShuffle<Float> LO2 = shuffle(2, false);
    private static final VectorShuffle<Float> HI2 = shuffle(2, true);
    private static final VectorShuffle<Float> LO3 = shuffle(1, false);
    private static final VectorShuffle<Float> HI3 = shuffle(1, true);

    /** The two-source shuffle of one butterfly stage; an index minus 16 selects from the second vector. */
    private static VectorShuffle<Float> shuffle(int b, boolean high) {
        int[] idx = new int[16];
        for (int j = 0; j < 16; j++) {
            if (!high) {
                idx[j] = (j & b) == 0 ? j : (j - b) - 16;
            } else {
                idx[j] = (j & b) == 0 ? j + b : j - 16;
            }
        }
        return VectorShuffle.fromArray(F, idx, 0);
    }

    /**
     * {@code dst[dOff + r*dStride + t] = src[s0 + r + t*stride]} for r, t in [0, 16): the same contract as
     * {@link MatMulPack#transposeTile} with count 16.
     */
    static void tile(float[] src, int s0, int stride, float[] dst, int dOff, int dStride) {
        FloatVector r0 = FloatVector.fromArray(F, src, s0), r1 = FloatVector.fromArray(F, src, s0 + stride);
        FloatVector r2 = FloatVector.fromArray(F, src, s0 + 2 * stride), r3 = FloatVector.fromArray(F, src, s0 + 3 * stride);
        FloatVector r4 = FloatVector.fromArray(F, src, s0 + 4 * stride), r5 = FloatVector.fromArray(F, src, s0 + 5 * stride);
        FloatVector r6 = FloatVector.fromArray(F, src, s0 + 6 * stride), r7 = FloatVector.fromArray(F, src, s0 + 7 * stride);
        FloatVector r8 = FloatVector.fromArray(F, src, s0 + 8 * stride), r9 = FloatVector.fromArray(F, src, s0 + 9 * stride);
        FloatVector r10 = FloatVector.fromArray(F, src, s0 + 10 * stride), r11 = FloatVector.fromArray(F, src, s0 + 11 * stride);
        FloatVector r12 = FloatVector.fromArray(F, src, s0 + 12 * stride), r13 = FloatVector.fromArray(F, src, s0 + 13 * stride);
        FloatVector r14 = FloatVector.fromArray(F, src, s0 + 14 * stride), r15 = FloatVector.fromArray(F, src, s0 + 15 * stride);
        FloatVector t0, t1;
        // stage b = 8
        VectorShuffle<Float> lo = LO0;
        VectorShuffle<Float> hi = HI0;
        t0 = r0.rearrange(lo, r8); t1 = r0.rearrange(hi, r8); r0 = t0; r8 = t1;
        t0 = r1.rearrange(lo, r9); t1 = r1.rearrange(hi, r9); r1 = t0; r9 = t1;
        t0 = r2.rearrange(lo, r10); t1 = r2.rearrange(hi, r10); r2 = t0; r10 = t1;
        t0 = r3.rearrange(lo, r11); t1 = r3.rearrange(hi, r11); r3 = t0; r11 = t1;
        t0 = r4.rearrange(lo, r12); t1 = r4.rearrange(hi, r12); r4 = t0; r12 = t1;
        t0 = r5.rearrange(lo, r13); t1 = r5.rearrange(hi, r13); r5 = t0; r13 = t1;
        t0 = r6.rearrange(lo, r14); t1 = r6.rearrange(hi, r14); r6 = t0; r14 = t1;
        t0 = r7.rearrange(lo, r15); t1 = r7.rearrange(hi, r15); r7 = t0; r15 = t1;
        lo = LO1;
        hi = HI1;
        t0 = r0.rearrange(lo, r4); t1 = r0.rearrange(hi, r4); r0 = t0; r4 = t1;
        t0 = r1.rearrange(lo, r5); t1 = r1.rearrange(hi, r5); r1 = t0; r5 = t1;
        t0 = r2.rearrange(lo, r6); t1 = r2.rearrange(hi, r6); r2 = t0; r6 = t1;
        t0 = r3.rearrange(lo, r7); t1 = r3.rearrange(hi, r7); r3 = t0; r7 = t1;
        t0 = r8.rearrange(lo, r12); t1 = r8.rearrange(hi, r12); r8 = t0; r12 = t1;
        t0 = r9.rearrange(lo, r13); t1 = r9.rearrange(hi, r13); r9 = t0; r13 = t1;
        t0 = r10.rearrange(lo, r14); t1 = r10.rearrange(hi, r14); r10 = t0; r14 = t1;
        t0 = r11.rearrange(lo, r15); t1 = r11.rearrange(hi, r15); r11 = t0; r15 = t1;
        lo = LO2;
        hi = HI2;
        t0 = r0.rearrange(lo, r2); t1 = r0.rearrange(hi, r2); r0 = t0; r2 = t1;
        t0 = r1.rearrange(lo, r3); t1 = r1.rearrange(hi, r3); r1 = t0; r3 = t1;
        t0 = r4.rearrange(lo, r6); t1 = r4.rearrange(hi, r6); r4 = t0; r6 = t1;
        t0 = r5.rearrange(lo, r7); t1 = r5.rearrange(hi, r7); r5 = t0; r7 = t1;
        t0 = r8.rearrange(lo, r10); t1 = r8.rearrange(hi, r10); r8 = t0; r10 = t1;
        t0 = r9.rearrange(lo, r11); t1 = r9.rearrange(hi, r11); r9 = t0; r11 = t1;
        t0 = r12.rearrange(lo, r14); t1 = r12.rearrange(hi, r14); r12 = t0; r14 = t1;
        t0 = r13.rearrange(lo, r15); t1 = r13.rearrange(hi, r15); r13 = t0; r15 = t1;
        lo = LO3;
        hi = HI3;
        t0 = r0.rearrange(lo, r1); t1 = r0.rearrange(hi, r1); r0 = t0; r1 = t1;
        t0 = r2.rearrange(lo, r3); t1 = r2.rearrange(hi, r3); r2 = t0; r3 = t1;
        t0 = r4.rearrange(lo, r5); t1 = r4.rearrange(hi, r5); r4 = t0; r5 = t1;
        t0 = r6.rearrange(lo, r7); t1 = r6.rearrange(hi, r7); r6 = t0; r7 = t1;
        t0 = r8.rearrange(lo, r9); t1 = r8.rearrange(hi, r9); r8 = t0; r9 = t1;
        t0 = r10.rearrange(lo, r11); t1 = r10.rearrange(hi, r11); r10 = t0; r11 = t1;
        t0 = r12.rearrange(lo, r13); t1 = r12.rearrange(hi, r13); r12 = t0; r13 = t1;
        t0 = r14.rearrange(lo, r15); t1 = r14.rearrange(hi, r15); r14 = t0; r15 = t1;
        r0.intoArray(dst, dOff); r1.intoArray(dst, dOff + dStride); r2.intoArray(dst, dOff + 2 * dStride); r3.intoArray(dst, dOff + 3 * dStride);
        r4.intoArray(dst, dOff + 4 * dStride); r5.intoArray(dst, dOff + 5 * dStride); r6.intoArray(dst, dOff + 6 * dStride); r7.intoArray(dst, dOff + 7 * dStride);
        r8.intoArray(dst, dOff + 8 * dStride); r9.intoArray(dst, dOff + 9 * dStride); r10.intoArray(dst, dOff + 10 * dStride); r11.intoArray(dst, dOff + 11 * dStride);
        r12.intoArray(dst, dOff + 12 * dStride); r13.intoArray(dst, dOff + 13 * dStride); r14.intoArray(dst, dOff + 14 * dStride); r15.intoArray(dst, dOff + 15 * dStride);
    }
}
