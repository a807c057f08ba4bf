package dev.ingot.runtime.init;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class InitTest {
    private static double mean(float[] a) {
        double s = 0;
        for (float v : a) s += v;
        return s / a.length;
    }

    private static double std(float[] a) {
        double m = mean(a), s = 0;
        for (float v : a) s += (v - m) * (v - m);
        return Math.sqrt(s / a.length);
    }

    private static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) m = Math.max(m, Math.abs(v));
        return m;
    }

    @Test
    void deterministicForASeed() {
        float[] a = new float[101], b = new float[101], c = new float[101];
        Init.normal(a, 0, 1, new SplittableRandom(7));
        Init.normal(b, 0, 1, new SplittableRandom(7));
        Init.normal(c, 0, 1, new SplittableRandom(8));
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, c));
        // pinned values: a change of algorithm would silently change every model's initialization
        float[] pinned = new float[3];
        Init.uniform(pinned, 0, 1, new SplittableRandom(0));
        float[] again = new float[3];
        SplittableRandom r = new SplittableRandom(0);
        for (int i = 0; i < 3; i++) again[i] = (float) r.nextDouble();
        assertArrayEquals(again, pinned);
    }

    @Test
    void normalStatistics() {
        float[] a = new float[100_001]; // odd length: the last Box–Muller pair is half used
        Init.normal(a, 3, 2, new SplittableRandom(1));
        assertEquals(3, mean(a), 0.03);
        assertEquals(2, std(a), 0.03);
    }

    @Test
    void scaledInitializers() {
        SplittableRandom r = new SplittableRandom(3);
        float[] a = new float[200_000];
        Init.glorotUniform(a, 784, 128, r);
        double limit = Math.sqrt(6.0 / (784 + 128));
        assertTrue(maxAbs(a) <= limit);
        assertTrue(maxAbs(a) > 0.999 * limit);
        assertEquals(limit / Math.sqrt(3), std(a), 0.01 * limit);

        Init.heNormal(a, 300, r);
        assertEquals(Math.sqrt(2.0 / 300), std(a), 0.01 * Math.sqrt(2.0 / 300));
        Init.lecunNormal(a, 300, r);
        assertEquals(Math.sqrt(1.0 / 300), std(a), 0.01 * Math.sqrt(1.0 / 300));
        Init.glorotNormal(a, 100, 200, r);
        assertEquals(Math.sqrt(2.0 / 300), std(a), 0.01 * Math.sqrt(2.0 / 300));
        Init.heUniform(a, 50, r);
        assertTrue(maxAbs(a) <= Math.sqrt(6.0 / 50));
        assertEquals(Math.sqrt(2.0 / 50), std(a), 0.01 * Math.sqrt(2.0 / 50));
        Init.lecunUniform(a, 50, r);
        assertTrue(maxAbs(a) <= Math.sqrt(3.0 / 50));
        Init.uniform(a, -1, 3, r);
        assertEquals(1, mean(a), 0.02);
    }

    @Test
    void constants() {
        float[] a = {1, 2, 3};
        Init.zeros(a);
        assertArrayEquals(new float[] {0, 0, 0}, a);
        Init.ones(a);
        assertArrayEquals(new float[] {1, 1, 1}, a);
        Init.constant(a, 0.5f);
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f}, a);
    }

    @Test
    void invalidArguments() {
        SplittableRandom r = new SplittableRandom(0);
        float[] a = new float[4];
        assertThrows(IllegalArgumentException.class, () -> Init.glorotUniform(a, 0, 10, r));
        assertThrows(IllegalArgumentException.class, () -> Init.heNormal(a, -1, r));
        assertThrows(IllegalArgumentException.class, () -> Init.normal(a, 0, -1, r));
        assertThrows(IllegalArgumentException.class, () -> Init.normal(a, 0, Double.NaN, r));
        assertThrows(IllegalArgumentException.class, () -> Init.uniform(a, 1, 0, r));
    }
}
