package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * The leaf ops. They carry no computation, so they share this file.
 * <ul>
 *   <li>{@code input}: a model input or label, bound by the caller ({@code name}, {@code role}).</li>
 *   <li>{@code param}: a trainable parameter ({@code name}, {@code init}).</li>
 *   <li>{@code state}: non-trainable model state: optimizer moments, step counter ({@code name}).</li>
 *   <li>{@code const}: a scalar constant ({@code value}), or a small tensor ({@code values}).</li>
 *   <li>{@code batch_size}: the runtime batch size as an f32 scalar (for means over the batch).</li>
 * </ul>
 */
public final class Leaves {
    private Leaves() {}

    public static final class Input implements Leaf { public String name() { return "input"; } }
    public static final class Param implements Leaf { public String name() { return "param"; } }
    public static final class State implements Leaf { public String name() { return "state"; } }

    public static final class Const implements Leaf {
        public String name() { return "const"; }
        @Override public TensorType inferType(List<TensorType> in, Attrs a) {
            if (a.has("shape")) return new TensorType(dev.ingot.compiler.ir.DType.F32, new Shape(a.ints("shape")));
            return TensorType.F32_SCALAR;
        }
    }

    public static final class BatchSize implements Leaf {
        public String name() { return "batch_size"; }
        @Override public TensorType inferType(List<TensorType> in, Attrs a) { return TensorType.F32_SCALAR; }
    }
}
