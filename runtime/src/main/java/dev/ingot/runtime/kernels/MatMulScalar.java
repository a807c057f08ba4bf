package dev.ingot.runtime.kernels;

/**
 * Plain-Java SGEMM: the fallback of {@link MatMul} when the Vector API is disabled ({@code ingot.vector=false}) or
 * the machine has no useful SIMD width, and a second implementation for the tests.
 *
 * <p>Same contract as {@link MatMul#matmul}. Loop orders are chosen so that the innermost loop walks memory with
 * stride 1 wherever possible:
 * <ul>
 *   <li>B not transposed: {@code i, kk, j} (row of C += a(i,kk) * row of B); HotSpot's superword pass vectorizes the
 *       inner loop on its own;</li>
 *   <li>B transposed: {@code i, j, kk} dot products (row of A against row of B), with a float accumulator.</li>
 * </ul>
 * No blocking or packing: this path is about being obviously correct and allocation-free, not fast.
 */
public final class MatMulScalar {
    private MatMulScalar() {
    }

    /** Single-threaded; see {@link MatMul#matmul} for the arguments. */
    public static void matmul(float[] a, int aOff, boolean transA,
                              float[] b, int bOff, boolean transB,
                              float[] c, int cOff, int m, int n, int k, boolean accumulate) {
        MatMul.checkArgs(a, aOff, b, bOff, c, cOff, m, n, k);
        rows(a, aOff, transA, b, bOff, transB, c, cOff, m, n, k, accumulate, 0, m);
    }

    /** With an epilogue {@code C = act(C + bias)} (see {@link Epilogue}). */
    public static void matmul(float[] a, int aOff, boolean transA,
                              float[] b, int bOff, boolean transB,
                              float[] c, int cOff, int m, int n, int k, boolean accumulate,
                              float[] bias, int biasOff, int act) {
        matmul(a, aOff, transA, b, bOff, transB, c, cOff, m, n, k, accumulate);
        Epilogue.scalar(c, cOff, n, 0, m, 0, n, bias, biasOff, act);
    }

    /** Rows {@code [i0, i1)} of C; arguments already checked. */
    static void rows(float[] a, int aOff, boolean transA, float[] b, int bOff, boolean transB,
                     float[] c, int cOff, int m, int n, int k, boolean accumulate, int i0, int i1) {
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        // element (i, kk) of op(A) is a[aOff + i*ars + kk*aks]
        int ars = transA ? 1 : lda;
        int aks = transA ? lda : 1;
        for (int i = i0; i < i1; i++) {
            int ci = cOff + i * n;
            int ai = aOff + i * ars;
            if (!transB) {
                if (!accumulate) {
                    for (int j = 0; j < n; j++) {
                        c[ci + j] = 0f;
                    }
                }
                for (int kk = 0; kk < k; kk++) {
                    float aik = a[ai + kk * aks];
                    int bi = bOff + kk * ldb;
                    for (int j = 0; j < n; j++) {
                        c[ci + j] += aik * b[bi + j];
                    }
                }
            } else {
                for (int j = 0; j < n; j++) {
                    int bi = bOff + j * ldb;
                    float s = 0f;
                    for (int kk = 0; kk < k; kk++) {
                        s += a[ai + kk * aks] * b[bi + kk];
                    }
                    c[ci + j] = accumulate ? c[ci + j] + s : s;
                }
            }
        }
    }

    /** {@code batch} independent products, operand i at {@code off + i * stride}: plain scalar Java. */
    public static void batchedMatmul(int batch, float[] a, int aOff, int aStride, boolean transA,
                                     float[] b, int bOff, int bStride, boolean transB,
                                     float[] c, int cOff, int cStride, int m, int n, int k, boolean accumulate) {
        for (int i = 0; i < batch; i++)
            matmul(a, aOff + i * aStride, transA, b, bOff + i * bStride, transB, c, cOff + i * cStride, m, n, k, accumulate);
    }
}
