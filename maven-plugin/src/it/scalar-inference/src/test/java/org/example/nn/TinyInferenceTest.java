package org.example.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TinyInferenceTest {
    @Test
    void predictsAndCannotTrain() {
        Tiny m = new Tiny(4);
        m.initialize(3);
        float[] scores = m.predict(new float[] {0.5f, -1f, 0.25f, 2f});
        assertEquals(3, scores.length);
        for (float s : scores) assertTrue(Float.isFinite(s));
        assertThrows(UnsupportedOperationException.class, () -> m.trainStep(1));
    }
}
