package dev.ingot.runtime.kernels;

/**
 * Static description of one fused multi-head attention call site (a {@code static final} in generated code), in the
 * layout the projections produce, so that no head is ever split or merged by a copy:
 * <ul>
 *   <li>queries {@code q[b][i][h * dk + c]}: {@code [batch, t, heads * dk]};</li>
 *   <li>keys {@code k[b][j][h * dk + c]}: {@code [batch, s, heads * dk]};</li>
 *   <li>values {@code v[b][j][h * dv + c]}: {@code [batch, s, heads * dv]};</li>
 *   <li>output {@code o[b][i][h * dv + c]}: {@code [batch, t, heads * dv]};</li>
 *   <li>an optional additive mask read at {@code mask[b * maskB + h * maskH + i * maskT + j * maskS]} (a stride is 0
 *       along a dimension the mask broadcasts over);</li>
 *   <li>{@code causal}: key {@code j} is seen by query {@code i} only if {@code j <= i} (the keys after it are
 *       skipped, not computed and masked).</li>
 * </ul>
 * Head {@code h} of query {@code i} attends with {@code softmax_j(scale * q_i . k_j + mask_ij) v_j}.
 */
public record AttentionShape(int heads, int t, int s, int dk, int dv, float scale, boolean causal,
                             int maskB, int maskH, int maskT, int maskS) {

    /** Validates sizes and strides. */
    public AttentionShape {
        if (heads <= 0 || t <= 0 || s <= 0 || dk <= 0 || dv <= 0) {
            throw new IllegalArgumentException("attention sizes must be positive: heads=" + heads + " t=" + t + " s=" + s
                    + " dk=" + dk + " dv=" + dv);
        }
        if (maskB < 0 || maskH < 0 || maskT < 0 || maskS < 0) {
            throw new IllegalArgumentException("negative mask stride");
        }
        if ((long) heads * Math.max(dk, dv) * Math.max(t, s) > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("attention too large for int indexing");
        }
    }

    /** Without a mask. */
    public AttentionShape(int heads, int t, int s, int dk, int dv, float scale, boolean causal) {
        this(heads, t, s, dk, dv, scale, causal, 0, 0, 0, 0);
    }

    /** Query and key row width: {@code heads * dk}. */
    int e() {
        return heads * dk;
    }

    /** Value and output row width: {@code heads * dv}. */
    int ev() {
        return heads * dv;
    }

    /** Keys query {@code i} attends to: {@code [0, keys(i))}. */
    int keys(int i) {
        return causal ? Math.min(s, i + 1) : s;
    }

    /**
     * Elements per image of the packed gradient {@code [dq | dk | dv]} that {@link Attention#backward} writes:
     * {@code t * e + s * e + s * ev}.
     */
    public int packedGradient() {
        return (t + s) * e() + s * ev();
    }
}
