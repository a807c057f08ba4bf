package dev.ingot.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The constant vectors of the polynomials the compiler generates for exp, sigmoid, tanh, log and erf
 * ({@code dev.ingot.compiler.ops.VectorPolynomials}, which names them: {@code F0_5} is 0.5f, {@code FM0_5} -0.5f,
 * {@code I127} the int 127), in the species of {@link Simd}. Static final fields are constants to C2, so a kernel
 * reads them instead of parsing a broadcast (a chain of inlined Vector API calls) for each: that keeps a kernel with
 * a polynomial below the node budget under which JDK 17's C2 still intrinsifies every vector operation (past it, a
 * store gets a boxed vector). The literals are those of the scalar twins in {@link ScalarMath}.
 */
public final class VectorConstants {
    private VectorConstants() {}

    private static final VectorSpecies<Float> F = Simd.F;
    private static final VectorSpecies<Integer> I = Simd.I;

    public static final FloatVector FM87 = FloatVector.broadcast(F, -87f);
    public static final FloatVector F88_72283935546875 = FloatVector.broadcast(F, 88.72283935546875f);
    public static final FloatVector F1_44269504088896341 = FloatVector.broadcast(F, 1.44269504088896341f);
    public static final FloatVector F12582912 = FloatVector.broadcast(F, 12582912f);
    public static final FloatVector FM0_693359375 = FloatVector.broadcast(F, -0.693359375f);
    public static final FloatVector F2_12194440eM4 = FloatVector.broadcast(F, 2.12194440e-4f);
    public static final FloatVector F1_9875691500EM4 = FloatVector.broadcast(F, 1.9875691500E-4f);
    public static final FloatVector F1 = FloatVector.broadcast(F, 1f);
    public static final FloatVector F0 = FloatVector.broadcast(F, 0f);
    public static final FloatVector INF = FloatVector.broadcast(F, Float.POSITIVE_INFINITY);
    public static final FloatVector FM7_90531110763549805 = FloatVector.broadcast(F, -7.90531110763549805f);
    public static final FloatVector F7_90531110763549805 = FloatVector.broadcast(F, 7.90531110763549805f);
    public static final FloatVector FM2_76076847742355eM16 = FloatVector.broadcast(F, -2.76076847742355e-16f);
    public static final FloatVector F2_00018790482477eM13 = FloatVector.broadcast(F, 2.00018790482477e-13f);
    public static final FloatVector F1_19825839466702eM06 = FloatVector.broadcast(F, 1.19825839466702e-06f);
    public static final FloatVector F1_18534705686654eM04 = FloatVector.broadcast(F, 1.18534705686654e-04f);
    public static final FloatVector F0_0004 = FloatVector.broadcast(F, 0.0004f);
    public static final FloatVector MIN_NORMAL = FloatVector.broadcast(F, Float.MIN_NORMAL);
    public static final FloatVector F8388608 = FloatVector.broadcast(F, 8388608f);
    public static final FloatVector F23 = FloatVector.broadcast(F, 23f);
    public static final FloatVector F0_707106781186547524 = FloatVector.broadcast(F, 0.707106781186547524f);
    public static final FloatVector F7_0376836292EM2 = FloatVector.broadcast(F, 7.0376836292E-2f);
    public static final FloatVector FM2_12194440eM4 = FloatVector.broadcast(F, -2.12194440e-4f);
    public static final FloatVector FM0_5 = FloatVector.broadcast(F, -0.5f);
    public static final FloatVector F0_693359375 = FloatVector.broadcast(F, 0.693359375f);
    public static final FloatVector MINUS_INF = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
    public static final FloatVector NAN = FloatVector.broadcast(F, Float.NaN);
    public static final FloatVector F4 = FloatVector.broadcast(F, 4f);
    public static final FloatVector FM4 = FloatVector.broadcast(F, -4f);
    public static final FloatVector FM1 = FloatVector.broadcast(F, -1f);
    public static final FloatVector FM2_72614225801306eM10 = FloatVector.broadcast(F, -2.72614225801306e-10f);
    public static final FloatVector F2_77068142495902eM08 = FloatVector.broadcast(F, 2.77068142495902e-08f);
    public static final FloatVector FM2_10102402082508eM06 = FloatVector.broadcast(F, -2.10102402082508e-06f);
    public static final FloatVector FM5_69250639462346eM05 = FloatVector.broadcast(F, -5.69250639462346e-05f);
    public static final FloatVector FM7_34990630326855eM04 = FloatVector.broadcast(F, -7.34990630326855e-04f);
    public static final FloatVector FM2_95459980854025eM03 = FloatVector.broadcast(F, -2.95459980854025e-03f);
    public static final FloatVector FM1_60960333262415eM02 = FloatVector.broadcast(F, -1.60960333262415e-02f);
    public static final FloatVector FM1_45660718464996eM05 = FloatVector.broadcast(F, -1.45660718464996e-05f);
    public static final FloatVector FM2_13374055278905eM04 = FloatVector.broadcast(F, -2.13374055278905e-04f);
    public static final FloatVector FM1_68282697438203eM03 = FloatVector.broadcast(F, -1.68282697438203e-03f);
    public static final FloatVector FM7_37332916720468eM03 = FloatVector.broadcast(F, -7.37332916720468e-03f);
    public static final FloatVector FM1_42647390514189eM02 = FloatVector.broadcast(F, -1.42647390514189e-02f);
    public static final FloatVector F1_3981999507EM3 = FloatVector.broadcast(F, 1.3981999507E-3f);
    public static final FloatVector F8_3334519073EM3 = FloatVector.broadcast(F, 8.3334519073E-3f);
    public static final FloatVector F4_1665795894EM2 = FloatVector.broadcast(F, 4.1665795894E-2f);
    public static final FloatVector F1_6666665459EM1 = FloatVector.broadcast(F, 1.6666665459E-1f);
    public static final FloatVector F5_0000001201EM1 = FloatVector.broadcast(F, 5.0000001201E-1f);
    public static final FloatVector FM8_60467152213735eM11 = FloatVector.broadcast(F, -8.60467152213735e-11f);
    public static final FloatVector F5_12229709037114eM08 = FloatVector.broadcast(F, 5.12229709037114e-08f);
    public static final FloatVector F1_48572235717979eM05 = FloatVector.broadcast(F, 1.48572235717979e-05f);
    public static final FloatVector F6_37261928875436eM04 = FloatVector.broadcast(F, 6.37261928875436e-04f);
    public static final FloatVector F4_89352455891786eM03 = FloatVector.broadcast(F, 4.89352455891786e-03f);
    public static final FloatVector F2_26843463243900eM03 = FloatVector.broadcast(F, 2.26843463243900e-03f);
    public static final FloatVector F4_89352518554385eM03 = FloatVector.broadcast(F, 4.89352518554385e-03f);
    public static final FloatVector FM1_1514610310EM1 = FloatVector.broadcast(F, -1.1514610310E-1f);
    public static final FloatVector F1_1676998740EM1 = FloatVector.broadcast(F, 1.1676998740E-1f);
    public static final FloatVector FM1_2420140846EM1 = FloatVector.broadcast(F, -1.2420140846E-1f);
    public static final FloatVector F1_4249322787EM1 = FloatVector.broadcast(F, 1.4249322787E-1f);
    public static final FloatVector FM1_6668057665EM1 = FloatVector.broadcast(F, -1.6668057665E-1f);
    public static final FloatVector F2_0000714765EM1 = FloatVector.broadcast(F, 2.0000714765E-1f);
    public static final FloatVector FM2_4999993993EM1 = FloatVector.broadcast(F, -2.4999993993E-1f);
    public static final FloatVector F3_3333331174EM1 = FloatVector.broadcast(F, 3.3333331174E-1f);
    public static final IntVector I1262485504 = IntVector.broadcast(I, 0x4B400000);
    public static final IntVector I127 = IntVector.broadcast(I, 127);
    public static final IntVector I1262485378 = IntVector.broadcast(I, 0x4B400000 - 126);
    public static final IntVector I8388607 = IntVector.broadcast(I, 0x007fffff);
    public static final IntVector I1056964608 = IntVector.broadcast(I, 0x3f000000);
}
