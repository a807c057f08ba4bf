package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ops.Builtin;
import java.util.List;
import java.util.Map;

/**
 * Composite functions: expansions into primitives, so their gradients come for free from the
 * primitives' rules. One class per composite; this list registers them with the catalog.
 */
public final class Composites {
    private Composites() {}

    public static void register(Map<String, Builtin> into) {
        for (Builtin b : List.of(new Relu(), new LeakyRelu(), new Identity(), new Square(), new Mean(), new Min(),
                new Softmax(), new LogSoftmax(), new SoftmaxCrossEntropy(), new Mse(),
                new Conv(), new Pool(true), new Pool(false), new Pool(true, true), new Pool(false, true), new GlobalPool1d(true), new GlobalPool1d(false), new PaddingMask(), new Flatten(), new GlobalAvgPool(), new PadFn(), new ConcatFn(),
                new Dropout(), new Clip("clip"), new Clip("clamp"), RandomDraws.normal(), RandomDraws.uniform(), RandomDraws.bernoulli(), new BatchNorm(), new Gelu(), new LayerNorm(), new Masks(true), new Masks(false))) {
            if (into.put(b.name(), b) != null) throw new IllegalStateException("duplicate function " + b.name());
        }
    }
}
