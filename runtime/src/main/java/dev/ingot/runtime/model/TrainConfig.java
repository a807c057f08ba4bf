package dev.ingot.runtime.model;

import java.util.Map;

/**
 * The {@code train { ... }} block of a model: batch size, epochs, the optimizer and its
 * hyperparameters (as written in the DSL, for reporting; the update itself is compiled into the
 * training step), and where the data comes from.
 *
 * @param optimizer   optimizer name, e.g. {@code sgd} or {@code adam}
 * @param hyper       its hyperparameters, e.g. {@code lr=0.05, momentum=0.9}
 * @param data        the data source, e.g. kind {@code idx} with option {@code dir=data/mnist}; may be null
 * @param schedule    the learning-rate schedule as written, e.g. {@code constant} or {@code cosine(warmup=100)}
 * @param metric      how a model is judged: {@code accuracy} (classification: argmax of output 0 against the
 *                    label), {@code exact:NAME} (the fraction of examples whose output NAME, predicted ids,
 *                    equals the label at every position, e.g. a decoded sequence) or {@code mse} (the loss is
 *                    a mean squared error, reported as {@code test_mse})
 * @param steps       names of the training steps ({@code step NAME { ... }}), in the order each batch runs them
 *                    ({@link CompiledModel#trainStep(int, int)}); empty for a model with one step
 * @param reports     names of the scalar values {@code evaluate} computes besides the loss ({@code report: [kl, recon]}),
 *                    read with {@link CompiledModel#report(int)} and averaged over the test set
 */
public record TrainConfig(int batch, int epochs, String optimizer, Map<String, Double> hyper, DataSpec data, String schedule, String metric,
                          java.util.List<String> steps, java.util.List<String> reports) {
    /** Name of the state scalar the trainer sets to the planned number of steps (for schedules). */
    public static final String TOTAL_STEPS = "opt.total_steps";
    /** Name of the state scalar that scales the learning rate of a {@code plateau} schedule (starts at 1). */
    public static final String LR_SCALE = "opt.lr_scale";
    /**
     * Keys of {@link #hyper()} that carry training control from the train block to the trainer:
     * {@code early_stopping: N} (patience in evaluations) and a {@code plateau(factor, patience)} schedule.
     */
    public static final String EARLY_STOPPING = "early_stopping", PLATEAU_FACTOR = "plateau_factor", PLATEAU_PATIENCE = "plateau_patience";

    public TrainConfig {
        hyper = Map.copyOf(hyper);
        if (schedule == null) schedule = "constant";
        if (metric == null) metric = "accuracy";
        steps = steps == null ? java.util.List.of() : java.util.List.copyOf(steps);
        reports = reports == null ? java.util.List.of() : java.util.List.copyOf(reports);
    }

    public TrainConfig(int batch, int epochs, String optimizer, Map<String, Double> hyper, DataSpec data, String schedule, String metric) {
        this(batch, epochs, optimizer, hyper, data, schedule, metric, java.util.List.of(), java.util.List.of());
    }

    public TrainConfig(int batch, int epochs, String optimizer, Map<String, Double> hyper, DataSpec data, String schedule) {
        this(batch, epochs, optimizer, hyper, data, schedule, "accuracy");
    }

    public TrainConfig(int batch, int epochs, String optimizer, Map<String, Double> hyper, DataSpec data) {
        this(batch, epochs, optimizer, hyper, data, "constant", "accuracy");
    }

    /** A data source: a kind understood by the runtime's data loaders plus its options. */
    public record DataSpec(String kind, Map<String, String> options) {
        public DataSpec {
            options = Map.copyOf(options);
        }
    }
}
