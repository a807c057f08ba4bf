package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import java.util.List;

/**
 * A function the DSL can call by name: a primitive exposed to users, or a composite expanded into
 * primitives. The frontend binds call arguments to {@link #signature()} (positional, named,
 * defaults), converts them to the declared kinds, and calls {@link #call}.
 */
public interface Builtin {
    String name();

    Signature signature();

    /** Builds the nodes of this call; throws {@link ShapeError} for a rule the arguments violate. */
    Node call(GraphBuilder b, Args args);

    /** Parameter kinds of a signature; the frontend converts arguments to these. */
    enum Kind {
        TENSOR, INT, INTS, NUMBER, BOOL, STRING, SHAPE,
        /** A list of tensors, e.g. concat's operands. */
        TENSORS,
        /** An integer, a list of integers or a string, e.g. padding = 1, [1, 2] or "same". */
        INTS_OR_STRING
    }

    /** One parameter. {@code def == null} means required; {@link #NONE} means optional without a value. */
    record Param(String name, Kind kind, Object def) {}

    /** Marker default for optional parameters that have no value ({@code axis=None}). */
    Object NONE = new Object() { public String toString() { return "none"; } };

    record Signature(List<Param> params) {
        public static Signature of(Param... p) { return new Signature(List.of(p)); }
    }

    static Param tensor(String name) { return new Param(name, Kind.TENSOR, null); }
    static Param param(String name, Kind k, Object def) { return new Param(name, k, def); }

    /** Bound, converted arguments, by parameter name. */
    interface Args {
        Node tensor(String name);
        boolean has(String name);
        int i(String name);
        int[] ints(String name);
        double d(String name);
        boolean b(String name);
        String s(String name);
        /** A shape argument, with {@code batch} as {@code -1}. */
        int[] shape(String name);
        /** A list-of-tensors argument. */
        java.util.List<Node> tensors(String name);
        /** The raw converted value: {@code int[]} or {@code String} for INTS_OR_STRING. */
        Object raw(String name);
    }
}
