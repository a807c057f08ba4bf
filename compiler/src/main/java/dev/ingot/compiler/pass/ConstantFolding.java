package dev.ingot.compiler.pass;

import dev.ingot.compiler.interp.Interpreter;
import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Rewriter;
import dev.ingot.compiler.ops.Leaf;
import dev.ingot.compiler.ops.Ops;
import java.util.List;
import java.util.Map;

/**
 * Constant folding: a node whose inputs are all constants is evaluated at compile time with the
 * reference {@link Interpreter} (so no op needs a folding rule of its own) and replaced by a
 * constant.
 * <p>Only small f32 results without a batch dimension are folded ({@link #MAX_ELEMENTS}): folding
 * {@code broadcast_to(0, [784, 256])} would trade a free broadcast for a 200k-element table.
 */
public final class ConstantFolding implements Pass {
    static final int MAX_ELEMENTS = 64;

    public String name() { return "fold-constants"; }

    public Graph run(Graph g, PassContext cx) {
        int[] folded = {0};
        Graph r = Rewriter.rewrite(g, (b, old, ins) -> {
            if (old.op() instanceof Leaf || ins.isEmpty() || old.dtype() != DType.F32 || old.shape().hasBatch()) return null;
            if (old.op() == Ops.BROADCAST_TO || old.shape().numel().constant() > MAX_ELEMENTS) return null;
            for (Node i : ins) if (!i.isConst()) return null;
            Graph single = new Graph("fold", List.of(new Graph.Output("v", b.node(old.op(), ins, old.attrs()))), List.of());
            double[] v = Interpreter.run(single, Map.of(), 1).output("v");
            folded[0]++;
            return old.shape().isScalar() ? b.constant(v[0]) : b.constTensor(old.shape(), v);
        });
        if (r != g) cx.count("fold.folded", folded[0]);
        return r;
    }
}
