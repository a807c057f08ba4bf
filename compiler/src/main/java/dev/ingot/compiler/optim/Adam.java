package dev.ingot.compiler.optim;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam and AdamW, as PyTorch's {@code torch.optim.Adam} / {@code AdamW}:
 * <pre>
 *   b1t = b1t * beta1;  b2t = b2t * beta2              (state: beta1^t, beta2^t; start at 1)
 *   adam:  g = grad + weight_decay * p                 adamw:  p = p * (1 - lr * weight_decay)
 *   m = beta1 * m + (1 - beta1) * g
 *   v = beta2 * v + (1 - beta2) * g * g
 *   p = p - (lr / (1 - b1t)) * m / (sqrt(v) / sqrt(1 - b2t) + eps)
 * </pre>
 * The bias corrections are scalars computed once per step and broadcast into each fused update.
 * <p>Moments below {@link Optimizer#TINY} are stored as 0 ({@link Optimizer#flushTiny}: subnormals are slow on
 * Intel cores); the difference to PyTorch's update is below 1e-20 of the learning rate.
 * <p>NOTE: the powers beta^t are kept as state and multiplied each step instead of computing
 * pow(beta, t): exact to float rounding and no transcendental per step.
 */
public final class Adam implements Optimizer {
    /** Gradients below this magnitude count as 0 in the second moment only: their square times (1 - beta2) would be
     *  subnormal, and it would add less than 1e-35 to it. */
    static final double G_TINY = 1e-16;
    private final boolean decoupled;

    public Adam(boolean decoupled) { this.decoupled = decoupled; }

    public String name() { return decoupled ? "adamw" : "adam"; }

    public Map<String, Double> defaults() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("lr", 1e-3);
        m.put("beta1", 0.9);
        m.put("beta2", 0.999);
        m.put("eps", 1e-8);
        m.put("weight_decay", decoupled ? 1e-2 : 0.0);
        return m;
    }

    public void apply(GraphBuilder b, List<Node> params, List<Node> grads, Map<String, Double> h, Node lr, List<Graph.Update> out) {
        double b1 = h.get("beta1"), b2 = h.get("beta2"), eps = h.get("eps"), wd = h.get("weight_decay");
        Node b1t = b.state("opt.beta1_power", TensorType.F32_SCALAR, 1), b2t = b.state("opt.beta2_power", TensorType.F32_SCALAR, 1);
        // flushed too: beta1^t is subnormal after ~830 steps
        Node b1t2 = Optimizer.flushTiny(b, b.mul(b1t, b1), Optimizer.TINY), b2t2 = Optimizer.flushTiny(b, b.mul(b2t, b2), Optimizer.TINY);
        out.add(new Graph.Update(b1t, b1t2));
        out.add(new Graph.Update(b2t, b2t2));
        Node stepSize = b.div(lr, b.sub(b.one(), b1t2));        // lr / (1 - beta1^t)
        Node sqrtC2 = b.sqrt(b.sub(b.one(), b2t2));                          // sqrt(1 - beta2^t)
        Node decay = b.sub(b.one(), b.mul(lr, wd));                       // AdamW: 1 - lr * weight_decay
        for (int i = 0; i < params.size(); i++) {
            Node p = params.get(i), g = grads.get(i);
            if (wd != 0 && !decoupled) g = b.add(g, b.mul(p, wd));
            Node p0 = wd != 0 && decoupled ? b.mul(p, decay) : p;
            Node m = Optimizer.state(b, p, "m", 0), v = Optimizer.state(b, p, "v", 0);
            Node m2 = Optimizer.flushTiny(b, b.add(b.mul(m, b1), b.mul(g, 1 - b1)), Optimizer.TINY);
            Node gv = Optimizer.flushTiny(b, g, G_TINY);                       // so that g * g * (1 - beta2) stays normal
            Node v2 = Optimizer.flushTiny(b, b.add(b.mul(v, b2), b.mul(b.mul(gv, gv), 1 - b2)), Optimizer.TINY);
            Node denom = b.add(b.div(b.sqrt(v2), sqrtC2), b.constant(eps));
            out.add(new Graph.Update(m, m2));
            out.add(new Graph.Update(v, v2));
            out.add(new Graph.Update(p, b.sub(p0, b.mul(stepSize, b.div(m2, denom)))));
        }
    }
}
