package dev.ingot.compiler.fusion;

import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.FusionKind;
import dev.ingot.compiler.ops.Library;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.ops.composite.Relu;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gives library kernels that accept one ({@link Library#epilogueAxis}) their epilogue: a dense
 * layer's {@code relu(x @ w + b)} becomes one matmul kernel that adds the bias and applies the ReLU
 * to each block of its output before storing it, instead of a matmul kernel storing {@code x @ w}
 * and a fused kernel reading it back; a convolution's {@code relu(conv(x, w) + b)} likewise. Taken
 * over when:
 * <ul>
 *   <li>the product's only user is {@code add(product, bias)} with {@code bias} a parameter (or
 *       other non-constant leaf, or a reshape of one) that varies along the op's epilogue axis only
 *       (a dense layer's {@code [n]} against {@code [batch, n]}, a convolution's {@code [c, 1, 1]}
 *       against {@code [batch, c, h, w]});</li>
 *   <li>then, when the sum's only users are a ReLU's comparison and select, the ReLU too;</li>
 *   <li>the nodes taken are in one fused kernel, which keeps the rest (reading the epilogue's
 *       output from memory where it needs it) or disappears when nothing is left.</li>
 * </ul>
 * Moving nodes that depend only on the product into its kernel cannot close a cycle: the fused
 * kernel already ran after the product.
 */
final class Epilogues {
    private Epilogues() {}

    /** Rewrites {@code kernels} in place (and {@code producer} with it). */
    static void attach(List<Kernel> kernels, Map<Node, Kernel> producer, Map<Node, List<Node>> users, Set<Node> roots) {
        for (int i = 0; i < kernels.size(); i++) {
            if (!(kernels.get(i) instanceof Kernel.Call call) || call.epilogue() != null) continue;
            Node c = call.node();
            if (!(c.op() instanceof Library lib) || lib.epilogueAxis(c) < 0 || roots.contains(c)) continue;
            List<Node> cu = users.getOrDefault(c, List.of());
            if (cu.size() != 1 || cu.get(0).op() != Ops.ADD) continue;
            Node add = cu.get(0);
            Node bias = add.in(0) == c ? add.in(1) : add.in(0);
            if (bias == c || !add.shape().equals(c.shape()) || !alongAxis(bias, c, lib.epilogueAxis(c))) continue;
            if (!(producer.get(add) instanceof Kernel.Fused f) || f.recomputed().contains(add)) continue;
            List<Node> taken = new ArrayList<>(List.of(add));
            Node out = add;
            List<Node> au = users.getOrDefault(add, List.of());
            if (!roots.contains(add) && au.size() == 2) {
                for (Node y : au) {
                    Node gt = y.in(0);
                    if (Relu.input(y) != add || !au.contains(gt) || users.get(gt).size() != 1) continue;
                    if (producer.get(y) != f || producer.get(gt) != f || f.recomputed().contains(y) || f.recomputed().contains(gt) || roots.contains(gt)) continue;
                    // the sum and the mask are not stored with the ReLU taken: no other kernel may read them
                    // (one computing a value again from them, Recompute.lift)
                    if (readElsewhere(kernels, add, f) || readElsewhere(kernels, gt, f)) continue;
                    taken = List.of(add, gt, y);
                    out = y;
                }
            }
            Kernel.Call withEpilogue = new Kernel.Call(c, new Kernel.Epilogue(bias, out != add, List.copyOf(taken), out));
            kernels.set(i, withEpilogue);
            for (Node t : taken) producer.put(t, withEpilogue);
            int fi = kernels.indexOf(f);
            Kernel.Fused rest = without(f, taken, users);
            if (rest == null) kernels.remove(fi);
            else {
                kernels.set(fi, rest);
                for (Node m : rest.members()) if (producer.get(m) == f) producer.put(m, rest);
            }
            if (fi < i && rest == null) i--;
        }
    }

    private static boolean readElsewhere(List<Kernel> kernels, Node n, Kernel except) {
        for (Kernel k : kernels) if (k != except && k.reads().contains(n)) return true;
        return false;
    }

    /** A parameter-like leaf (or a reshape of one) varying along {@code axis} of the product only, as long as it. */
    private static boolean alongAxis(Node bias, Node product, int axis) {
        Node b = FusionPlanner.base(bias);
        if (b.op().fusionKind() != FusionKind.LEAF || b.isConst() || b.op() == Ops.BATCH_SIZE) return false;
        int br = bias.shape().rank(), pr = product.shape().rank(), shift = pr - br;
        if (br == 0 || br > pr || axis < shift) return false;
        for (int i = 0; i < br; i++)
            if (bias.shape().dim(i) != (i + shift == axis ? product.shape().dim(axis) : 1)) return false;
        return true;
    }

    /** The fused kernel without {@code taken} (and what only they needed), or null when nothing is left to store. */
    private static Kernel.Fused without(Kernel.Fused f, List<Node> taken, Map<Node, List<Node>> users) {
        Set<Node> live = Collections.newSetFromMap(new IdentityHashMap<>());
        live.addAll(f.members());
        taken.forEach(live::remove);
        List<Node> stores = new ArrayList<>(f.stores());
        stores.removeAll(taken);
        Set<Node> recompute = Collections.newSetFromMap(new IdentityHashMap<>());
        recompute.addAll(f.recomputed());
        Set<Node> views = Collections.newSetFromMap(new IdentityHashMap<>());
        views.addAll(f.views());
        return FusionPlanner.fusedKernel(live, stores, f.shape(), recompute, users, views);
    }
}
