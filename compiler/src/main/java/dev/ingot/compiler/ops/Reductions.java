package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.Shape;
import dev.ingot.compiler.ir.TensorType;
import java.util.Arrays;

/** Helpers shared by the reductions. */
final class Reductions {
    private Reductions() {}

    /** x's shape with the reduced axes set to 1 (the keepdims shape). */
    static Shape keptShape(Shape x, Attrs a) {
        int[] d = x.dims();
        for (int ax : a.ints("axes")) d[ax] = 1;
        return new Shape(d);
    }

    static TestSpec spec() {
        return TestSpec.of(-2, 2,
                TestSpec.c(Attrs.of("axes", new int[] {1}, "keepdims", false), TensorType.f32(3, 4)),
                TestSpec.c(Attrs.of("axes", new int[] {0}, "keepdims", true), TensorType.f32(3, 4)),
                TestSpec.c(Attrs.of("axes", new int[] {0, 1}, "keepdims", false), TensorType.f32(3, 4)),
                TestSpec.c(Attrs.of("axes", new int[] {1}, "keepdims", true), TensorType.f32(2, 3, 4)));
    }

    static boolean contains(int[] axes, int a) { return Arrays.stream(axes).anyMatch(x -> x == a); }
}
