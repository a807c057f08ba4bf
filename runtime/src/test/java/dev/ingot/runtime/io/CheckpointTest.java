package dev.ingot.runtime.io;

import dev.ingot.runtime.testing.SoftmaxModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.ingot.runtime.io.SafeTensorsTest.assertMessage;
import static org.junit.jupiter.api.Assertions.*;

class CheckpointTest {
    @TempDir Path dir;

    private static SoftmaxModel trained(int features, long seed) {
        SoftmaxModel m = new SoftmaxModel(features, 3, 8);
        m.initialize(seed);
        float[] x = m.inputF32("x");
        int[] y = m.inputI32("y");
        for (int i = 0; i < x.length; i++) x[i] = (i % 7) * 0.1f;
        for (int i = 0; i < y.length; i++) y[i] = i % 3;
        m.trainStep(8);
        m.trainStep(8);
        return m;
    }

    private static void assertSameTensors(SoftmaxModel a, SoftmaxModel b) {
        for (String name : a.tensors().keySet()) assertArrayEquals(a.tensors().get(name), b.tensors().get(name), name);
    }

    @Test
    void roundTripsParamsAndState() throws IOException {
        SoftmaxModel a = trained(4, 1);
        Path p = dir.resolve("a.safetensors");
        Checkpoint.save(p, a, Map.of("epoch", "2"));
        SoftmaxModel b = new SoftmaxModel(4, 3, 8);
        b.initialize(99);
        Checkpoint.LoadResult r = Checkpoint.load(p, b);
        assertSameTensors(a, b);
        assertEquals(List.of("w", "b", "w.m", "b.m", "step"), r.loaded());
        assertEquals(List.of(), r.skipped());
        assertEquals(Map.of("format", "ingot", "model", "softmax", "source", "softmax.ingot", "epoch", "2"), r.metadata());
        assertEquals(2f, b.state("step")[0]);
        // readable as a plain safetensors file with the model's shapes
        SafeTensors.Contents c = SafeTensors.read(p);
        assertArrayEquals(new int[] {4, 3}, c.tensors().get("w").shape());
        assertArrayEquals(new int[] {1}, c.tensors().get("step").shape());
    }

    @Test
    void missingParameter() throws IOException {
        SoftmaxModel a = trained(4, 1);
        Path p = dir.resolve("x.safetensors");
        SafeTensors.write(p, List.of(SafeTensors.Entry.f32("w", new int[] {4, 3}, a.param("w"))), Map.of("model", "softmax"));
        SoftmaxModel b = trained(4, 2);
        float[] before = b.param("w").clone();
        assertMessage(() -> Checkpoint.load(p, b), "checkpoint " + p + " has no tensor 'b'");
        assertArrayEquals(before, b.param("w"), "a failed load leaves the model untouched");
    }

    @Test
    void wrongShape() throws IOException {
        Path p = dir.resolve("small.safetensors");
        Checkpoint.save(p, trained(4, 1), Map.of());
        SoftmaxModel b = trained(5, 2);
        float[] before = b.param("b").clone();
        assertMessage(() -> Checkpoint.load(p, b), "checkpoint " + p + ": tensor 'w': checkpoint has [4, 3], model expects [5, 3]");
        assertArrayEquals(before, b.param("b"), "nothing copied before the shape check failed");
    }

    @Test
    void checkpointOfAnotherModel() throws IOException {
        Path p = dir.resolve("cnn.safetensors");
        SafeTensors.write(p, List.of(SafeTensors.Entry.f32("conv1.w", new int[] {1}, new float[1]),
                SafeTensors.Entry.f32("conv1.b", new int[] {1}, new float[1]), SafeTensors.Entry.f32("w", new int[] {4, 3}, new float[12])),
                Map.of("model", "cnn"));
        assertMessage(() -> Checkpoint.load(p, trained(4, 1)), "checkpoint " + p + " does not match model 'softmax' (it was saved from model 'cnn'): "
                + "unexpected tensors 'conv1.b' [1], 'conv1.w' [1]; missing 'b' [3], 'w.m' [4, 3], 'b.m' [3], 'step' [1]");
    }

    @Test
    void weightsOnlyAllowsMissingOptimizerState() throws IOException {
        SoftmaxModel a = trained(4, 1);
        Path p = dir.resolve("weights.safetensors");
        SafeTensors.write(p, List.of(SafeTensors.Entry.f32("w", new int[] {4, 3}, a.param("w")),
                SafeTensors.Entry.f32("b", new int[] {3}, a.param("b"))), Map.of());
        SoftmaxModel b = new SoftmaxModel(4, 3, 8);
        b.initialize(5);
        assertMessage(() -> Checkpoint.load(p, b), "checkpoint " + p + " has no state tensors 'w.m', 'b.m', 'step' (optimizer state); "
                + "load weights only to start it afresh");
        Checkpoint.LoadResult r = Checkpoint.load(p, b, true);
        assertEquals(List.of("w", "b"), r.loaded());
        assertEquals(List.of("w.m", "b.m", "step"), r.skipped());
        assertArrayEquals(a.param("w"), b.param("w"));
        assertEquals(0f, b.state("step")[0], "state keeps its value");
        // parameters are never optional
        Path onlyW = dir.resolve("onlyw.safetensors");
        SafeTensors.write(onlyW, List.of(SafeTensors.Entry.f32("w", new int[] {4, 3}, a.param("w"))), Map.of());
        assertMessage(() -> Checkpoint.load(onlyW, b, true), "has no tensor 'b'");
    }

    @Test
    void integerTensorIsRejected() throws IOException {
        Path p = dir.resolve("int.safetensors");
        SoftmaxModel a = trained(4, 1);
        SafeTensors.write(p, List.of(SafeTensors.Entry.f32("w", new int[] {4, 3}, a.param("w")),
                SafeTensors.Entry.i32("b", new int[] {3}, new int[3])), Map.of());
        assertMessage(() -> Checkpoint.load(p, a, true), "tensor 'b' has dtype I32, expected a float type");
    }

    @Test
    void truncatedCheckpoint() throws IOException {
        Path p = dir.resolve("cut.safetensors");
        Checkpoint.save(p, trained(4, 1), Map.of());
        byte[] b = Files.readAllBytes(p);
        Files.write(p, Arrays.copyOf(b, b.length - 3));
        assertMessage(() -> Checkpoint.load(p, trained(4, 1)), "cut.safetensors: tensor '");
        assertMessage(() -> Checkpoint.load(p, trained(4, 1)), "run past the end of the data");
    }

    @Test
    void notACheckpoint() throws IOException {
        Path p = dir.resolve("model.ingot");
        Files.writeString(p, "model mlp {\n  input x: f32[batch, 784]\n}\n");
        assertMessage(() -> Checkpoint.load(p, trained(4, 1)), "model.ingot: not a safetensors file");
        assertMessage(() -> Checkpoint.load(dir.resolve("none.safetensors"), trained(4, 1)), "none.safetensors: no such file");
    }
}
