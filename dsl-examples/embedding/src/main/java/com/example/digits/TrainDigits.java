package com.example.digits;

import dev.ingot.runtime.data.Dataset;
import dev.ingot.runtime.train.Progress;
import dev.ingot.runtime.train.TrainResult;
import dev.ingot.runtime.train.Trainer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Trains the generated {@link MnistMlp} on MNIST and saves the weights:
 * <pre>
 * java --add-modules jdk.incubator.vector -cp target/digits-1.0-SNAPSHOT.jar com.example.digits.TrainDigits MNIST_DIR WEIGHTS.safetensors [EPOCHS]
 * </pre>
 * {@code MNIST_DIR} holds the IDX files ({@code train-images-idx3-ubyte.gz}, ...), e.g. the Ingot
 * repository's {@code dsl-examples/data/mnist}.
 */
public final class TrainDigits {
    private TrainDigits() {}

    /** Trains a fresh model for {@code epochs} epochs (batch and schedule from the model's train block), saves it, returns the result. */
    public static TrainResult train(Path mnistDir, Path weights, int epochs, Progress progress) throws IOException {
        Dataset train = Dataset.idxImages(mnistDir, "train", 1 / 255f);
        Dataset test = Dataset.idxImages(mnistDir, "test", 1 / 255f);
        MnistMlp model = new MnistMlp(MnistMlp.SPEC.train().batch());
        model.initialize(42);
        TrainResult r = new Trainer(model)
                .options(Trainer.Options.defaults().withEpochs(epochs).withSeed(1))
                .progress(progress)
                .fit(train, test);
        model.save(weights);
        return r;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: TrainDigits MNIST_DIR WEIGHTS.safetensors [EPOCHS]");
            System.exit(2);
        }
        int epochs = args.length == 3 ? Integer.parseInt(args[2]) : 1;
        TrainResult r = train(Path.of(args[0]), Path.of(args[1]), epochs, new Progress(System.out, Progress.Mode.AUTO));
        System.out.printf(Locale.ROOT, "test accuracy %.4f; weights saved to %s%n", r.testAccuracy(), args[1]);
    }
}
