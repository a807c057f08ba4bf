package dev.ingot.runtime.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API micro-kernels of the direct convolution ({@link Conv2dDirect}). Single-threaded, one tile at a time.
 *
 * <h2>The "wide row" layout</h2>
 * A stride-1 convolution of an input that has been copied, with its padding, into planes of {@code hp x wp}
 * floats is a 1-D convolution along the flattened plane: output pixel {@code (oy, ox)} stored at
 * {@code p = oy * wp + ox} reads tap {@code (ci, ky, kx)} at {@code ci * plane + ky * dilationH * wp + kx * dilationW
 * + p}. So consecutive output pixels read consecutive inputs for every tap, and a vector of L output pixels is
 * one contiguous load per tap, across row boundaries. The columns {@code ox >= ow} of each "wide" output row are
 * garbage (they wrap into the next input row) and are dropped when the result is copied out. Each tap is just an
 * int offset ({@code taps[t]}); the buffers carry enough zero slack after the last plane that a pixel count rounded
 * up to whole vector blocks never reads out of bounds.
 *
 * <h2>Kernels</h2>
 * <ul>
 *   <li>{@link #direct4}: 4 output channels x 4 vectors of pixels = 16 accumulators; per tap 4 pixel loads and
 *       4 weight broadcasts feed 16 FMAs. Weights are packed per block of 4 channels as {@code [tap][4]}.</li>
 *   <li>{@link #direct1}: one output channel x 4 vectors (the tail when the channel count is not a multiple of 4,
 *       and depthwise convolutions); weights {@code [tap]}.</li>
 *   <li>{@link #weightGrad4x3}: gradient of the weights, 4 output channels x 3 taps = 12 dot products along the
 *       pixels (7 loads per 12 FMAs). The accumulators are added, still as vectors, to a per-thread partial buffer
 *       ({@code [..][12][L]}); lanes are summed only once per call, after all images.</li>
 * </ul>
 * NOTE: vectors live only in locals of these small methods (vectors held in arrays or passed to a method that is
 * not inlined are boxed), and each method is far below HotSpot's 8000-byte JIT limit.
 */
final class Conv2dKernels {
    private Conv2dKernels() {
    }

    /** The vector species ({@link Simd}). */
    static final VectorSpecies<Float> F = Simd.F;
    /** Lanes per vector. */
    static final int L = Simd.L;
    /** Pixels per block of the direct kernels (4 vectors). */
    static final int PIX = 4 * L;
    /**
     * Whether the vector path is the default: {@code ingot.vector=false} selects the scalar code (as in
     * {@link MatMul}), and so does a species narrower than 8 floats.
     */
    static final boolean ENABLED = Simd.ENABLED;


    /**
     * Four output channels over pixels {@code [0, npix)} ({@code npix} a multiple of {@link #PIX}):
     * {@code out[o0 + j*os + p] = sum_t wp[w0 + 4t + j] * xp[xb + taps[t] + p]} for j in 0..3.
     */
    static void direct4(float[] xp, int xb, int[] taps, int nt, float[] wp, int w0,
                        float[] out, int o0, int os, int npix) {
        for (int p = 0; p < npix; p += PIX) {
            FloatVector z = FloatVector.zero(F);
            FloatVector a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
            FloatVector a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
            int xi0 = xb + p;
            for (int t = 0; t < nt; t++) {
                int xi = xi0 + taps[t];
                int wi = w0 + 4 * t;
                FloatVector x0 = FloatVector.fromArray(F, xp, xi);
                FloatVector x1 = FloatVector.fromArray(F, xp, xi + L);
                FloatVector x2 = FloatVector.fromArray(F, xp, xi + 2 * L);
                FloatVector x3 = FloatVector.fromArray(F, xp, xi + 3 * L);
                FloatVector w = FloatVector.broadcast(F, wp[wi]);
                a00 = x0.fma(w, a00); a01 = x1.fma(w, a01); a02 = x2.fma(w, a02); a03 = x3.fma(w, a03);
                w = FloatVector.broadcast(F, wp[wi + 1]);
                a10 = x0.fma(w, a10); a11 = x1.fma(w, a11); a12 = x2.fma(w, a12); a13 = x3.fma(w, a13);
                w = FloatVector.broadcast(F, wp[wi + 2]);
                a20 = x0.fma(w, a20); a21 = x1.fma(w, a21); a22 = x2.fma(w, a22); a23 = x3.fma(w, a23);
                w = FloatVector.broadcast(F, wp[wi + 3]);
                a30 = x0.fma(w, a30); a31 = x1.fma(w, a31); a32 = x2.fma(w, a32); a33 = x3.fma(w, a33);
            }
            int oi = o0 + p;
            a00.intoArray(out, oi); a01.intoArray(out, oi + L); a02.intoArray(out, oi + 2 * L);
            a03.intoArray(out, oi + 3 * L);
            oi += os;
            a10.intoArray(out, oi); a11.intoArray(out, oi + L); a12.intoArray(out, oi + 2 * L);
            a13.intoArray(out, oi + 3 * L);
            oi += os;
            a20.intoArray(out, oi); a21.intoArray(out, oi + L); a22.intoArray(out, oi + 2 * L);
            a23.intoArray(out, oi + 3 * L);
            oi += os;
            a30.intoArray(out, oi); a31.intoArray(out, oi + L); a32.intoArray(out, oi + 2 * L);
            a33.intoArray(out, oi + 3 * L);
        }
    }

    /** One output channel: {@code out[o0 + p] = sum_t wp[w0 + t] * xp[xb + taps[t] + p]}, p in [0, npix). */
    static void direct1(float[] xp, int xb, int[] taps, int nt, float[] wp, int w0, float[] out, int o0, int npix) {
        for (int p = 0; p < npix; p += PIX) {
            FloatVector z = FloatVector.zero(F);
            FloatVector a0 = z, a1 = z, a2 = z, a3 = z;
            int xi0 = xb + p;
            for (int t = 0; t < nt; t++) {
                int xi = xi0 + taps[t];
                FloatVector w = FloatVector.broadcast(F, wp[w0 + t]);
                a0 = FloatVector.fromArray(F, xp, xi).fma(w, a0);
                a1 = FloatVector.fromArray(F, xp, xi + L).fma(w, a1);
                a2 = FloatVector.fromArray(F, xp, xi + 2 * L).fma(w, a2);
                a3 = FloatVector.fromArray(F, xp, xi + 3 * L).fma(w, a3);
            }
            int oi = o0 + p;
            a0.intoArray(out, oi); a1.intoArray(out, oi + L); a2.intoArray(out, oi + 2 * L);
            a3.intoArray(out, oi + 3 * L);
        }
    }

    /**
     * Weight gradient of 4 output channels x 3 taps over pixels {@code [0, npix)} ({@code npix} a multiple of L):
     * {@code acc[a0 + (3j + t) * L ..] += lanes of sum_p dy[d0 + j*ds + p] * xp[xb + tap_t + p]}.
     */
    static void weightGrad4x3(float[] dy, int d0, int ds, float[] xp, int xb, int tap0, int tap1, int tap2,
                              int npix, float[] acc, int a0) {
        FloatVector z = FloatVector.zero(F);
        FloatVector s00 = z, s01 = z, s02 = z, s10 = z, s11 = z, s12 = z;
        FloatVector s20 = z, s21 = z, s22 = z, s30 = z, s31 = z, s32 = z;
        int x0 = xb + tap0;
        int x1 = xb + tap1;
        int x2 = xb + tap2;
        for (int p = 0; p < npix; p += L) {
            FloatVector v0 = FloatVector.fromArray(F, xp, x0 + p);
            FloatVector v1 = FloatVector.fromArray(F, xp, x1 + p);
            FloatVector v2 = FloatVector.fromArray(F, xp, x2 + p);
            FloatVector d = FloatVector.fromArray(F, dy, d0 + p);
            s00 = v0.fma(d, s00); s01 = v1.fma(d, s01); s02 = v2.fma(d, s02);
            d = FloatVector.fromArray(F, dy, d0 + ds + p);
            s10 = v0.fma(d, s10); s11 = v1.fma(d, s11); s12 = v2.fma(d, s12);
            d = FloatVector.fromArray(F, dy, d0 + 2 * ds + p);
            s20 = v0.fma(d, s20); s21 = v1.fma(d, s21); s22 = v2.fma(d, s22);
            d = FloatVector.fromArray(F, dy, d0 + 3 * ds + p);
            s30 = v0.fma(d, s30); s31 = v1.fma(d, s31); s32 = v2.fma(d, s32);
        }
        // NOTE: written out (no helper taking a vector argument): one helper call left un-inlined boxed a vector.
        FloatVector.fromArray(F, acc, a0).add(s00).intoArray(acc, a0);
        FloatVector.fromArray(F, acc, a0 + L).add(s01).intoArray(acc, a0 + L);
        FloatVector.fromArray(F, acc, a0 + 2 * L).add(s02).intoArray(acc, a0 + 2 * L);
        FloatVector.fromArray(F, acc, a0 + 3 * L).add(s10).intoArray(acc, a0 + 3 * L);
        FloatVector.fromArray(F, acc, a0 + 4 * L).add(s11).intoArray(acc, a0 + 4 * L);
        FloatVector.fromArray(F, acc, a0 + 5 * L).add(s12).intoArray(acc, a0 + 5 * L);
        FloatVector.fromArray(F, acc, a0 + 6 * L).add(s20).intoArray(acc, a0 + 6 * L);
        FloatVector.fromArray(F, acc, a0 + 7 * L).add(s21).intoArray(acc, a0 + 7 * L);
        FloatVector.fromArray(F, acc, a0 + 8 * L).add(s22).intoArray(acc, a0 + 8 * L);
        FloatVector.fromArray(F, acc, a0 + 9 * L).add(s30).intoArray(acc, a0 + 9 * L);
        FloatVector.fromArray(F, acc, a0 + 10 * L).add(s31).intoArray(acc, a0 + 10 * L);
        FloatVector.fromArray(F, acc, a0 + 11 * L).add(s32).intoArray(acc, a0 + 11 * L);
    }

    /**
     * Sum of the L lanes at {@code a[i..i+L)}. NOTE: a scalar loop; {@code reduceLanes} boxed a vector per call on
     * JDK 17 in this (cold, once per call) code.
     */
    static float sumLanes(float[] a, int i) {
        float s = 0f;
        for (int j = 0; j < L; j++) {
            s += a[i + j];
        }
        return s;
    }

    /**
     * {@code d[di + j] += s[si + j]} for j in [0, n). NOTE: a plain loop (C2 vectorizes it): this runs once per
     * call, and Vector API code that is only C1-compiled boxes every vector.
     */
    static void add(float[] s, int si, float[] d, int di, int n) {
        for (int j = 0; j < n; j++) {
            d[di + j] += s[si + j];
        }
    }

    /**
     * Copies {@code n} floats (non-overlapping arrays or ranges). NOTE: the short rows of small images made
     * {@link System#arraycopy}'s per-call overhead the main cost of the direct path; rows of at least L floats are
     * copied with whole vectors, the last one overlapping its predecessor (it rewrites equal values), so no masks
     * and no scalar tail are needed.
     */
    static void copyRow(float[] s, int si, float[] d, int di, int n) {
        if (ENABLED && n >= L) {
            int j = 0;
            for (; j + L < n; j += L) {
                FloatVector.fromArray(F, s, si + j).intoArray(d, di + j);
            }
            FloatVector.fromArray(F, s, si + n - L).intoArray(d, di + n - L);
        } else {
            for (int j = 0; j < n; j++) {
                d[di + j] = s[si + j];
            }
        }
    }

    /** Zeroes {@code n} floats from {@code di}: whole vectors, then a scalar tail. */
    static void zero(float[] d, int di, int n) {
        int j = 0;
        if (ENABLED && n >= L) {
            FloatVector z = FloatVector.zero(F);
            for (; j + L <= n; j += L) {
                z.intoArray(d, di + j);
            }
        }
        for (; j < n; j++) {
            d[di + j] = 0f;
        }
    }

    /**
     * {@code d[di + j] += s[si + j]} for j in [0, n), arrays not overlapping. NOTE: col2im adds ~7000 rows of ~24
     * floats per image, where HotSpot's auto-vectorized loop runs almost entirely in its scalar pre/post loops
     * (col2im then cost 70% as much as the GEMM). Here the last two vectors are both loaded and summed before
     * either is stored, so they may overlap without adding anything twice: any n >= L takes whole vectors only.
     */
    static void addRow(float[] s, int si, float[] d, int di, int n) {
        if (!ENABLED || n < L) {
            for (int j = 0; j < n; j++) {
                d[di + j] += s[si + j];
            }
            return;
        }
        int j = 0;
        for (; j + 2 * L <= n; j += L) {
            FloatVector.fromArray(F, d, di + j).add(FloatVector.fromArray(F, s, si + j)).intoArray(d, di + j);
        }
        // NOTE: now L <= n - j < 2L
        int k = n - L;
        FloatVector a = FloatVector.fromArray(F, d, di + j).add(FloatVector.fromArray(F, s, si + j));
        FloatVector b = FloatVector.fromArray(F, d, di + k).add(FloatVector.fromArray(F, s, si + k));
        a.intoArray(d, di + j);
        b.intoArray(d, di + k);
    }
}
