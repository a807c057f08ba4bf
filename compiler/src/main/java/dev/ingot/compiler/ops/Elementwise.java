package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * An op computed independently per element, with numpy broadcasting of its inputs. Fusion bundles
 * chains of these into one loop; codegen asks each op for a scalar Java expression and a Vector API
 * expression over its (already loaded) operands.
 *
 * <p>Operand conventions for {@link #scalar} and {@link #vector}: F32 operands are {@code float} /
 * {@code FloatVector}, BOOL operands are {@code boolean} / {@code VectorMask<Float>}. The emitter
 * hoists constants (as {@code 0.5f} / a broadcast vector).
 */
public non-sealed interface Elementwise extends Op {
    /** float64 semantics of one element (BOOL as 0 or 1). */
    double apply(double[] x, Attrs a);

    /** Java expression computing one element from scalar operands. */
    String scalar(List<String> x, Attrs a);

    /** Vector API expression computing a vector of elements (unused when {@link #vectorStatements} gives code). */
    String vector(List<String> x, Attrs a);

    /**
     * True for ops whose value depends on the element's position (random numbers): the emitter
     * appends the flat element index to the operands, an {@code int} for {@link #scalar} and the
     * index of the first lane for {@link #vector}.
     */
    default boolean indexed() { return false; }

    /**
     * For ops whose vector code needs statements (a polynomial with temporaries, {@link VectorPolynomials}): the
     * statements that assign the vector result to the final local {@code out}, which the emitter declares; null for
     * ops whose code is the expression {@link #vector}.
     */
    default String vectorStatements(List<String> x, Attrs a, String out) { return null; }

    /**
     * True for ops whose vector code is a polynomial ({@link VectorPolynomials}: exp, sigmoid, tanh, log, erf): tens of
     * Vector API operations. Fusion puts at most one such op in a kernel ({@code FusionPlanner.MAX_HEAVY}), so that
     * kernels stay small enough for C2 to compile with every vector in a register.
     */
    default boolean heavy() { return false; }

    /**
     * Whether a fused kernel may compute this op again, from leaves, instead of reading its stored
     * value (a few integer or float operations per element, bit-identical wherever computed). False
     * for the heavy polynomials and for functions whose vector form need not give the same bits in
     * every JIT tier (sin, cos, pow).
     */
    default boolean recomputable() { return !heavy(); }

    @Override default FusionKind fusionKind() { return FusionKind.ELEMENTWISE; }

    /** Output element type (F32 unless overridden by comparisons). */
    default DType outDType() { return DType.F32; }

    /** Input element types accepted, per position (F32 unless overridden). */
    default DType inDType(int i) { return DType.F32; }

    @Override default TensorType inferType(List<TensorType> in, Attrs a) {
        Shape s = in.get(0).shape();
        for (int i = 0; i < in.size(); i++) {
            DType want = inDType(i);
            if (in.get(i).dtype() != want)
                throw new ShapeError(name() + ": argument " + (i + 1) + " must be " + want.mnemonic() + ", got " + in.get(i)
                        + (want == DType.F32 && in.get(i).dtype() != DType.F32 ? " (convert it with f32(...))" : ""));
            if (i > 0) s = Broadcasting.broadcast(name(), s, in.get(i).shape());
        }
        return new TensorType(outDType(), s);
    }

    @Override default double[] eval(List<double[]> in, List<int[]> shapes, int[] out, Attrs a) {
        return Broadcasting.map(in, shapes, out, x -> apply(x, a));
    }

    /** Java float literal for a double constant ({@code 0.5f}, {@code Float.POSITIVE_INFINITY}). */
    static String lit(double v) {
        float f = (float) v;
        if (Float.isNaN(f)) return "Float.NaN";
        if (Float.isInfinite(f)) return f > 0 ? "Float.POSITIVE_INFINITY" : "Float.NEGATIVE_INFINITY";
        return Float.toString(f) + "f";
    }
}
