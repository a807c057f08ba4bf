package dev.ingot.runtime.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class TensorTest {
    @Test
    void indexing() {
        Tensor t = Tensor.zeros(2, 3, 4);
        assertEquals(24, t.numel());
        assertEquals(3, t.rank());
        assertEquals(4, t.dim(-1));
        t.set(7f, 1, 2, 3);
        assertEquals(7f, t.data()[23]);
        assertEquals(7f, t.get(1, 2, 3));
        assertEquals(1 * 12 + 1 * 4 + 2, t.offset(1, 1, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> t.get(2, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> t.get(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Tensor(new int[] {2, 2}, new float[3]));
        Tensor r = t.reshape(6, 4);
        assertSame(t.data(), r.data());
        assertEquals(7f, r.get(5, 3));
        int[] shape = t.shape();
        shape[0] = 99;
        assertEquals(2, t.dim(0), "shape() is a copy");
    }

    @Test
    void argmax() {
        Tensor t = new Tensor(new int[] {4, 3}, new float[] {
                0.1f, 0.7f, 0.2f,
                5f, 5f, 1f,                     // tie: first
                Float.NaN, -1f, -2f,            // NaN never wins
                Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY});
        assertArrayEquals(new int[] {1, 0, 1, 0}, t.argmaxLastAxis());
        assertEquals(0, Tensor.argmax(new float[] {Float.NaN, Float.NaN}, 0, 2));
    }

    @Test
    void sizesAndStrings() {
        assertEquals(1, Tensor.numel(new int[] {}));
        assertEquals(Long.MAX_VALUE, Tensor.numel(new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE}));
        assertThrows(IllegalArgumentException.class, () -> Tensor.checkedNumel(new int[] {65536, 65536}));
        assertThrows(IllegalArgumentException.class, () -> Tensor.numel(new int[] {2, -1}));
        assertEquals("[784, 128]", Tensor.shapeString(new int[] {784, 128}));
        assertEquals("Tensor[2, 2] min 0.000 max 3.000 mean 1.500 [0.0, 1.0, 2.0, 3.0]",
                new Tensor(new int[] {2, 2}, new float[] {0, 1, 2, 3}).toString());
        assertEquals("Tensor[0] (empty)", Tensor.zeros(0).toString());
        assertTrue(Tensor.zeros(100, 100).toString().startsWith("Tensor[100, 100] min 0.000 max 0.000"));
    }
}
