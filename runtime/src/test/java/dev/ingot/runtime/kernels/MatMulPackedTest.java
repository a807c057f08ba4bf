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
            "5,300,17,true,true,false,1", "130,70,130,false,false,false,2", "33,45,130,false,false,true,1", "10,20,64,true,false,false,2"})
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
}
