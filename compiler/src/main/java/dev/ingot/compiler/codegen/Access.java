package dev.ingot.compiler.codegen;

import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Elementwise;
import java.util.List;

/**
 * The Java statements that read and write one element (or one vector of elements) of a value in a
 * generated loop, shared by the loop emitters. F32 values are {@code float} / {@code FloatVector};
 * BOOL values are {@code boolean} / {@code VectorMask<Float>} in code and 0f/1f in memory.
 */
final class Access {
    private Access() {}

    /** The Java type of a value of element type {@code t}. */
    static String type(DType t, boolean vec) {
        return t == DType.BOOL ? (vec ? "VectorMask<Float>" : "boolean") : (vec ? "FloatVector" : "float");
    }

    /** {@code final T var = arr[idx]} (a vector from {@code idx} when {@code vec}). */
    /**
     * The statement(s) defining local {@code var} as elementwise node {@code m} of operands {@code args}, ending in a
     * line break: {@code final T var = expr;   // op}, or for ops with {@link Elementwise#vectorStatements} (vector
     * code only) the declaration and a block that assigns it.
     */
    static String define(String var, Node m, List<String> args, boolean vec) {
        Elementwise op = (Elementwise) m.op();
        String type = type(m.dtype(), vec);
        String block = vec ? op.vectorStatements(args, m.attrs(), var) : null;
        if (block != null) return "final " + type + " " + var + ";   // " + op.name() + "\n{\n" + block + "\n}\n";
        return "final " + type + " " + var + " = " + (vec ? op.vector(args, m.attrs()) : op.scalar(args, m.attrs())) + ";   // " + op.name() + "\n";
    }

    static String load(String var, String arr, String idx, DType t, boolean vec) {
        String x = vec ? "FloatVector.fromArray(F, " + arr + ", " + idx + ")" : arr + "[" + idx + "]";
        if (t == DType.BOOL) x = vec ? x + ".compare(VectorOperators.NE, 0f)" : x + " != 0f";
        return "final " + type(t, vec) + " " + var + " = " + x + ";\n";
    }

    /** {@code final T var = arr[idx]} as a scalar of a row or a call (read once). */
    static String scalar(String var, String arr, String idx, DType t) { return load(var, arr, idx, t, false); }

    /** {@code final T vv = broadcast(var)}: a scalar as a vector of equal lanes. */
    static String broadcast(String vectorVar, String scalarVar, DType t) {
        String x = t == DType.BOOL ? "F.maskAll(" + scalarVar + ")" : "FloatVector.broadcast(F, " + scalarVar + ")";
        return "final " + type(t, true) + " " + vectorVar + " = " + x + ";\n";
    }

    /** {@code arr[idx] = value} (a vector into {@code idx...} when {@code vec}). */
    static String store(String value, String arr, String idx, DType t, boolean vec) {
        if (vec) return (t == DType.BOOL ? "FloatVector.zero(F).blend(1f, " + value + ")" : value) + ".intoArray(" + arr + ", " + idx + ");\n";
        return arr + "[" + idx + "] = " + (t == DType.BOOL ? "(" + value + " ? 1f : 0f)" : value) + ";\n";
    }
}
