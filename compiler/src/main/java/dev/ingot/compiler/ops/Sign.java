package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.TensorType;
import java.util.Arrays;
import java.util.List;

/**
 * Elementwise sign: {@code -1}, {@code 0} or {@code 1} (FGSM's {@code sign(grad(loss, x))}).
 * <p>Backward: zero almost everywhere, as PyTorch's {@code torch.sign}, so no gradient flows
 * through it (an adversarial example built from it is a constant to the training step).
 */
public final class Sign implements Elementwise {
    public String name() { return "sign"; }

    public double apply(double[] x, Attrs a) { return Math.signum(x[0]); }
    public String scalar(List<String> x, Attrs a) { return "Math.signum(" + x.get(0) + ")"; }
    public String vector(List<String> x, Attrs a) {
        String v = x.get(0);
        return "FloatVector.zero(F).blend(1f, " + v + ".compare(VectorOperators.GT, 0f)).blend(-1f, " + v + ".compare(VectorOperators.LT, 0f))";
    }
    public List<Node> vjp(GraphBuilder g, Node y, Node dy) { return Arrays.asList((Node) null); }
    public TestSpec testSpec() { return TestSpec.of(-2, 2, TestSpec.c(TensorType.f32(3, 4))).excludingZero(); }
}
