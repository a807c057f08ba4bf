package dev.ingot.runtime.kernels;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * Float arrays whose element {@link #PAD} lies on a 64-byte boundary (a cache line, one 512-bit vector), where the
 * JVM lets us know it: {@link MatMul}'s packed B panels, packed recurrent weights and the generated code's arena.
 *
 * <p>Why: a Java array starts where the allocator put it, 8-byte aligned, so a 64-byte vector load at element
 * {@code 16i} straddles two cache lines unless the array happens to start 48 bytes before a line. Measured on the
 * 2-core Xeon (JDK 25, 1 thread): the 6 x 4 micro-kernel reading an aligned B panel 165-171 GFLOP/s, a misaligned one
 * 154-156; whole products 131-151 against 118-135 (2048x512x128, 2048x128x512, 256^3), and where the buffer landed
 * changed from one JVM launch to the next.
 *
 * <p>How: with G1 (the default collector on a machine with 2 or more cores), an array larger than half a heap region
 * is a humongous object, which G1 places at the start of a region and never moves except to the start of another.
 * Its first element is then {@code arrayBaseOffset} bytes past a region boundary, which is a multiple of 64. So
 * {@link #floats} allocates at least that much (one array of 2 MB per packing buffer per thread, with the 4 MB
 * regions of a 6 GB heap) and {@link #PAD} is the index of the first aligned element. With another collector, or
 * regions over 8 MB, or {@code -Dingot.align=false}, nothing is known: {@code PAD} is 0 and {@link #floats} a plain
 * allocation. Alignment only changes speed, never results.
 */
public final class Aligned {
    private Aligned() {
    }

    /** The boundary, in bytes. */
    static final int LINE = 64;
    /** Index of the first {@link #LINE}-aligned element of an array from {@link #floats}; 0 when unknown. */
    public static final int PAD;
    /** Length from which an array is humongous (G1), so starts a region; 0 when unknown. */
    static final int MIN_LENGTH;

    static {
        int pad = 0;
        int min = 0;
        if (Boolean.parseBoolean(System.getProperty("ingot.align", "true"))) {
            try {
                HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
                long region = Long.parseLong(vm.getVMOption("G1HeapRegionSize").getValue());
                int base = floatArrayBaseOffset();
                if ("true".equals(vm.getVMOption("UseG1GC").getValue()) && region >= 1 << 20 && region <= 8 << 20
                        && base > 0 && base % 4 == 0) {
                    pad = ((LINE - base % LINE) % LINE) / 4;
                    // NOTE: G1 treats an object as humongous when it is larger than half a region; 16 floats to spare
                    min = (int) (region / 2 / 4) + 16;
                }
            } catch (RuntimeException | LinkageError | ReflectiveOperationException e) {
                // not HotSpot, or the options are not there: alignment unknown
            }
        }
        PAD = pad;
        MIN_LENGTH = min;
    }

    /**
     * An array with at least {@code n} floats from index {@link #PAD} on (its element {@code PAD} 64-byte aligned when
     * that can be known).
     */
    public static float[] floats(int n) {
        if (n < 0) {
            throw new NegativeArraySizeException(String.valueOf(n));
        }
        return new float[Math.max(Math.addExact(n, PAD), MIN_LENGTH)];
    }

    /** Whether arrays from {@link #floats} are known to be aligned. */
    public static boolean known() {
        return MIN_LENGTH > 0;
    }

    /** Bytes before element 0 of a float[]: {@code sun.misc.Unsafe.ARRAY_FLOAT_BASE_OFFSET} (a constant; no memory access). */
    private static int floatArrayBaseOffset() throws ReflectiveOperationException {
        return Class.forName("sun.misc.Unsafe").getField("ARRAY_FLOAT_BASE_OFFSET").getInt(null);
    }
}
