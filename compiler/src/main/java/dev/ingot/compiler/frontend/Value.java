package dev.ingot.compiler.frontend;

import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Builtin;
import dev.ingot.grammar.IngotParser;
import java.util.List;
import java.util.Map;

/**
 * What a DSL expression evaluates to at compile time. Models are staged: evaluating a model's
 * statements builds graph nodes ({@link TensorV}); numbers, lists, functions, layers and
 * initializers are compile-time values that shape the graph and then disappear.
 */
public sealed interface Value {
    /** How the value is named in error messages: "a tensor f32[batch, 784]", "the number 3". */
    String describe();

    record TensorV(Node node) implements Value {
        public String describe() { return "a tensor " + node.dtype().mnemonic() + node.shape(); }
    }

    record NumV(double v, boolean isInt) implements Value {
        public String describe() { return "the number " + (isInt ? Long.toString((long) v) : Double.toString(v)); }
        static NumV of(double v) { return new NumV(v, v == Math.rint(v) && Math.abs(v) < 1e15); }
    }

    record BoolV(boolean v) implements Value {
        public String describe() { return "the boolean " + v; }
    }

    record StrV(String s) implements Value {
        public String describe() { return "the string \"" + s + "\""; }
    }

    record ListV(List<Value> items) implements Value {
        public String describe() { return "a list of " + items.size(); }
    }

    /** The symbolic batch dimension, {@code batch}, usable in shapes. */
    record DimV(int dim) implements Value {
        public String describe() { return "the batch dimension"; }
    }

    /** A DSL function; {@code scope} is where it was defined (the file, or a layer whose parameters it sees). */
    record FnV(String name, IngotParser.FnDefContext def, SourceFile src, Scope scope) implements Value {
        public String describe() { return "the function " + name; }
    }

    record BuiltinV(Builtin fn) implements Value {
        public String describe() { return "the function " + fn.name(); }
    }

    record LayerDefV(String name, IngotParser.LayerDefContext def, SourceFile src) implements Value {
        public String describe() { return "the layer definition " + name; }
    }

    /** An instantiated layer: its parameters exist; calling it runs its {@code forward}. */
    record LayerV(String path, LayerDefV def, Scope scope, List<Value> args, Map<String, Value> named) implements Value {
        public String describe() { return "the layer " + path + " (" + def.name() + ")"; }
    }

    /**
     * A layer made of layers, applied in order (from {@code repeat} and {@code sequential}), or run
     * both ways over a sequence and merged (from {@code bidirectional}).
     */
    record StackV(String path, List<Value> layers, String mode) implements Value {
        public String describe() { return "the layer " + path + " (" + mode + ")"; }
    }

    /** The absence of a value: {@code none} (a default for optional arguments). */
    record NoneV() implements Value {
        public String describe() { return "none"; }
    }

    /** A function on compile-time values (numbers, lists), e.g. {@code pair(3) = [3, 3]}. */
    record MetaFnV(String name) implements Value {
        public String describe() { return "the function " + name; }
    }

    /** A parameter initializer, e.g. {@code normal(std=0.02)}. */
    record InitV(String kind, Map<String, Double> args) implements Value {
        public String describe() { return "the initializer " + kind; }
    }
}
