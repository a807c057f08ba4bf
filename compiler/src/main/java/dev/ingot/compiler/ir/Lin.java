package dev.ingot.compiler.ir;

/**
 * A size that is linear in the runtime batch size {@code n}: {@code perBatch * n + constant}.
 * Element counts, strides and arena offsets are all of this form, because a shape holds the batch
 * dimension at most once.
 */
public record Lin(long perBatch, long constant) {
    public static final Lin ZERO = new Lin(0, 0);
    public static final Lin ONE = new Lin(0, 1);

    public static Lin of(long c) { return new Lin(0, c); }
    public static Lin batch(long k) { return new Lin(k, 0); }

    public boolean isConstant() { return perBatch == 0; }
    public Lin plus(Lin o) { return new Lin(perBatch + o.perBatch, constant + o.constant); }
    public Lin times(long k) { return new Lin(perBatch * k, constant * k); }
    public long eval(long n) { return perBatch * n + constant; }

    /** Multiplies two sizes; at most one of them may depend on the batch. */
    public Lin times(Lin o) {
        if (!isConstant() && !o.isConstant()) throw new IllegalStateException("batch squared: " + this + " * " + o);
        return new Lin(perBatch * o.constant + o.perBatch * constant, constant * o.constant);
    }

    /** Java source for this value, with {@code var} naming the batch variable. */
    public String java(String var) {
        if (perBatch == 0) return Long.toString(constant);
        String b = perBatch == 1 ? var : perBatch + " * " + var;
        if (constant == 0) return b;
        return b + (constant > 0 ? " + " + constant : " - " + (-constant));
    }

    @Override public String toString() { return java("batch"); }
}
