package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Builtin;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.ops.ShapeError;
import java.util.List;

/** {@code concat([a, b, ...], axis = -1)}: joins tensors along an axis. */
public final class ConcatFn implements Builtin {
    public String name() { return "concat"; }
    public Signature signature() { return Signature.of(Builtin.param("xs", Kind.TENSORS, null), Builtin.param("axis", Kind.INT, -1)); }

    public Node call(GraphBuilder b, Args a) {
        List<Node> xs = a.tensors("xs");
        if (xs.isEmpty()) throw new ShapeError("concat: the list is empty");
        int ax = xs.get(0).shape().axis(a.i("axis"));
        if (ax < 0) throw new ShapeError("concat: axis " + a.i("axis") + " out of range for " + xs.get(0).shape());
        if (xs.size() == 1) return xs.get(0);
        return b.node(Ops.CONCAT, xs, Attrs.of("axis", ax));
    }
}
