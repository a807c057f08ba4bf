package dev.ingot.runtime.kernels;

/**
 * Which implementation a {@link Conv2d} call uses. {@link #AUTO} (what the plain overloads use) picks per shape
 * and per kernel; the others force one, for tests and benchmarks.
 */
public enum Conv2dAlgo {
    /** Choose by shape: see {@link Conv2d}'s class comment for the rule and its measurements. */
    AUTO,
    /** im2col (or the input itself for 1x1 convolutions) + the Vector API SGEMM {@link MatMul}, + col2im. */
    GEMM,
    /** Direct Vector API convolution over wide rows ({@link Conv2dKernels}); stride 1 only. */
    DIRECT,
    /** Plain Java: im2col + {@link MatMulScalar} (what {@code ingot.vector=false} selects). */
    SCALAR
}
