package dev.ingot.compiler.pass;

import dev.ingot.compiler.autodiff.Differentiate;
import dev.ingot.compiler.diag.CompileError;
import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Rewriter;
import dev.ingot.compiler.ops.Ops;
import java.util.List;

/**
 * {@code grad(y, wrt) -> } the gradient graph of {@code y} with respect to {@code wrt}, built by
 * the same reverse-mode rules as the training step ({@link Differentiate#gradients}); zero when
 * {@code y} does not depend on {@code wrt}. Runs right after {@link SelectPhase}. Inner gradients
 * are expanded before outer ones (a graph is rebuilt inputs first), so a gradient of an expression
 * that contains a gradient is a second derivative, as far as the ops involved have gradient rules.
 */
public final class ExpandGradients implements Pass {
    public String name() { return "expand-gradients"; }

    public Graph run(Graph g, PassContext cx) {
        return Rewriter.rewrite(g, (b, old, ins) -> {
            if (old.op() != Ops.GRAD) return null;
            Node y = ins.get(0), wrt = ins.get(1);
            for (Node n : new Graph("grad", List.of(new Graph.Output("y", y)), List.of()).topo())
                if (n.op() == Ops.SCAN)
                    throw new CompileError(old.prov().loc(), "grad(): the value depends on a loop (scan, rnn, lstm, gru), whose gradient is only available in the training step",
                            "grad() of a value computed without loops");
            Node d = Differentiate.gradients(b, y, List.of(wrt)).get(wrt);
            return d != null ? d : b.broadcastTo(b.zero(), wrt.shape());
        });
    }
}
