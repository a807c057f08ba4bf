package dev.ingot.compiler.ir;

import dev.ingot.compiler.ops.Leaf;
import dev.ingot.compiler.ops.Ops;
import java.util.ArrayList;
import java.util.List;

/**
 * The readable text form of a graph (also what {@link IrParser} reads back):
 * <pre>
 * graph predict(x: f32[B,784], fc1.w: f32[784,256] param) {
 *   %3: f32[B,256] = matmul %x %fc1.w {transA=false, transB=false}   # mnist_mlp.ingot:5
 *   return logits=%3
 *   update %fc1.w <- %9
 * }
 * </pre>
 */
public final class IrPrinter {
    private IrPrinter() {}

    /** The printed name of each node: ids are global, so they are renumbered 0, 1, 2... in topological order; named leaves keep their name. */
    public static java.util.Map<Node, String> names(Graph g) {
        java.util.Map<Node, String> names = new java.util.IdentityHashMap<>();
        int k = 0;
        for (Node n : g.topo()) names.put(n, n.op() instanceof Leaf && n.attrs().has("name") ? "%" + n.attrs().s("name") : "%" + k++);
        return names;
    }

    public static String print(Graph g) {
        List<Node> topo = g.topo();
        java.util.Map<Node, String> names = names(g);
        List<String> header = new ArrayList<>();
        for (Node n : topo) {
            if (n.op() == Ops.INPUT) header.add(n.attrs().s("name") + ": " + n.type());
            else if (n.op() == Ops.PARAM) header.add(n.attrs().s("name") + ": " + n.type() + " param");
            else if (n.op() == Ops.STATE) header.add(n.attrs().s("name") + ": " + n.type() + " state");
        }
        StringBuilder sb = new StringBuilder("graph ").append(g.name()).append('(').append(String.join(", ", header)).append(") {\n");
        for (Node n : topo) {
            if (n.op() instanceof Leaf && n.op() != Ops.CONST && n.op() != Ops.BATCH_SIZE) continue;
            StringBuilder line = new StringBuilder("  ").append(names.get(n)).append(": ").append(n.type()).append(" = ").append(n.op().name());
            for (Node i : n.inputs()) line.append(' ').append(names.get(i));
            if (!n.attrs().isEmpty()) line.append(' ').append(n.attrs());
            String c = n.prov().comment();
            if (!c.isEmpty()) {
                while (line.length() < 72) line.append(' ');
                line.append("   # ").append(c);
            }
            sb.append(line).append('\n');
        }
        List<String> outs = new ArrayList<>();
        for (Graph.Output o : g.outputs()) outs.add(o.name() + "=" + names.get(o.node()));
        sb.append("  return ").append(String.join(", ", outs)).append('\n');
        for (Graph.Update u : g.updates()) sb.append("  update ").append(names.get(u.target())).append(" <- ").append(names.get(u.value())).append('\n');
        return sb.append("}\n").toString();
    }
}
