package com.example.digits;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Classifies pictures of handwritten digits with the generated {@link MnistMlp} and trained weights:
 * <pre>
 * java --add-modules jdk.incubator.vector -jar target/digits-1.0-SNAPSHOT.jar WEIGHTS.safetensors DIGIT.png [MORE.png ...] [--show]
 * </pre>
 * For each image it prints the predicted digit with its probability, then the probability of
 * every digit; {@code --show} also prints the 28x28 input the model saw.
 */
public final class ClassifyDigit {
    /** A prediction: the digit and the ten probabilities. */
    public record Prediction(int digit, float[] probabilities) {
        public float confidence() { return probabilities[digit]; }
    }

    private final MnistMlp model = new MnistMlp(1);

    /** Loads weights written by {@link MnistMlp#save} (e.g. by {@link TrainDigits}). */
    public ClassifyDigit(Path weights) throws IOException {
        model.load(weights);
    }

    /** Classifies a prepared 28x28 input (see {@link DigitImage}). */
    public Prediction classify(float[] pixels) {
        float[] logits = model.predict(pixels);
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        float[] p = new float[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) sum += p[i] = (float) Math.exp(logits[i] - max);
        int best = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] /= (float) sum;
            if (p[i] > p[best]) best = i;
        }
        return new Prediction(best, p);
    }

    /** Reads, prepares and classifies an image file. */
    public Prediction classify(Path image) throws IOException { return classify(DigitImage.read(image)); }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** The command line; returns the exit code (0 ok, 1 unreadable file, 2 usage). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        boolean show = false;
        List<String> files = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--show")) show = true;
            else if (a.equals("-h") || a.equals("--help")) files.clear();
            else files.add(a);
        }
        if (files.size() < 2) {
            err.println("usage: ClassifyDigit WEIGHTS.safetensors IMAGE.png [IMAGE.png ...] [--show]");
            err.println("  classifies pictures of one handwritten digit each (any size; dark on light or light on dark)");
            return 2;
        }
        try {
            ClassifyDigit c = new ClassifyDigit(Path.of(files.get(0)));
            for (String f : files.subList(1, files.size())) {
                float[] pixels = DigitImage.read(Path.of(f));
                Prediction p = c.classify(pixels);
                out.printf(Locale.ROOT, "%s: %d (%.1f%%)%n", f, p.digit(), 100 * p.confidence());
                StringBuilder sb = new StringBuilder("  ");
                for (int d = 0; d < 10; d++) sb.append(String.format(Locale.ROOT, "%d:%.3f ", d, p.probabilities()[d]));
                out.println(sb.toString().stripTrailing());
                if (show) out.print(DigitImage.ascii(pixels));
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
    }
}
