package dev.ingot.compiler.ops;

import dev.ingot.compiler.ir.Attrs;
import dev.ingot.compiler.ir.TensorType;
import java.util.List;

/**
 * What the generic op tests need: input types and attributes per case, and the domain to sample
 * float inputs from ({@code lo..hi}; {@code avoidZero} keeps |x| above 0.1, for kinks like relu
 * or division). Integer inputs are sampled in {@code [0, intHi)}, bool inputs as 0/1.
 */
public record TestSpec(List<Case> cases, double lo, double hi, boolean avoidZero, int intHi) {
    public record Case(List<TensorType> inputs, Attrs attrs) {}

    public static TestSpec of(double lo, double hi, Case... cases) { return new TestSpec(List.of(cases), lo, hi, false, 1); }

    public TestSpec excludingZero() { return new TestSpec(cases, lo, hi, true, intHi); }
    public TestSpec ints(int hi) { return new TestSpec(cases, lo, this.hi, avoidZero, hi); }

    public static Case c(Attrs a, TensorType... in) { return new Case(List.of(in), a); }
    public static Case c(TensorType... in) { return new Case(List.of(in), Attrs.NONE); }
}
