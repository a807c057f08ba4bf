package dev.ingot.runtime.model;

/** Element types a compiled model exchanges with its caller. */
public enum DType {
    /** 32-bit float, stored in {@code float[]}. */
    F32,
    /** 32-bit signed integer (labels, token ids), stored in {@code int[]}. */
    I32;

    /** The DSL spelling: {@code f32} or {@code i32}. */
    public String dslName() { return name().toLowerCase(java.util.Locale.ROOT); }
}
