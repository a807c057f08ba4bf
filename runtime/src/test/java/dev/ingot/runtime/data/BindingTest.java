package dev.ingot.runtime.data;

import dev.ingot.runtime.io.DataFormatException;
import dev.ingot.runtime.model.DType;
import dev.ingot.runtime.model.ModelSpec;
import dev.ingot.runtime.model.TensorSpec;
import dev.ingot.runtime.testing.SoftmaxModel;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class BindingTest {
    private final SoftmaxModel model = new SoftmaxModel(4, 3, 8); // x: f32[batch, 4], y: i32[batch]

    private static Dataset data(Dataset.Field... f) { return Dataset.of(f); }

    private static Dataset.Field f32(String name, int... shape) {
        int per = 1;
        for (int d : shape) per *= d;
        return Dataset.Field.f32(name, shape, new float[2 * per]);
    }

    private static Dataset.Field i32(String name) { return Dataset.Field.i32(name, new int[] {}, new int[2]); }

    @Test
    void bindsByEliminationByNameAndExplicitly() {
        assertEquals(Map.of("x", "image", "y", "label"), Binding.auto().resolve(data(f32("image", 2, 2), i32("label")), model.spec(), true));
        assertEquals(Map.of("x", "x", "y", "y"),
                Binding.auto().resolve(data(f32("other", 4), f32("x", 4), i32("y"), i32("id")), model.spec(), true));
        Dataset two = data(f32("a", 4), f32("b", 4), i32("label"));
        assertEquals(Map.of("x", "b", "y", "label"), Binding.of(Map.of("b", "x")).resolve(two, model.spec(), true));
        assertEquals(Map.of("x", "a"), Binding.auto().bind("a", "x").bind("label", "y").resolve(two, model.spec(), false),
                "labels not needed for prediction");
    }

    @Test
    void targetsAreTheModelBuffers() {
        Dataset d = data(f32("image", 4), i32("label"));
        List<Batcher.Target> t = Binding.auto().targets(d, model, true);
        assertSame(model.inputF32("x"), t.get(0).f32());
        assertSame(model.inputI32("y"), t.get(1).i32());
        assertSame(d.field("label"), t.get(1).field());
    }

    @Test
    void intFieldMayFeedFloatInput() {
        Dataset d = data(Dataset.Field.i32("tokens", new int[] {4}, new int[8]), i32("label"));
        assertEquals(Map.of("x", "tokens", "y", "label"), Binding.of(Map.of("tokens", "x")).resolve(d, model.spec(), true));
    }

    @Test
    void clearErrors() {
        assertError(Binding.auto(), data(f32("image", 28, 28), i32("label")),
                "data field 'image' has 784 values per example (f32[28, 28]), but model input 'x' expects f32[batch, 4] = 4");
        assertError(Binding.auto(), data(f32("image", 4), f32("label")),
                "model label 'y' (i32[batch]) is not bound to a data field; data fields: image f32[4], label f32[] (none is i32)");
        assertError(Binding.of(Map.of("label", "y")), data(f32("image", 4), f32("label")),
                "data field 'label' is f32 but model label 'y' is i32 (expects integers)");
        assertError(Binding.auto(), data(f32("a", 4), f32("b", 4), i32("label")),
                "model input 'x' (f32[batch, 4]) is not bound to a data field; data fields: a f32[4], b f32[4], label i32[] (bind one explicitly, e.g. a=x)");
        assertError(Binding.of(Map.of("a", "z")), data(f32("a", 4), i32("label")),
                "model 'softmax' has no input or label 'z' (inputs: x; labels: y)");
        assertError(Binding.of(Map.of("img", "x")), data(f32("a", 4), i32("label")), "data has no field 'img' (fields: a, label)");
        assertError(Binding.auto().bind("a", "x").bind("b", "x"), data(f32("a", 4), f32("b", 4), i32("label")),
                "model input 'x' is bound twice: to data fields 'a' and 'b'");
    }

    @Test
    void inputWithoutBatchDimension() {
        ModelSpec spec = new ModelSpec("m", null, List.of(new TensorSpec("x", DType.F32, new int[] {4})), List.of(), List.of(),
                List.of(), List.of(), null);
        DataFormatException e = assertThrows(DataFormatException.class, () -> Binding.auto().resolve(data(f32("x", 4)), spec, true));
        assertEquals("model input 'x' has shape [4] without a single leading batch dimension; examples cannot be fed into it", e.getMessage());
    }

    private void assertError(Binding b, Dataset d, String message) {
        DataFormatException e = assertThrows(DataFormatException.class, () -> b.resolve(d, model.spec(), true));
        assertEquals(message, e.getMessage());
    }

    private static TensorSpec t(String name, int... perExample) {
        int[] shape = new int[perExample.length + 1];
        shape[0] = TensorSpec.BATCH;
        System.arraycopy(perExample, 0, shape, 1, perExample.length);
        return new TensorSpec(name, DType.I32, shape);
    }

    private static ModelSpec spec(List<TensorSpec> inputs, List<TensorSpec> labels) {
        return new ModelSpec("m", null, inputs, labels, List.of(), List.of(), List.of(), null);
    }

    private static Dataset.Field i32(String name, Dataset.Role role, int per) {
        return Dataset.Field.i32(name, new int[] {per}, new int[2 * per], role);
    }

    @Test
    void rolesKeepInputsAndTargetsApart() {
        Dataset chars = data(i32("ids", Dataset.Role.INPUT, 4), i32("next", Dataset.Role.TARGET, 4));
        ModelSpec own = spec(List.of(t("tokens", 4)), List.of(t("target", 4)));
        assertEquals(Map.of("tokens", "ids", "target", "next"), Binding.auto().resolve(chars, own, true),
                "same dtype and size: only the roles tell them apart");
        assertEquals(Map.of("tokens", "ids"), Binding.auto().resolve(chars, own, false));
        ModelSpec swapped = spec(List.of(t("next", 4)), List.of(t("ids", 4)));
        assertEquals(Map.of("next", "ids", "ids", "next"), Binding.auto().resolve(chars, swapped, true),
                "a name match across roles does not count");
        assertEquals(Map.of("next", "next", "ids", "ids"), Binding.auto().bind("next", "next").bind("ids", "ids").resolve(chars, swapped, true),
                "explicit pairs ignore roles");

        Dataset reverse = data(i32("src", Dataset.Role.INPUT, 6), i32("tgt_in", Dataset.Role.INPUT, 6), i32("tgt", Dataset.Role.TARGET, 6));
        assertEquals(Map.of("src", "src", "tgt_in", "tgt_in", "y", "tgt"),
                Binding.auto().resolve(reverse, spec(List.of(t("src", 6), t("tgt_in", 6)), List.of(t("y", 6))), true));
        assertEquals(Map.of("enc", "src", "tgt_in", "tgt_in", "y", "tgt"),
                Binding.auto().resolve(reverse, spec(List.of(t("enc", 6), t("tgt_in", 6)), List.of(t("y", 6))), true),
                "by elimination after the name match");
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> Binding.auto().resolve(reverse, spec(List.of(t("a", 6), t("b", 6)), List.of(t("y", 6))), true));
        assertEquals("model input 'a' (i32[batch, 6]) is not bound to a data field; data fields: src i32[6] (input), tgt_in i32[6] (input), "
                + "tgt i32[6] (target) (bind one explicitly, e.g. src=a)", e.getMessage());
        e = assertThrows(DataFormatException.class,
                () -> Binding.auto().resolve(data(i32("ids", Dataset.Role.INPUT, 4)), own, true));
        assertEquals("model label 'target' (i32[batch, 4]) is not bound to a data field; data fields: ids i32[4] (input) (bind one explicitly, e.g. ids=target)",
                e.getMessage(), "an input field does not feed a label by elimination");
    }

    @Test
    void idxRolesFeedAModelsOwnNames() {
        Dataset mnist = data(Dataset.Field.f32("image", new int[] {2, 2}, new float[8], Dataset.Role.INPUT),
                Dataset.Field.i32("label", new int[] {}, new int[2], Dataset.Role.TARGET));
        assertEquals(Map.of("x", "image", "y", "label"), Binding.auto().resolve(mnist, model.spec(), true));
        Dataset.Field f = mnist.field("image");
        assertEquals(Dataset.Role.INPUT, mnist.subset(0, 1).field("image").role(), "subsets keep roles");
        assertEquals(Dataset.Role.TARGET, f.withRole(Dataset.Role.TARGET).role());
        assertEquals(Dataset.Role.ANY, Dataset.Field.f32("a", new int[] {1}, new float[1]).role());
    }
}
