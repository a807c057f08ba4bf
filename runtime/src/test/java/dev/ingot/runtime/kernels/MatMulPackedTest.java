package dev.ingot.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ingot.runtime.exec.Parallel;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Products with a pre-packed right operand against the naive triple loop, every transpose and tail case. */
class MatMulPackedTest {
    @ParameterizedTest(name = "{0}x{1}x{2} transA={3} transB={4} acc={5} threads={6}")
    @CsvSource({"32,256,1024,false,true,false,1", "32,256,1024,false,true,false,2", "32,256,1024,false,false,true,2",
            "7,13,5,false,false,false,1", "1,64,10,false,true,false,1", "6,100,33,true,false,false,2", "64,128,2100,false,true,true,2",
            "5,300,17,true,true,false,1", "130,70,130,false,false,false,2", "33,45,130,false,false,true,1", "10,20,64,true,false,false,2",
            "1,256,1024,false,true,false,1", "1,300,200,true,false,true,1", "1,130,1100,false,false,true,2", "1,40,300,false,true,false,2"})
    void matchesTheDefinition(int m, int k, int n, boolean transA, boolean transB, boolean acc, int threads) {
        Parallel.setThreads(threads);
        var r = new SplittableRandom(m * 31L + n);
        float[] a = new float[m * k + 3], b = new float[k * n + 5], c = new float[m * n + 2];
        for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        for (int i = 0; i < b.length; i++) b[i] = (float) (r.nextDouble() * 2 - 1);
        for (int i = 0; i < c.length; i++) c[i] = (float) (r.nextDouble() * 2 - 1);
        float[] c0 = c.clone();
        float[] packed = new float[MatMulPacked.size(k, n) + 4];
        MatMulPacked.pack(b, 5, transB, k, n, packed, 4);
        MatMulPacked.matmul(a, 3, transA, packed, 4, c, 2, m, n, k, acc);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double s = acc ? c0[2 + i * n + j] : 0;
                for (int p = 0; p < k; p++) s += (double) a[3 + (transA ? p * m + i : i * k + p)] * b[5 + (transB ? j * k + p : p * n + j)];
                assertEquals(s, c[2 + i * n + j], 1e-4 * Math.sqrt(k) * (1 + Math.abs(s)), "C[" + i + "," + j + "]");
            }
        assertEquals(c0[0], c[0]);
        assertEquals(c0[1], c[1]);
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /** A single row (a batch-1 recurrent step, which has a kernel of its own) gives the bits of the same row in a batch. */
    @ParameterizedTest(name = "k={0} n={1} acc={2}")
    @CsvSource({"256,1024,false", "300,200,true", "130,1100,true", "40,300,false"})
    void oneRowHasTheBitsOfARowInABatch(int k, int n, boolean acc) {
        Parallel.setThreads(1);
        var r = new SplittableRandom(k * 7L + n);
        int m = 7;
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
        for (int i = 0; i < b.length; i++) b[i] = (float) (r.nextDouble() * 2 - 1);
        for (int i = 0; i < c.length; i++) c[i] = (float) (r.nextDouble() * 2 - 1);
        float[] one = java.util.Arrays.copyOf(c, n);
        float[] packed = new float[MatMulPacked.size(k, n)];
        MatMulPacked.pack(b, 0, false, k, n, packed, 0);
        MatMulPacked.matmul(a, 0, false, packed, 0, c, 0, m, n, k, acc);
        MatMulPacked.matmul(a, 0, false, packed, 0, one, 0, 1, n, k, acc);
        for (int j = 0; j < n; j++) assertEquals(Float.floatToRawIntBits(c[j]), Float.floatToRawIntBits(one[j]), "column " + j);
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }
}
