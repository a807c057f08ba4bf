package dev.ingot.compiler.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ingot.compiler.Compiler;
import dev.ingot.compiler.frontend.SourceFile;
import dev.ingot.runtime.io.SafeTensors;
import dev.ingot.runtime.model.CompiledModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Convolution and pooling cases through the generated float32 code: every case of a fixture file
 * in one DSL model (one compilation). Case {@code i} reads input {@code x<i>} {@code [batch, c, h, w]}
 * plus a zero parameter {@code e<i>} {@code [c, h, w]} (broadcast over the batch), so one SGD step at
 * learning rate 1 shows {@code sum over the batch of dx} as the change of {@code e<i>} (a training step
 * cannot show an input's gradient otherwise); convolution weights {@code w<i>} show {@code dw} the
 * same way. The loss is {@code sum over cases of sum(y<i> * dy<i>)}, dy fed as an f32 label. The model
 * runs at batch 2; a case of batch 1 gets a zero second example with a zero upstream gradient,
 * which adds nothing to any gradient.
 */
final class CompiledWindowCases {
    private CompiledWindowCases() {}

    static final int BATCH = 2;

    /** Results per case index: "y" (forward, the case's own batch), "dx_sum" ([c, h, w]) and, for conv, "dw". */
    static Map<Integer, Map<String, float[]>> run(String file, Function<Map<String, Object>, String> call) throws IOException {
        try (SafeTensors.Reader f = SafeTensors.open(PyTorchFixturesTest.Fixtures.dir().resolve(file + ".safetensors"))) {
            int n = Integer.parseInt(f.metadata().get("num_cases"));
            StringBuilder dsl = new StringBuilder("model " + file.substring(0, 1).toUpperCase() + file.substring(1) + "Fixtures {\n");
            List<String> loss = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Map<String, Object> c = FixtureCases.meta(f, i);
                int[] xs = f.info("case" + i + ".x").shape(), ys = f.info("case" + i + ".y_out").shape();
                dsl.append("  input  x%d: f32[batch, %d, %d, %d]%n".formatted(i, xs[1], xs[2], xs[3]));
                dsl.append("  label  dy%d: f32[batch, %d, %d, %d]%n".formatted(i, ys[1], ys[2], ys[3]));
                dsl.append("  param  e%d: [%d, %d, %d] = zeros%n".formatted(i, xs[1], xs[2], xs[3]));
                if (f.info("case" + i + ".w") != null) {
                    int[] ws = f.info("case" + i + ".w").shape();
                    dsl.append("  param  w%d: [%d, %d, %d, %d] = zeros%n".formatted(i, ws[0], ws[1], ws[2], ws[3]));
                }
                dsl.append("  output y%d = %s%n".formatted(i, call.apply(c).replace("X", "x" + i + " + e" + i).replace("W", "w" + i)));
                loss.add("sum(y%d * dy%d)".formatted(i, i));
            }
            dsl.append("  loss = ").append(String.join(" + ", loss)).append("\n  train { optimizer: sgd(lr = 1), batch: ").append(BATCH).append(" }\n}\n");
            CompiledModel m = Compiler.compile(SourceFile.of(file + "_fixtures.ingot", null, dsl.toString(), true), Compiler.Options.defaults()).instantiate(BATCH);
            Map<Integer, float[]> w0 = new HashMap<>();
            for (int i = 0; i < n; i++) {
                copy(f.readF32("case" + i + ".x"), m.inputF32("x" + i));   // a batch-1 case leaves the second example 0
                copy(f.readF32("case" + i + ".dy"), m.inputF32("dy" + i));
                if (f.info("case" + i + ".w") != null) {
                    f.readF32(f.info("case" + i + ".w"), m.param("w" + i));
                    w0.put(i, m.param("w" + i).clone());
                }
            }
            m.evaluate(BATCH);
            Map<Integer, Map<String, float[]>> r = new HashMap<>();
            for (int i = 0; i < n; i++) {
                int numel = (int) f.info("case" + i + ".y_out").numel();
                r.computeIfAbsent(i, k -> new HashMap<>()).put("y", java.util.Arrays.copyOf(m.output(i), numel));
            }
            m.trainStep(BATCH);
            for (int i = 0; i < n; i++) {
                float[] e = m.param("e" + i), dx = new float[e.length];
                for (int k = 0; k < e.length; k++) dx[k] = -e[k];
                r.get(i).put("dx_sum", dx);
                if (w0.containsKey(i)) {
                    float[] now = m.param("w" + i), dw = new float[now.length];
                    for (int k = 0; k < now.length; k++) dw[k] = w0.get(i)[k] - now[k];
                    r.get(i).put("dw", dw);
                }
            }
            return r;
        }
    }

    private static void copy(float[] src, float[] dst) { System.arraycopy(src, 0, dst, 0, src.length); }

    /** Compares case {@code i}'s compiled results with the fixture (forward, batch-summed dx, dw). */
    static void check(String file, int i, Map<String, float[]> got, String what) throws IOException {
        try (SafeTensors.Reader f = SafeTensors.open(PyTorchFixturesTest.Fixtures.dir().resolve(file + ".safetensors"))) {
            compare(f.readF32("case" + i + ".y_out"), got.get("y"), what + ": compiled forward");
            float[] dx = f.readF32("case" + i + ".dx"), sum = new float[got.get("dx_sum").length];
            for (int k = 0; k < dx.length; k++) sum[k % sum.length] += dx[k];
            compare(sum, got.get("dx_sum"), what + ": compiled gradient of x (summed over the batch)");
            if (got.containsKey("dw")) compare(f.readF32("case" + i + ".dw"), got.get("dw"), what + ": compiled gradient of w");
        }
    }

    /** Float32 code against the float64 reference: 1e-5 relative to the magnitude, plus 1e-5 (the SGD step's rounding). */
    static void compare(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what + ": element count");
        for (int k = 0; k < want.length; k++) assertEquals(want[k], got[k], 1e-5 * (1 + Math.abs(want[k])), what + " [" + k + "]");
    }

    static String list(Object o) {
        int[] v = FixtureCases.ints(o);
        StringBuilder s = new StringBuilder("[");
        for (int k = 0; k < v.length; k++) s.append(k == 0 ? "" : ", ").append(v[k]);
        return s.append("]").toString();
    }
}
