package dev.ingot.compiler.ops;

/** A shape or argument rule violated by an op; the frontend reports it at the DSL span of the call. */
public final class ShapeError extends RuntimeException {
    public ShapeError(String message) { super(message, null, false, false); }
}
