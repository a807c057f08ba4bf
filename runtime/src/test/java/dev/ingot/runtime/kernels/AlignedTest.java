package dev.ingot.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * {@link Aligned}'s contract: {@code floats(n)} holds n floats from {@code PAD} on; under G1 (the test JVM's collector,
 * {@code ingot.jvm.args}) the arrays are large enough to be humongous and {@code PAD} puts element PAD on a 64-byte line
 * (array base offset + 4 PAD is a multiple of 64); an impossible size is an error, not a wrapped-around length.
 */
class AlignedTest {
    @Test
    void holdsTheRequestedFloatsAfterThePad() {
        for (int n : new int[] {0, 1, 16, 1000, 1 << 20}) {
            float[] a = Aligned.floats(n);
            assertTrue(a.length >= n + Aligned.PAD, "length " + a.length + " for " + n);
        }
        if (Aligned.PAD > 0) {
            assertThrows(ArithmeticException.class, () -> Aligned.floats(Integer.MAX_VALUE));
        }
        assertThrows(NegativeArraySizeException.class, () -> Aligned.floats(-1));
    }

    @Test
    void underG1ThePadAlignsTheFirstElementAfterARegionStart() throws Exception {
        boolean g1 = ManagementFactory.getGarbageCollectorMXBeans().stream().anyMatch(b -> b.getName().startsWith("G1"));
        if (!g1) {
            assertEquals(0, Aligned.PAD);
            return;
        }
        assertTrue(Aligned.known(), "G1 in use but alignment unknown");
        int base = Class.forName("sun.misc.Unsafe").getField("ARRAY_FLOAT_BASE_OFFSET").getInt(null);
        assertEquals(0, (base + 4 * Aligned.PAD) % 64, "base offset " + base + ", PAD " + Aligned.PAD);
        long region = Long.parseLong(ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                .getVMOption("G1HeapRegionSize").getValue());
        assertTrue(4L * Aligned.floats(1).length > region / 2, "a small request is still humongous");
    }
}
