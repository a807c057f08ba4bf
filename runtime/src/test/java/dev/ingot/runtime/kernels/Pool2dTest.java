package dev.ingot.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.runtime.exec.Parallel;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class Pool2dTest {

    private static final Pool2dShape[] SHAPES = {
        Pool2dShape.of(3, 24, 24, 2, 2, 0),                      // the cnn workload's pool (fast path)
        Pool2dShape.of(2, 7, 9, 2, 2, 0),                        // fast path, odd leftovers
        Pool2dShape.of(2, 6, 70, 2, 2, 0),                       // fast path with full vector blocks + tail
        Pool2dShape.of(2, 4, 16, 2, 2, 0),                       // fast path, exactly one vector block
        Pool2dShape.of(2, 3, 14, 2, 2, 0),                       // fast path, rows too short for a block
        Pool2dShape.of(2, 9, 11, 3, 2, 0),                       // overlapping windows k3 s2
        Pool2dShape.of(2, 8, 7, 3, 2, 1),                        // k3 s2 padded
        Pool2dShape.of(1, 5, 6, 3, 1, 1),                        // k3 s1 padded ("same")
        new Pool2dShape(2, 5, 7, 2, 2, 1, 1, 0, 0, 1, 1),        // asymmetric padding
        new Pool2dShape(2, 7, 10, 2, 3, 1, 2, 1, 0, 0, 1),       // non-square window and stride
        Pool2dShape.of(3, 5, 5, 5, 1, 0),                        // global pooling
        Pool2dShape.of(2, 3, 4, 1, 1, 0),                        // 1x1
        new Pool2dShape(1, 4, 4, 2, 2, 2, 2, 1, 1, 1, 1),        // 2x2 s2 padded (general path)
    };

    @AfterAll
    static void restore() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void allShapesOneThread() {
        checkAll(1);
    }

    @Test
    void allShapesTwoThreads() {
        checkAll(2);
    }

    private static void checkAll(int threads) {
        Parallel.setThreads(threads);
        for (Pool2dShape s : SHAPES) {
            for (int batch : new int[] {1, 3}) {
                for (boolean ties : new boolean[] {false, true}) {
                    check(s, batch, ties, s + " batch " + batch + (ties ? " ties" : "") + " threads " + threads);
                }
            }
        }
        // big enough to be split over the threads
        check(Pool2dShape.of(64, 24, 24, 2, 2, 0), 2, true, "split planes, threads " + threads);
        check(Pool2dShape.of(64, 24, 24, 3, 2, 1), 2, false, "split planes k3, threads " + threads);
    }

    private static void check(Pool2dShape s, int batch, boolean ties, String what) {
        SplittableRandom r = new SplittableRandom(what.hashCode());
        int off = 2;
        float[] x = new float[off + batch * s.inSize()];
        float[] dy = new float[off + batch * s.outSize()];
        for (int i = off; i < x.length; i++) {
            // NOTE: values from {-1, 0, 1} make ties the rule, not the exception
            x[i] = ties ? r.nextInt(3) - 1 : (float) (r.nextDouble() * 2 - 1);
        }
        for (int i = off; i < dy.length; i++) {
            dy[i] = (float) (r.nextDouble() * 2 - 1);
        }
        double[] ym = new double[batch * s.outSize()], ya = new double[ym.length];
        double[] dxm = new double[batch * s.inSize()], dxa = new double[dxm.length];
        reference(x, off, dy, off, s, batch, ym, ya, dxm, dxa);
        for (boolean vector : new boolean[] {true, false}) {
            float[] y = nan(off + ym.length);
            Pool2d.maxForward(x, off, y, off, s, batch, vector);
            compare(what + " maxForward vector=" + vector, y, off, ym, 0);
        }
        float[] y = nan(off + ym.length);
        Pool2d.maxForward(x, off, y, off, s, batch);
        compare(what + " maxForward", y, off, ym, 0);
        for (boolean vector : new boolean[] {true, false}) {
            float[] dx = nan(off + dxm.length);
            Pool2d.maxBackward(x, off, dy, off, dx, off, s, batch, vector);
            compare(what + " maxBackward vector=" + vector, dx, off, dxm, 1e-6);
        }
        float[] dx = nan(off + dxm.length);
        Pool2d.maxBackward(x, off, dy, off, dx, off, s, batch);
        compare(what + " maxBackward", dx, off, dxm, 1e-6);
        y = nan(off + ya.length);
        Pool2d.avgForward(x, off, y, off, s, batch);
        compare(what + " avgForward", y, off, ya, 1e-6);
        dx = nan(off + dxa.length);
        Pool2d.avgBackward(dy, off, dx, off, s, batch);
        compare(what + " avgBackward", dx, off, dxa, 1e-6);
    }

    /** Direct definitions in double: PyTorch's scan order and tie rule for max; divisor kh*kw for avg. */
    private static void reference(float[] x, int xOff, float[] dy, int dyOff, Pool2dShape s, int batch,
                                  double[] ym, double[] ya, double[] dxm, double[] dxa) {
        int oh = s.oh(), ow = s.ow(), h = s.h(), w = s.w();
        for (int p = 0; p < batch * s.c(); p++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    float m = Float.NEGATIVE_INFINITY;
                    int arg = -1;
                    double sum = 0;
                    for (int ky = 0; ky < s.kh(); ky++) {
                        for (int kx = 0; kx < s.kw(); kx++) {
                            int iy = oy * s.strideH() - s.padTop() + ky, ix = ox * s.strideW() - s.padLeft() + kx;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
                                continue;
                            }
                            int i = p * h * w + iy * w + ix;
                            float v = x[xOff + i];
                            if (arg < 0) {
                                arg = i;
                            }
                            if (v > m || Float.isNaN(v)) {
                                m = v;
                                arg = i;
                            }
                            sum += v;
                        }
                    }
                    int o = p * oh * ow + oy * ow + ox;
                    ym[o] = m;
                    ya[o] = sum / (s.kh() * s.kw());
                    dxm[arg] += dy[dyOff + o];
                    for (int ky = 0; ky < s.kh(); ky++) {
                        for (int kx = 0; kx < s.kw(); kx++) {
                            int iy = oy * s.strideH() - s.padTop() + ky, ix = ox * s.strideW() - s.padLeft() + kx;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                dxa[p * h * w + iy * w + ix] += (double) dy[dyOff + o] / (s.kh() * s.kw());
                            }
                        }
                    }
                }
            }
        }
    }

    private static float[] nan(int n) {
        float[] a = new float[n];
        Arrays.fill(a, Float.NaN);
        return a;
    }

    private static void compare(String what, float[] got, int off, double[] ref, double tol) {
        for (int i = 0; i < off; i++) {
            assertTrue(Float.isNaN(got[i]), what + ": wrote before its range");
        }
        for (int i = 0; i < ref.length; i++) {
            double g = got[off + i];
            if (!(Math.abs(g - ref[i]) <= tol * (1 + Math.abs(ref[i])))) {
                throw new AssertionError(what + ": element " + i + " is " + g + ", expected " + ref[i]);
            }
        }
    }

    @Test
    void nanPropagatesAndMinusInfinityWindowsPickTheirFirstElement() {
        Pool2dShape s = Pool2dShape.of(1, 2, 4, 2, 2, 0);
        float ninf = Float.NEGATIVE_INFINITY;
        float[] x = {1, ninf, Float.NaN, ninf, 5, ninf, 2, ninf};
        for (boolean vector : new boolean[] {true, false}) {
            float[] y = new float[2];
            Pool2d.maxForward(x, 0, y, 0, s, 1, vector);
            assertEquals(5f, y[0]);
            assertTrue(Float.isNaN(y[1]));
        }
        for (boolean vector : new boolean[] {true, false}) {
            float[] dx = new float[8];
            Pool2d.maxBackward(x, 0, new float[] {10, 20}, 0, dx, 0, s, 1, vector);
            assertEquals(10f, dx[4]);
            assertEquals(20f, dx[2]);
            // 16 outputs: big enough for the vector kernels (with a NaN they fall back; without, they run)
            for (boolean withNaN : new boolean[] {true, false}) {
                Pool2dShape wide = Pool2dShape.of(1, 2, 32, 2, 2, 0);
                float[] xw = new float[64];
                Arrays.fill(xw, Float.NEGATIVE_INFINITY);
                xw[3] = withNaN ? Float.NaN : 4;
                xw[32 + 3] = withNaN ? Float.NaN : 4;
                xw[5] = 7;
                xw[32 + 4] = 7;
                float[] yw = new float[16];
                Pool2d.maxForward(xw, 0, yw, 0, wide, 1, vector);
                assertEquals(withNaN ? Float.NaN : 4f, yw[1]);
                assertEquals(7f, yw[2]);
                assertEquals(Float.NEGATIVE_INFINITY, yw[0]);
                float[] gw = new float[64];
                float[] dyw = new float[16];
                for (int i = 0; i < 16; i++) {
                    dyw[i] = i + 1;
                }
                Pool2d.maxBackward(xw, 0, dyw, 0, gw, 0, wide, 1, vector);
                assertEquals(1f, gw[0]);                         // all -inf: first element
                assertEquals(2f, gw[withNaN ? 32 + 3 : 3]);      // two NaN: PyTorch keeps the last; two 4: first
                assertEquals(3f, gw[5]);                         // 7 at (0,1) beats the later 7 at (1,0)
                assertEquals(0f, gw[32 + 4]);
            }
        }
        float[] all = {ninf, ninf, ninf, ninf};
        Pool2dShape one = Pool2dShape.of(1, 2, 2, 2, 2, 0);
        float[] g = new float[4];
        Pool2d.maxBackward(all, 0, new float[] {3}, 0, g, 0, one, 1);
        assertEquals(3f, g[0]);
        Pool2dShape general = new Pool2dShape(1, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0);
        Pool2d.maxBackward(all, 0, new float[] {3}, 0, g, 0, general, 1);
        assertEquals(3f, g[0]);
    }

    @Test
    void shapeValidationAndSizes() {
        assertEquals(12, Pool2dShape.of(64, 24, 24, 2, 2, 0).oh());
        assertEquals(4, Pool2dShape.of(1, 9, 9, 3, 2, 0).ow());
        assertEquals(5, Pool2dShape.of(1, 9, 9, 3, 2, 1).ow());
        String m = assertThrows(IllegalArgumentException.class, () -> Pool2dShape.of(1, 9, 9, 3, 2, 2)).getMessage();
        assertTrue(m.contains("at most half the window"), m);
        m = assertThrows(IllegalArgumentException.class, () -> Pool2dShape.of(1, 2, 9, 3, 1, 0)).getMessage();
        assertTrue(m.contains("larger than the padded input"), m);
        assertThrows(IndexOutOfBoundsException.class,
                () -> Pool2d.maxForward(new float[10], 0, new float[4], 0, Pool2dShape.of(1, 4, 4, 2, 2, 0), 1));
    }

    @Test
    void noAllocationAfterWarmUp() {
        Parallel.setThreads(2);
        Pool2dShape s = Pool2dShape.of(64, 24, 24, 2, 2, 0);
        Pool2dShape g = Pool2dShape.of(8, 13, 13, 3, 2, 1);
        float[] x = new float[4 * s.inSize()], y = new float[4 * s.outSize()], dx = new float[x.length];
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long allocated = Long.MAX_VALUE;
        for (int round = 0; round < 40 && allocated > 0; round++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int rep = 0; rep < 20; rep++) {
                Pool2d.maxForward(x, 0, y, 0, s, 4);
                Pool2d.maxBackward(x, 0, y, 0, dx, 0, s, 4);
                Pool2d.avgForward(x, 0, y, 0, g, 2);
                Pool2d.avgBackward(y, 0, dx, 0, g, 2);
                Pool2d.maxForward(x, 0, y, 0, g, 2);
            }
            allocated = mx.getCurrentThreadAllocatedBytes() - before;
        }
        assertEquals(0, allocated, "bytes allocated by the calling thread after warm-up");
    }
}
