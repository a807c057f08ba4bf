package dev.ingot.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.ingot.runtime.exec.Parallel;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class Conv2dTest {

    /** A shape and its batch size, with a name for messages. */
    private record Case(String name, Conv2dShape s, int batch) {
    }

    private static Conv2dShape shape(int c, int h, int w, int oc, int kh, int kw, int sh, int sw, int pt, int pl,
                                     int pb, int pr, int dh, int dw, int groups) {
        return new Conv2dShape(c, h, w, oc, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, groups);
    }

    private static final List<Case> CASES = List.of(
            new Case("cnn conv1", shape(1, 28, 28, 32, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1), 2),
            new Case("cnn conv2", shape(32, 26, 26, 64, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1), 2),
            new Case("stride 2 pad 1", shape(3, 11, 9, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1), 3),
            new Case("stride 2x3 dilation 1x2", shape(2, 13, 17, 6, 3, 2, 2, 3, 1, 0, 0, 2, 1, 2, 1), 1),
            new Case("dilation 2", shape(4, 10, 12, 6, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1), 1),
            new Case("same even kernel (asymmetric)", shape(3, 8, 7, 4, 4, 2, 1, 1, 1, 0, 2, 1, 1, 1, 1), 3),
            new Case("groups 2", shape(6, 9, 9, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2), 3),
            new Case("depthwise", shape(8, 12, 11, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 8), 2),
            new Case("depthwise x2 stride 2", shape(4, 9, 9, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 4), 2),
            new Case("1x1", shape(16, 7, 5, 24, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1), 3),
            new Case("1x1 stride 2", shape(5, 9, 8, 7, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1), 1),
            new Case("1x1 padded", shape(3, 4, 5, 6, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1), 1),
            new Case("odd 5x3", shape(5, 13, 17, 13, 5, 3, 1, 1, 2, 1, 2, 1, 1, 1, 1), 1),
            new Case("pad beyond kernel", shape(2, 5, 6, 3, 2, 2, 1, 1, 3, 2, 3, 3, 1, 1, 1), 2),
            new Case("7 channels (block + tail)", shape(3, 10, 10, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1), 2),
            new Case("many channels small image", shape(40, 5, 4, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1), 1),
            new Case("1 pixel out", shape(3, 3, 3, 5, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1), 3),
            new Case("wide image", shape(2, 3, 70, 5, 3, 3, 1, 1, 0, 1, 0, 1, 1, 1, 1), 2));

    private static final Conv2dAlgo[] ALGOS = Conv2dAlgo.values();

    /** Operands and references per case, shared by the 1- and 2-thread tests (the references dominate the time). */
    private static final Map<Case, Data> DATA = new ConcurrentHashMap<>();

    @AfterAll
    static void restore() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void allShapesAllAlgorithmsOneThread() {
        checkAll(1);
    }

    @Test
    void allShapesAllAlgorithmsTwoThreads() {
        checkAll(2);
    }

    private static void checkAll(int threads) {
        Parallel.setThreads(threads);
        List<String> failures = new ArrayList<>();
        for (Case c : CASES) {
            Data d = DATA.computeIfAbsent(c, k -> new Data(k.s, k.batch, k.name.hashCode()));
            for (Conv2dAlgo a : ALGOS) {
                if (a == Conv2dAlgo.DIRECT && !Conv2d.supportsDirect(c.s)) {
                    continue;
                }
                String what = c.name + " " + c.s + " batch " + c.batch + " " + a + " threads " + threads;
                try {
                    d.check(a);
                } catch (AssertionError e) {
                    failures.add(what + ": " + e.getMessage());
                }
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " failures:\n" + String.join("\n", failures));
        }
    }

    /** Random operands, their references, and a checker that runs one algorithm with offsets and NaN guards. */
    private static final class Data {
        static final int OFF = 3;
        final Conv2dShape s;
        final int batch;
        final float[] x, w, dy;
        final double[][] y, dx, dw;

        Data(Conv2dShape s, int batch, long seed) {
            this.s = s;
            this.batch = batch;
            SplittableRandom r = new SplittableRandom(seed);
            x = random(r, batch * s.inSize());
            w = random(r, s.weightSize());
            dy = random(r, batch * s.outSize());
            y = Conv2dReference.forward(x, w, s, batch);
            dx = Conv2dReference.backwardInput(dy, w, s, batch);
            dw = Conv2dReference.backwardWeight(x, dy, s, batch);
        }

        void check(Conv2dAlgo a) {
            float[] xo = guarded(x), wo = guarded(w), dyo = guarded(dy);
            float[] out = guarded(new float[batch * s.outSize()]);
            Arrays.fill(out, OFF, OFF + batch * s.outSize(), Float.NaN);
            Conv2d.forward(xo, OFF, wo, OFF, out, OFF, s, batch, a);
            compare("forward", out, y);
            float[] gin = guarded(new float[batch * s.inSize()]);
            Arrays.fill(gin, OFF, OFF + batch * s.inSize(), Float.NaN);
            Conv2d.backwardInput(dyo, OFF, wo, OFF, gin, OFF, s, batch, a);
            compare("backwardInput", gin, dx);
            float[] gw = guarded(new float[s.weightSize()]);
            Arrays.fill(gw, OFF, OFF + s.weightSize(), Float.NaN);
            Conv2d.backwardWeight(xo, OFF, dyo, OFF, gw, OFF, s, batch, a);
            compare("backwardWeight", gw, dw);
            // run twice: scratch reuse must not leak state between calls
            Conv2d.forward(xo, OFF, wo, OFF, out, OFF, s, batch, a);
            compare("forward (again)", out, y);
            Conv2d.backwardWeight(xo, OFF, dyo, OFF, gw, OFF, s, batch, a);
            compare("backwardWeight (again)", gw, dw);
        }

        /** A copy at offset OFF with NaN guards on both sides (reading a guard poisons the result). */
        private static float[] guarded(float[] v) {
            float[] g = new float[v.length + 2 * OFF];
            Arrays.fill(g, Float.NaN);
            System.arraycopy(v, 0, g, OFF, v.length);
            return g;
        }

        private static void compare(String what, float[] got, double[][] ref) {
            double[] v = ref[0], a = ref[1];
            for (int i = 0; i < OFF; i++) {
                assertTrue(Float.isNaN(got[i]) && Float.isNaN(got[got.length - 1 - i]),
                        what + ": wrote outside its range");
            }
            for (int i = 0; i < v.length; i++) {
                double tol = 1e-5 * a[i] + 1e-6;
                double g = got[OFF + i];
                if (!(Math.abs(g - v[i]) <= tol)) {
                    throw new AssertionError(what + ": element " + i + " is " + g + ", expected " + v[i]
                            + " (tolerance " + tol + ")");
                }
            }
        }

        private static float[] random(SplittableRandom r, int n) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = (float) (r.nextDouble() * 2 - 1);
            }
            return v;
        }
    }

    @Test
    void outputSizeFollowsPyTorch() {
        Conv2dShape s = shape(3, 28, 28, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1);
        assertEquals(14, s.oh());
        assertEquals(14, s.ow());
        Conv2dShape d = shape(3, 10, 11, 8, 3, 3, 1, 2, 0, 0, 0, 0, 2, 3, 1);
        assertEquals(6, d.oh());
        assertEquals(3, d.ow());
        Conv2dShape same = shape(1, 7, 7, 1, 4, 4, 1, 1, 1, 1, 2, 2, 1, 1, 1);
        assertEquals(7, same.oh());
        assertEquals(288, Conv2dShape.of(32, 26, 26, 64, 3, 0).ckk());
    }

    @Test
    void invalidShapesAreRejectedWithClearMessages() {
        String m = assertThrows(IllegalArgumentException.class,
                () -> shape(3, 8, 8, 4, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 2)).getMessage();
        assertTrue(m.contains("divisible by groups"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> shape(3, 2, 8, 4, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1)).getMessage();
        assertTrue(m.contains("larger than the padded input"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> shape(3, 8, 8, 4, 3, 3, 0, 1, 0, 0, 0, 0, 1, 1, 1)).getMessage();
        assertTrue(m.contains("strideH must be >= 1"), m);
        m = assertThrows(IllegalArgumentException.class,
                () -> shape(3, 8, 8, 4, 3, 3, 1, 1, -1, 0, 0, 0, 1, 1, 1)).getMessage();
        assertTrue(m.contains("padding must be >= 0"), m);
        Conv2dShape ok = Conv2dShape.of(2, 5, 5, 3, 3, 1);
        assertThrows(IndexOutOfBoundsException.class,
                () -> Conv2d.forward(new float[49], 0, new float[54], 0, new float[75], 0, ok, 1));
        Conv2dShape strided = shape(2, 5, 5, 3, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1, 1);
        assertThrows(IllegalArgumentException.class, () -> Conv2d.forward(new float[50], 0, new float[54], 0,
                new float[12], 0, strided, 1, Conv2dAlgo.DIRECT));
    }

    @Test
    void emptyBatch() {
        Conv2dShape s = Conv2dShape.of(2, 5, 5, 3, 3, 1);
        float[] dw = new float[s.weightSize()];
        Arrays.fill(dw, 1f);
        Conv2d.forward(new float[0], 0, new float[54], 0, new float[0], 0, s, 0);
        Conv2d.backwardWeight(new float[0], 0, new float[0], 0, dw, 0, s, 0);
        assertEquals(0f, dw[17]);
    }

    @Test
    void noAllocationAfterWarmUp() {
        Parallel.setThreads(2);
        Conv2dShape c1 = shape(1, 28, 28, 32, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1);
        Conv2dShape c2 = shape(32, 26, 26, 64, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1);
        Conv2dShape dwc = shape(8, 12, 11, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 8);
        Conv2dShape st = shape(3, 11, 9, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1);
        Conv2dShape[] shapes = {c1, c2, dwc, st};
        int[] batches = {4, 3, 1, 2};
        float[][][] bufs = new float[shapes.length][][];
        for (int i = 0; i < shapes.length; i++) {
            Conv2dShape s = shapes[i];
            int b = batches[i];
            bufs[i] = new float[][] {new float[b * s.inSize()], new float[s.weightSize()], new float[b * s.outSize()]};
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocated = Long.MAX_VALUE;
        // NOTE: vectors are only scalar-replaced once C2 has compiled the kernels; give it rounds until it has. After
        // the other tests of this class, a small kernel (MatMulKernels.row1, the strided shape's backward product) can
        // stay C1-compiled for more than 80 rounds (its C1 code is too big for C2 to inline it into its caller, so it
        // needs a C2 compile of its own): the test failed in about one run in three at 80 rounds.
        for (int round = 0; round < 600 && allocated > 0; round++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int rep = 0; rep < 5; rep++) {
                for (int i = 0; i < shapes.length; i++) {
                    Conv2dShape s = shapes[i];
                    float[][] b = bufs[i];
                    Conv2d.forward(b[0], 0, b[1], 0, b[2], 0, s, batches[i]);
                    Conv2d.backwardInput(b[2], 0, b[1], 0, b[0], 0, s, batches[i]);
                    Conv2d.backwardWeight(b[0], 0, b[2], 0, b[1], 0, s, batches[i]);
                }
            }
            allocated = mx.getCurrentThreadAllocatedBytes() - before;
        }
        assertEquals(0, allocated, "bytes allocated by the calling thread after warm-up");
    }

    /**
     * The weight gradient sums over images: with a given thread count it must be bit-identical from call to call,
     * whichever thread runs which images (2, 3 and 16 threads on however many cores; a second thread keeps the
     * pool busy in between so that the caller sometimes waits its turn).
     */
    @Test
    void weightGradientIsBitIdenticalForAGivenThreadCount() throws Exception {
        Conv2dShape gemm = shape(8, 14, 14, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        Conv2dShape direct = shape(3, 11, 9, 8, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1);
        Thread noise = new Thread(() -> {
            float[] a = new float[4096];
            for (int r = 0; r < 2000 && !Thread.currentThread().isInterrupted(); r++) {
                Parallel.get().forRange(a.length, 64, (lo, hi) -> { for (int i = lo; i < hi; i++) a[i] += 1f; });
            }
        });
        noise.start();
        try {
            for (int threads : new int[] {2, 3, 16}) {
                Parallel.setThreads(threads);
                for (Conv2dShape s : new Conv2dShape[] {gemm, direct}) {
                    for (Conv2dAlgo algo : new Conv2dAlgo[] {Conv2dAlgo.GEMM, Conv2dAlgo.DIRECT}) {
                        if (algo == Conv2dAlgo.DIRECT && !Conv2d.supportsDirect(s)) {
                            continue;
                        }
                        int batch = 37;
                        float[] x = random(batch * s.inSize(), 3), dy = random(batch * s.outSize(), 4);
                        float[] first = null;
                        for (int rep = 0; rep < 12; rep++) {
                            float[] dw = new float[s.weightSize()];
                            Conv2d.backwardWeight(x, 0, dy, 0, dw, 0, s, batch, algo);
                            if (first == null) {
                                first = dw;
                            } else {
                                for (int i = 0; i < dw.length; i++) {
                                    assertEquals(Float.floatToIntBits(first[i]), Float.floatToIntBits(dw[i]),
                                            algo + " " + threads + " threads, element " + i + ", repetition " + rep);
                                }
                            }
                        }
                    }
                }
            }
        } finally {
            noise.interrupt();
            noise.join();
        }
    }

    private static float[] random(int n, long seed) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        return a;
    }

    /**
     * The scalar configuration ({@code -Dingot.vector=false}) and 256-bit vectors (8 lanes: other block sizes of the
     * direct and pooling kernels) in child JVMs, since both settings are read once per JVM.
     */
    @Test
    void otherVectorConfigurations() throws Exception {
        for (String flag : new String[] {"-Dingot.vector=false", "-Dingot.vector.bits=256"}) {
            String exe = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(exe, "--add-modules", "jdk.incubator.vector", flag,
                    "-cp", System.getProperty("java.class.path"), Conv2dChildCheck.class.getName());
            pb.redirectErrorStream(true);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = p.waitFor();
            assertEquals(0, code, flag + ":\n" + out);
            assertTrue(out.contains(flag.equals("-Dingot.vector=false") ? "vector=false" : "lanes=8"), out);
        }
    }
}
