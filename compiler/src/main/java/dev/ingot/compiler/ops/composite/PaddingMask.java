package dev.ingot.compiler.ops.composite;

import dev.ingot.compiler.ir.DType;
import dev.ingot.compiler.ir.GraphBuilder;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ops.Builtin;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.compiler.ops.ShapeError;

/**
 * {@code padding_mask(ids, vocab, pad = 0)}: f32 of the shape of the token ids, 1 where the id is
 * {@code pad} and 0 elsewhere: the {@code key_padding_mask} of attention over a padded sequence.
 * Computed as a lookup in a constant table of {@code vocab} entries (ids are i32; no gradient).
 */
public final class PaddingMask implements Builtin {
    public String name() { return "padding_mask"; }

    public Signature signature() {
        return Signature.of(Builtin.tensor("ids"), Builtin.param("vocab", Kind.INT, null), Builtin.param("pad", Kind.INT, 0));
    }

    public Node call(GraphBuilder b, Args a) {
        Node ids = a.tensor("ids");
        int vocab = a.i("vocab"), pad = a.i("pad");
        if (ids.dtype() != DType.I32) throw new ShapeError("padding_mask: ids must be i32 token ids, got " + ids.type());
        if (pad < 0 || pad >= vocab) throw new ShapeError("padding_mask: pad " + pad + " is not an id below vocab " + vocab);
        double[] table = new double[vocab];
        table[pad] = 1;
        Node rows = b.node(Ops.GATHER, b.constTensor(Shape.of(vocab, 1), table), ids);
        return b.reshape(rows, ids.shape());
    }
}
