package dev.ingot.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The transposing tiles of the packs: the 16x16 vector tile and the scalar tile against the definition. */
class MatMulTransposeTest {

    /** dst[dOff + r*dStride + t] = src[s0 + r + t*stride], r in [0, count), t in [0, 16); the rest of dst untouched. */
    private static float[] expected(float[] src, int s0, int stride, int count, float[] dst0, int dOff, int dStride) {
        float[] d = dst0.clone();
        for (int r = 0; r < count; r++) {
            for (int t = 0; t < 16; t++) {
                d[dOff + r * dStride + t] = src[s0 + r + t * stride];
            }
        }
        return d;
    }

    @Test
    void vectorTileTransposes() {
        if (MatMulKernels.L != 16) {
            return; // the vector tile needs 512-bit vectors; MatMulTranspose.ENABLED is false elsewhere
        }
        SplittableRandom rnd = new SplittableRandom(5);
        int[][] cases = {{0, 16, 0, 16}, {3, 37, 5, 21}, {11, 129, 7, 64}, {1, 1030, 2, 128}};
        for (int[] c : cases) {
            int s0 = c[0], stride = c[1], dOff = c[2], dStride = c[3];
            float[] src = new float[s0 + 16 * stride + 16];
            for (int i = 0; i < src.length; i++) {
                src[i] = (float) rnd.nextDouble();
            }
            float[] dst = new float[dOff + 16 * dStride + 16];
            java.util.Arrays.fill(dst, Float.NaN);
            float[] want = expected(src, s0, stride, 16, dst, dOff, dStride);
            MatMulTranspose.tile(src, s0, stride, dst, dOff, dStride);
            assertArrayEquals(want, dst, "stride " + stride + " dStride " + dStride);
        }
    }

    @Test
    void scalarTileTransposesAnyCount() {
        SplittableRandom rnd = new SplittableRandom(6);
        for (int count : new int[] {0, 1, 5, 16, 23}) {
            int s0 = 2, stride = 41, dOff = 3, dStride = 19;
            float[] src = new float[s0 + 16 * stride + count];
            for (int i = 0; i < src.length; i++) {
                src[i] = (float) rnd.nextDouble();
            }
            float[] dst = new float[dOff + count * dStride + 16];
            float[] want = expected(src, s0, stride, count, dst, dOff, dStride);
            MatMulPack.transposeTile(src, s0, stride, count, dst, dOff, dStride);
            assertArrayEquals(want, dst, "count " + count);
        }
    }

    @Test
    void vectorTransposeOnlyFromJdk25ByDefault() {
        if (System.getProperty("ingot.matmul.vectorTranspose") == null) {
            assertEquals(MatMulKernels.ENABLED && MatMulKernels.L == 16 && Runtime.version().feature() >= 25,
                    MatMulTranspose.ENABLED);
        }
    }
}
