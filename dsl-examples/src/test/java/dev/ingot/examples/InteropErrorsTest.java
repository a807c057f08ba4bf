package dev.ingot.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.runtime.io.Checkpoint;
import dev.ingot.runtime.io.DataFormatException;
import dev.ingot.runtime.io.SafeTensors;
import dev.ingot.runtime.model.CompiledModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading weights of another model, or with a wrong shape, fails naming the tensor (and the shapes) and changes nothing. */
class InteropErrorsTest {
    @TempDir Path dir;

    private static void assertMessage(Exception e, String... parts) {
        for (String p : parts) assertTrue(e.getMessage().contains(p), "message lacks \"" + p + "\": " + e.getMessage());
    }

    /** The classic mistake: nn.Linear.weight stored without the transpose. */
    @Test
    void linearWeightInPyTorchLayoutFailsWithNameAndBothShapes() throws Exception {
        Path torch = Interop.fixture("mnist_mlp.torch.safetensors");
        SafeTensors.Contents c = SafeTensors.read(torch);
        List<SafeTensors.Entry> entries = new ArrayList<>();
        for (SafeTensors.Entry e : c.tensors().values()) {
            entries.add(e.name().equals("fc1.w") ? SafeTensors.Entry.f32("fc1.w", new int[] {256, 784}, transpose(e.f32(), 784, 256)) : e);
        }
        Path bad = dir.resolve("untransposed.safetensors");
        SafeTensors.write(bad, entries, c.metadata());

        CompiledModel m = Interop.compile("mnist_mlp", false).instantiate(8);
        m.initialize(5);
        float[] before = m.param("fc1.b").clone();
        Exception e = assertThrows(DataFormatException.class, () -> m.load(bad));
        assertMessage(e, "tensor 'fc1.w': checkpoint has [256, 784], model expects [784, 256]");
        assertArrayEquals(before, m.param("fc1.b"), "a failed load leaves the model unchanged");
        e = assertThrows(DataFormatException.class, () -> Checkpoint.load(bad, m, true));
        assertMessage(e, "tensor 'fc1.w': checkpoint has [256, 784], model expects [784, 256]");
    }

    /** Same layer names, other layer types: the shape check names the tensor and both shapes. */
    @Test
    void lstmWeightsIntoTheGruModelFailWithNameAndBothShapes() throws Exception {
        CompiledModel gru = Interop.compile("char_gru", false).instantiate(4);
        Exception e = assertThrows(DataFormatException.class, () -> gru.load(Interop.fixture("char_lstm.torch.safetensors")));
        assertMessage(e, "tensor 'rec.weight_ih': checkpoint has [1024, 64], model expects [768, 64]");
    }

    /**
     * Other layer names: the message names the model the file came from and every unexpected and
     * missing tensor, and every tensor both have with different shapes, each with its shapes.
     */
    @Test
    void mlpWeightsIntoTheCnnFailNamingTheTensors() throws Exception {
        Path mlp = Interop.fixture("mnist_mlp.torch.safetensors");
        CompiledModel cnn = Interop.compile("mnist_cnn", false).instantiate(8);
        cnn.initialize(5);
        float[] before = cnn.param("fc1.w").clone();
        for (Exception e : List.of(assertThrows(DataFormatException.class, () -> cnn.load(mlp)),
                                   assertThrows(DataFormatException.class, () -> Checkpoint.load(mlp, cnn, true)))) {
            assertMessage(e, "does not match model 'MnistCnn' (it was saved from model 'MnistMlp')",
                    "unexpected tensors 'out.b' [10], 'out.w' [128, 10]", "missing 'conv1.w' [32, 1, 3, 3], 'conv1.b' [32], 'conv2.w' [64, 32, 3, 3], 'conv2.b' [64]",
                    "'fc1.w': checkpoint has [784, 256], model expects [9216, 128]");
        }
        assertArrayEquals(before, cnn.param("fc1.w"));
    }

    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
        return t;
    }

}
