package com.acme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ingot.generated.Echo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The generated classes compile, train and predict. */
class TinyTest {
    /** Class = index of the largest of the first three features. */
    private static void fill(float[] x, int[] y, int n, Random r) {
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int j = 0; j < 4; j++) {
                x[i * 4 + j] = r.nextFloat() * 2 - 1;
                if (j < 3 && x[i * 4 + j] > x[i * 4 + best]) best = j;
            }
            y[i] = best;
        }
    }

    @Test
    void trainsAndPredicts() throws Exception {
        Tiny m = new Tiny(16);
        assertEquals("Tiny", m.spec().name());
        m.initialize(7);
        float[] x = m.inputF32("x");
        int[] y = m.inputI32("y");
        Random r = new Random(1);
        float first = 0, last = 0;
        for (int step = 0; step < 400; step++) {
            fill(x, y, 16, r);
            float loss = m.trainStep(16);
            assertTrue(Float.isFinite(loss), "loss " + loss);
            if (step < 20) first += loss / 20;
            if (step >= 380) last += loss / 20;
        }
        assertTrue(last < first * 0.6, "loss went from " + first + " to " + last);

        fill(x, y, 16, r);
        m.predict(16);
        int right = 0;
        float[] scores = m.output(0);
        for (int i = 0; i < 16; i++) {
            int arg = 0;
            for (int c = 1; c < 3; c++) if (scores[i * 3 + c] > scores[i * 3 + arg]) arg = c;
            if (arg == y[i]) right++;
        }
        assertTrue(right >= 12, right + "/16 right");

        Path ckpt = Files.createTempFile("tiny", ".safetensors");
        m.save(ckpt);
        Tiny copy = new Tiny(1);
        copy.load(ckpt);
        assertArrayEquals(m.param("out.w"), copy.param("out.w"));
    }

    @Test
    void modelInTheSourceRootGoesToTheDefaultPackage() {
        Echo e = new Echo(1);
        e.initialize(0);
        assertArrayEquals(new float[] {2, -4, 6}, e.predict(new float[] {1, -2, 3}));
    }
}
