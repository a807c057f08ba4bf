package dev.ingot.runtime.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base class of every generated model class. A generated class owns all of its memory: inputs,
 * parameters, gradients, optimizer state and one arena for intermediates, all sized for
 * {@link #maxBatch()} at construction. {@link #trainStep(int)} and {@link #predict(int)} allocate
 * nothing.
 *
 * <p>Calling protocol: fill the arrays returned by {@link #inputF32(String)} / {@link #inputI32(String)}
 * (row-major, the first {@code n} examples), call a step with batch size {@code n <= maxBatch()},
 * then read {@link #output(int)}.
 *
 * <p>Thread safety: an instance is not thread-safe (its buffers hold the step in progress). For
 * concurrent inference, give each thread its own instance from {@link #sharingParameters(int)}:
 * they share the parameters (no copy) and may {@code predict} at the same time, provided nothing
 * trains or loads weights meanwhile.
 */
public abstract class CompiledModel {
    private final int maxBatch;

    protected CompiledModel(int maxBatch) {
        if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
        this.maxBatch = maxBatch;
    }

    /** Largest batch size this instance accepts. */
    public final int maxBatch() { return maxBatch; }

    /** Static description of the model. */
    public abstract ModelSpec spec();

    /** One training step on the first {@code n} examples of the bound inputs and labels: forward,
     *  loss, gradients and optimizer update. Returns the mean loss of the batch before the update. */
    public abstract float trainStep(int n);

    /**
     * Training step {@code step} of a model that declares several ({@link TrainConfig#steps()}, e.g. a GAN's
     * discriminator and generator steps), each with its own loss, optimizer and parameters; returns that
     * step's loss. {@link #trainStep(int)} runs them all in order. A model with one step has step 0 only.
     */
    public float trainStep(int step, int n) {
        if (step != 0) throw new IndexOutOfBoundsException("model " + spec().name() + " has one training step, not " + (step + 1));
        return trainStep(n);
    }

    /**
     * The global L2 norm of the gradients in the last training step (before clipping; for a model with several
     * steps, the last one run), which the trainer watches for NaN and infinities; -1 when not computed (no
     * step run yet).
     */
    public float gradNorm() {
        return -1;
    }

    /**
     * The first half of {@link #trainStep(int)}, for data-parallel training: forward, loss and backward on the
     * first {@code n} examples, leaving each parameter's gradient in {@link #gradient(String)}; updates what the
     * training step updates in the forward pass (batch norm's running statistics, the random-number counter), not
     * the parameters. Returns the mean loss. {@code computeGradients(n); applyUpdate();} is {@code trainStep(n)}
     * (bit for bit at one thread); between the two calls the gradient buffers may be changed, e.g. replaced by
     * their average over replicas. Generated only when asked for ({@code Compiler.Options.withSplitStep}).
     */
    public float computeGradients(int n) {
        throw new UnsupportedOperationException(splitStepMissing());
    }

    /** {@link #computeGradients(int)} of training step {@code step} of a model with several ({@link TrainConfig#steps()}). */
    public float computeGradients(int step, int n) {
        if (step != 0) throw new IndexOutOfBoundsException("model " + spec().name() + " has one training step, not " + (step + 1));
        return computeGradients(n);
    }

    /**
     * The second half of {@link #trainStep(int)}: the optimizer update of the parameters (with gradient clipping,
     * the learning-rate schedule and the step counter) from the gradients in {@link #gradient(String)}.
     */
    public void applyUpdate() {
        throw new UnsupportedOperationException(splitStepMissing());
    }

    /** {@link #applyUpdate()} of training step {@code step} of a model with several. */
    public void applyUpdate(int step) {
        if (step != 0) throw new IndexOutOfBoundsException("model " + spec().name() + " has one training step, not " + (step + 1));
        applyUpdate();
    }

    /** The gradient buffer of parameter {@code name} (its shape, row-major): written by {@link #computeGradients}, read by {@link #applyUpdate}. */
    public float[] gradient(String name) {
        throw new UnsupportedOperationException(splitStepMissing());
    }

    /** The parameters whose gradients training step {@code step} computes, in a fixed order (the same in every instance of the class). */
    public List<String> gradientNames(int step) {
        throw new UnsupportedOperationException(splitStepMissing());
    }

    private String splitStepMissing() {
        return "model " + spec().name() + " was compiled without the split training step (computeGradients/applyUpdate): compile it with "
                + "Compiler.Options.withSplitStep(true) (it also needs a train block)";
    }

    /** Value {@code i} of {@link TrainConfig#reports()} computed by the last {@link #evaluate(int)} (a batch mean). */
    public float report(int i) {
        throw new IndexOutOfBoundsException("model " + spec().name() + " reports no values");
    }

    /** Inference on the first {@code n} examples of the bound inputs; results in {@link #output(int)}. */
    public abstract void predict(int n);

    /** Inference plus the loss against the bound labels, without updating anything. Returns the
     *  mean loss; the outputs are in {@link #output(int)} as after {@link #predict(int)}. */
    public abstract float evaluate(int n);

    /**
     * The loss on the first {@code n} examples (inference mode, as {@link #evaluate}) and its gradient
     * with respect to every f32 input it depends on, read with {@link #inputGradient(String)}
     * (saliency maps, adversarial examples); updates nothing. Returns the mean loss.
     */
    public float inputGradients(int n) {
        throw new UnsupportedOperationException("model " + spec().name() + " has no input gradients (no loss, compiled for inference only, or a loss computed through a loop)");
    }

    /** d(loss)/d(input {@code name}) from the last {@link #inputGradients(int)}, in the input's layout; the first n examples are valid. */
    public float[] inputGradient(String name) {
        throw new UnsupportedOperationException("model " + spec().name() + " has no input gradients (no loss, compiled for inference only, or a loss computed through a loop)");
    }

    /** The buffer of input or label {@code name} (f32), sized for {@link #maxBatch()}. */
    public abstract float[] inputF32(String name);

    /** The buffer of input or label {@code name} (i32), sized for {@link #maxBatch()}. */
    public abstract int[] inputI32(String name);

    /** Output {@code i} (in {@link ModelSpec#outputs()} order) of the last predict/evaluate; the first
     *  {@code n * numelPerExample} elements are valid. */
    public abstract float[] output(int i);

    /** Backing array of parameter {@code name}, row-major, in {@link ModelSpec#params()} shape. */
    public abstract float[] param(String name);

    /** Backing array of state tensor {@code name} (optimizer moments, step counter, running statistics). */
    public abstract float[] state(String name);

    /**
     * Predicts one example of a single-input model: {@code example} holds the input's values for
     * one example (row-major); returns a new array with output 0 for that example. Convenient, not
     * for hot loops: it allocates the result.
     */
    public float[] predict(float[] example) {
        ModelSpec s = spec();
        if (s.inputs().size() != 1 || s.inputs().get(0).dtype() != DType.F32)
            throw new IllegalStateException("predict(float[]) needs a model with one f32 input; " + s.name() + " has " + s.inputs());
        TensorSpec in = s.inputs().get(0);
        if (example.length != in.numelPerExample())
            throw new IllegalArgumentException("input " + in.name() + " takes " + in.numelPerExample() + " values per example " + in.shapeString() + ", got " + example.length);
        System.arraycopy(example, 0, inputF32(in.name()), 0, example.length);
        predict(1);
        return java.util.Arrays.copyOf(output(0), s.outputs().get(0).numelPerExample());
    }

    /** Writes every parameter and state tensor to a safetensors file, atomically. */
    public void save(java.nio.file.Path path) throws java.io.IOException {
        dev.ingot.runtime.io.Checkpoint.save(path, this, Map.of());
    }

    /**
     * Loads parameters, and whatever state the file has, from a safetensors file written by
     * {@link #save} (or exported from PyTorch with the documented names, see tools/interop):
     * optimizer state missing from the file keeps its current value, and a training checkpoint's
     * optimizer state loads into an inference-only class. A missing parameter, an unexpected
     * tensor or a wrong shape fails with the tensor's name and both shapes, and leaves the model
     * unchanged.
     */
    public void load(java.nio.file.Path path) throws java.io.IOException {
        dev.ingot.runtime.io.Checkpoint.load(path, this, true);
    }

    /**
     * A new instance of the same model for batches of up to {@code maxBatch}, with buffers of its
     * own and this instance's parameters and non-optimizer state such as batch norm's running
     * statistics (shared, not copied): one per thread for concurrent {@code predict}. Optimizer
     * state is not shared (the new instance's is fresh).
     */
    public CompiledModel sharingParameters(int maxBatch) {
        throw new UnsupportedOperationException(getClass().getName() + " was not generated by Ingot and cannot share its parameters");
    }

    /** Re-initializes every parameter with its declared initializer and resets all state. */
    public abstract void initialize(long seed);

    /**
     * Per-kernel time accumulated since construction, when the class was generated with profiling
     * ({@code ingot bench --profile}): kernel name (with its DSL line) to nanoseconds. Empty otherwise.
     */
    public Map<String, Long> profile() { return Map.of(); }

    /** Every parameter then every state tensor, by name, backed by the live arrays (for checkpoints). */
    public Map<String, float[]> tensors() {
        Map<String, float[]> m = new LinkedHashMap<>();
        for (TensorSpec p : spec().params()) m.put(p.name(), param(p.name()));
        for (TensorSpec s : spec().state()) m.put(s.name(), state(s.name()));
        return m;
    }

    /** Specs of {@link #tensors()} in the same order. */
    public List<TensorSpec> tensorSpecs() {
        var all = new java.util.ArrayList<>(spec().params());
        all.addAll(spec().state());
        return all;
    }
}
