package dev.ingot.compiler.optim;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with momentum, as PyTorch's {@code torch.optim.SGD} (dampening 0):
 * <pre>
 *   g = grad + weight_decay * p
 *   v = momentum * v + g          (when momentum > 0; v starts at 0, PyTorch starts it at g: identical after one step)
 *   p = p - lr * (nesterov ? g + momentum * v : v)
 * </pre>
 */
public final class Sgd implements Optimizer {
    public String name() { return "sgd"; }

    public Map<String, Double> defaults() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("lr", 0.01);
        m.put("momentum", 0.0);
        m.put("weight_decay", 0.0);
        m.put("nesterov", 0.0);
        return m;
    }

    public void apply(GraphBuilder b, List<Node> params, List<Node> grads, Map<String, Double> h, Node lr, List<Graph.Update> out) {
        double mu = h.get("momentum"), wd = h.get("weight_decay");
        boolean nesterov = h.get("nesterov") != 0;
        for (int i = 0; i < params.size(); i++) {
            Node p = params.get(i), g = grads.get(i);
            if (wd != 0) g = b.add(g, b.mul(p, wd));
            Node step = g;
            if (mu != 0) {
                Node v = Optimizer.state(b, p, "momentum", 0);
                Node v2 = Optimizer.flushTiny(b, b.add(b.mul(v, mu), g), Optimizer.TINY);   // see flushTiny: no subnormal momentum
                out.add(new Graph.Update(v, v2));
                step = nesterov ? b.add(g, b.mul(v2, mu)) : v2;
            }
            out.add(new Graph.Update(p, b.sub(p, b.mul(step, lr))));
        }
    }
}
