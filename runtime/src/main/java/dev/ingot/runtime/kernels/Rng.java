package dev.ingot.runtime.kernels;

/**
 * Counter-based random numbers for dropout: a uniform float in [0, 1) is a pure function of
 * (seed, step counter, stream, element index) — a multiply-xorshift hash with murmur3's finalizer —
 * so generated code can draw them inside fused vector loops without any state per element, a
 * training run is reproducible from its seed, and the compiler's reference interpreter computes
 * the very same numbers.
 */
public final class Rng {
    private Rng() {}

    /** Mixes seed, counter and stream into the per-step key. */
    public static int key(int seed, int counter, int stream) {
        return fmix(seed * 0x9E3779B9 ^ fmix(counter * 0x85EBCA6B + stream * 0x632BE5AB));
    }

    static int fmix(int h) {
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h;
    }

    /** Uniform in [0, 1) for element {@code index} under {@code key}. */
    public static float uniform(int key, int index) {
        return (fmix(index * 0x9E3779B9 + key) >>> 8) * 0x1.0p-24f;
    }
}
