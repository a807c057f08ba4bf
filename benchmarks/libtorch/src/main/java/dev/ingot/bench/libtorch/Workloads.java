package dev.ingot.bench.libtorch;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.nn.recurrent.RNN;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The nine reference workloads of WORKLOADS.md on libtorch through DJL: the PyTorch twins of the Ingot examples
 * ({@code tools/twins/twins.py}, the one definition of what each example computes) written against libtorch's own
 * operators: torch::linear, the fused RNN/LSTM/GRU kernels (torch::rnn_tanh / lstm / gru, one call for the whole
 * sequence, as nn.RNN/nn.LSTM/nn.GRU), convolution, max-pool, dropout, layer_norm, gelu, embedding.
 *
 * <p>Each class below mirrors one twin, layer for layer, with the same parameter names as the twin's
 * {@code state_dict} ({@link Net#names}), the same layouts and the same initializer distributions as
 * {@code twins.init_like_ingot} (Ingot's): dense and conv2d weights Glorot-uniform, biases 0, embeddings N(0, 1),
 * recurrent tensors U(+-1/sqrt(hidden)), layer norm 1/0, the transformer's {@code pos} N(0, 0.02). Batch sizes,
 * optimizers, gradient clipping and data are those of {@code benchmarks/pytorch/workloads.py} ({@link #create}).
 * {@code benchmarks/libtorch/check_twins.sh} proves the correspondence: it loads these parameters into the twins
 * by name ({@code load_state_dict(strict=True)}: every tensor, with its shape, no other) and compares the outputs,
 * the loss and every gradient. Change a twin, and that check fails until the class here follows.
 */
final class Workloads {
    private Workloads() {
    }

    static final String[] NAMES = {"mlp", "cnn", "rnn", "lstm", "gru", "bilstm", "ae", "seq2seq", "transformer"};

    /** Seed of the parameters (libtorch's generator) and of the data (java.util.Random). */
    static final int SEED = 1234;

    /** One batch: the model inputs and the training target. */
    record Batch(NDList inputs, NDArray target) {
    }

    /**
     * The workload by name, as {@code benchmarks/pytorch/workloads.py} defines it: the twin, its batch size, the
     * optimizer of the example's train block and its gradient clipping (learning-rate schedules are not
     * reproduced there either: one number per step, no cost).
     */
    static Net create(String name, NDManager pm) {
        Engine.getEngine("PyTorch").setRandomSeed(SEED);
        switch (name) {
            case "mlp": return new Mlp(pm).train(Optim.sgd(0.05f, 0.9f), 0);
            case "cnn": return new Cnn(pm).train(Optim.adam(1e-3f, 0f, false), 0);
            case "rnn": return new CharRecurrent(pm, "rnn").train(Optim.adam(1e-3f, 0f, false), 0);
            case "lstm": return new CharRecurrent(pm, "lstm").train(Optim.adam(1e-3f, 0f, false), 0);
            case "gru": return new CharRecurrent(pm, "gru").train(Optim.adam(1e-3f, 0f, false), 0);
            case "bilstm": return new SentimentBiLstm(pm).train(Optim.adam(1e-3f, 0f, false), 0);
            case "ae": return new Autoencoder(pm).train(Optim.adam(1e-3f, 0f, false), 0);
            case "seq2seq": return new Seq2Seq(pm).train(Optim.adam(3e-3f, 0f, false), 0);            // adam(lr = 3e-3)
            case "transformer": return new CharTransformer(pm).train(Optim.adam(1e-3f, 0.01f, true), 1f); // clip: 1.0
            default: throw new IllegalArgumentException("unknown workload '" + name + "'; known: "
                    + String.join(", ", NAMES));
        }
    }

    /** A model with its parameters (each requires a gradient), their twin names, its optimizer and clipping. */
    abstract static class Net {
        final NDManager pm;
        final List<NDArray> params = new ArrayList<>();
        /** The twin's state_dict name of each parameter (same index as params); same layout too. */
        final List<String> names = new ArrayList<>();
        final Random rng = new Random(SEED);
        final int batch;
        Optim optim;
        /** Clip the gradients to this global L2 norm before the update (torch.nn.utils.clip_grad_norm_); 0: none. */
        float clip;

        Net(NDManager pm, int batch) {
            this.pm = pm;
            this.batch = batch;
        }

        Net train(Optim o, float maxNorm) {
            optim = o;
            clip = maxNorm;
            return this;
        }

        /** The training output (logits or the reconstruction) of a batch; dropout active when train. */
        abstract NDArray forward(NDList in, boolean train);

        /** Every output of the example's predict, in the twin's Example.outputs order (dropout off). */
        NDList predict(NDList in) {
            return new NDList(forward(in, false));
        }

        /** Training loss of the forward output. */
        abstract NDArray loss(NDArray out, NDArray target);

        /** n random batches of b examples, in manager m. */
        abstract Batch[] data(NDManager m, int b, int n);

        /** The global L2 norm of the gradients, as clip_grad_norm_ computes it: the norm of the per-tensor norms. */
        NDArray gradNorm(NDArray[] grads) {
            NDList norms = new NDList(grads.length);
            for (NDArray g : grads) {
                norms.add(g.norm());
            }
            return NDArrays.stack(norms).norm();
        }

        /** torch.nn.utils.clip_grad_norm_(params, clip) (PyTorch 1.13): every gradient times min(1, clip / (norm + 1e-6)). */
        void clipGradients() {
            if (clip <= 0) {
                return;
            }
            NDArray[] grads = new NDArray[params.size()];
            for (int i = 0; i < grads.length; i++) {
                grads[i] = params.get(i).getGradient();
            }
            NDArray scale = NDArrays.div(clip, gradNorm(grads).add(1e-6f)).minimum(1f);
            for (NDArray g : grads) {
                g.muli(scale);
            }
        }

        NDArray param(String name, NDArray init) {
            init.setRequiresGradient(true);
            params.add(init);
            names.add(name);
            return init;
        }

        /**
         * Glorot (Xavier) uniform, Ingot's dense and conv2d initializer: U(+-sqrt(6 / (fan_in + fan_out))) with
         * PyTorch's fans of an [out, in, k...] weight (in * k, out * k), as nn.init.xavier_uniform_.
         */
        NDArray glorot(String name, long... shape) {
            long receptive = 1;
            for (int i = 2; i < shape.length; i++) {
                receptive *= shape[i];
            }
            float bound = (float) Math.sqrt(6.0 / ((shape[0] + shape[1]) * receptive));
            return param(name, pm.randomUniform(-bound, bound, new Shape(shape)));
        }

        /** U(+-1/sqrt(hidden)): Ingot's (and PyTorch's) rnn/lstm/gru initializer. */
        NDArray recurrentUniform(String name, long hidden, long... shape) {
            float bound = (float) (1.0 / Math.sqrt(hidden));
            return param(name, pm.randomUniform(-bound, bound, new Shape(shape)));
        }

        NDArray normal(String name, float std, long... shape) {
            return param(name, pm.randomNormal(0f, std, new Shape(shape), DataType.FLOAT32));
        }

        NDArray ones(String name, long n) {
            return param(name, pm.ones(new Shape(n)));
        }

        NDArray zeros(String name, long n) {
            return param(name, pm.zeros(new Shape(n)));
        }

        NDArray floats(NDManager m, int n, long... shape) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = rng.nextFloat();
            }
            return m.create(x, new Shape(shape));
        }

        NDArray ints(NDManager m, int lo, int hi, int n, long... shape) {
            long[] x = new long[n];
            for (int i = 0; i < n; i++) {
                x[i] = lo + rng.nextInt(hi - lo);
            }
            return m.create(x, new Shape(shape));
        }
    }

    /** nn.Linear: weight [out, in] (Glorot), bias [out] (zeros); names NAME.weight, NAME.bias. */
    static final class Dense {
        final NDArray w;
        final NDArray b;

        Dense(Net net, String name, int in, int out) {
            w = net.glorot(name + ".weight", out, in);
            b = net.zeros(name + ".bias", out);
        }

        NDArray apply(NDArray x) {
            return Linear.linear(x, w, b).singletonOrThrow();
        }
    }

    /**
     * The tensors of one direction of a fused recurrent layer in torch::lstm/gru/rnn order (w_ih, w_hh, b_ih, b_hh),
     * named as nn.RNN/LSTM/GRU names them: NAME.weight_ih_l0 ... (direction "" forward, "_reverse" backward).
     */
    static void recurrent(Net net, NDList out, String name, String direction, int gates, int in, int hidden) {
        long g = (long) gates * hidden;
        out.add(net.recurrentUniform(name + ".weight_ih_l0" + direction, hidden, g, in));
        out.add(net.recurrentUniform(name + ".weight_hh_l0" + direction, hidden, g, hidden));
        out.add(net.recurrentUniform(name + ".bias_ih_l0" + direction, hidden, g));
        out.add(net.recurrentUniform(name + ".bias_hh_l0" + direction, hidden, g));
    }

    static NDArray embed(NDArray tokens, NDArray table) {
        return Embedding.embedding(tokens, table, SparseFormat.DENSE).singletonOrThrow();
    }

    static NDArray dropout(NDArray x, float rate, boolean train) {
        return Dropout.dropout(x, rate, train).singletonOrThrow();
    }

    /** twins.standardize_mnist: (pixels - 0.1307) / 0.3081, MNIST's mean and std (mnist_mlp/mnist_cnn.ingot). */
    static NDArray standardizeMnist(NDArray pixels) {
        return pixels.sub(0.1307f).div(0.3081f);
    }

    /** Softmax cross-entropy, mean over rows: logits [R, V], target [R] int64 (F.cross_entropy). */
    static NDArray crossEntropy(NDArray logits, NDArray target) {
        return logits.logSoftmax(1).gather(target.reshape(-1, 1), 1).mean().neg();
    }

    /** twins.MnistMlp: standardize, fc1 784-256 relu, fc2 256-128 relu, out 128-10; CE; batch 128. */
    static final class Mlp extends Net {
        final Dense fc1 = new Dense(this, "fc1", 784, 256);
        final Dense fc2 = new Dense(this, "fc2", 256, 128);
        final Dense out = new Dense(this, "out", 128, 10);

        Mlp(NDManager pm) {
            super(pm, 128);
        }

        @Override
        NDArray forward(NDList in, boolean train) {
            NDArray x = standardizeMnist(in.get(0));
            x = Activation.relu(fc1.apply(x));
            x = Activation.relu(fc2.apply(x));
            return out.apply(x);
        }

        @Override
        NDArray loss(NDArray out, NDArray target) {
            return crossEntropy(out, target);
        }

        @Override
        Batch[] data(NDManager m, int b, int n) {
            Batch[] d = new Batch[n];
            for (int i = 0; i < n; i++) {
                d[i] = new Batch(new NDList(floats(m, b * 784, b, 784)), ints(m, 0, 10, b, b));
            }
            return d;
        }
    }

    /**
     * twins.MnistCnn (the Keras mnist_cnn): standardize, conv1 3x3x32 relu, conv2 3x3x64 relu, max pool 2, dropout
     * .25, flatten in C, H, W order (Ingot's flatten of NCHW: a view, no copy), fc1 9216-128 relu, dropout .5, fc2
     * 128-10; CE; batch 64.
     */
    static final class Cnn extends Net {
        final NDArray c1w = glorot("conv1.weight", 32, 1, 3, 3);
        final NDArray c1b = zeros("conv1.bias", 32);
        final NDArray c2w = glorot("conv2.weight", 64, 32, 3, 3);
        final NDArray c2b = zeros("conv2.bias", 64);
        final Dense fc1 = new Dense(this, "fc1", 9216, 128);
        final Dense fc2 = new Dense(this, "fc2", 128, 10);

        Cnn(NDManager pm) {
            super(pm, 64);
        }

        @Override
        NDArray forward(NDList in, boolean train) {
            NDArray x = standardizeMnist(in.get(0));
            x = Activation.relu(Conv2d.conv2d(x, c1w, c1b).singletonOrThrow());
            x = Activation.relu(Conv2d.conv2d(x, c2w, c2b).singletonOrThrow());
            x = Pool.maxPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
            x = dropout(x, 0.25f, train);
            x = x.reshape(x.getShape().get(0), 9216);
            x = Activation.relu(fc1.apply(x));
            x = dropout(x, 0.5f, train);
            return fc2.apply(x);
        }

        @Override
        NDArray loss(NDArray out, NDArray target) {
            return crossEntropy(out, target);
        }

        @Override
        Batch[] data(NDManager m, int b, int n) {
            Batch[] d = new Batch[n];
            for (int i = 0; i < n; i++) {
                d[i] = new Batch(new NDList(floats(m, b * 784, b, 1, 28, 28)), ints(m, 0, 10, b, b));
            }
            return d;
        }
    }

    /**
     * twins.CharRnn / CharLstm / CharGru: emb 65x64, rec = fused tanh RNN / LSTM / GRU 64-256 over the 64 steps from
     * a zero state, out 256-65 at every step; CE over all steps; batch 32.
     */
    static final class CharRecurrent extends Net {
        static final int V = 65;
        static final int T = 64;
        static final int H = 256;
        final String cell;
        final NDArray emb = normal("emb.weight", 1f, V, 64);
        final NDList rec = new NDList();
        final Dense out;

        CharRecurrent(NDManager pm, String cell) {
            super(pm, 32);
            this.cell = cell;
            recurrent(this, rec, "rec", "", cell.equals("lstm") ? 4 : cell.equals("gru") ? 3 : 1, 64, H);
            out = new Dense(this, "out", H, V);
        }

        @Override
        NDArray forward(NDList in, boolean train) {
            NDArray tokens = in.get(0);
            long b = tokens.getShape().get(0);
            NDArray x = embed(tokens, emb);
            NDArrayEx ex = x.getNDArrayInternal();
            NDArray zero = x.getManager().zeros(new Shape(1, b, H));
            NDArray h;
            switch (cell) {
                case "lstm":
                    h = ex.lstm(x, new NDList(zero, zero), rec, true, 1, 0, train, false, true).get(0);
                    break;
                case "gru":
                    h = ex.gru(x, zero, rec, true, 1, 0, train, false, true).get(0);
                    break;
                default:
                    h = ex.rnn(x, zero, rec, true, 1, RNN.Activation.TANH, 0, train, false, true).get(0);
                    break;
            }
            return out.apply(h);
        }

        @Override
        NDArray loss(NDArray out, NDArray target) {
            return crossEntropy(out.reshape(-1, V), target.reshape(-1));
        }

        @Override
        Batch[] data(NDManager m, int b, int n) {
            return charData(this, m, b, n);
        }
    }

    /** Next-character batches: 65 random characters per row, ids = the first 64, target = the last 64. */
    static Batch[] charData(Net net, NDManager m, int b, int n) {
        Batch[] d = new Batch[n];
        for (int i = 0; i < n; i++) {
            long[] s = new long[b * 65];
            for (int j = 0; j < s.length; j++) {
                s[j] = net.rng.nextInt(65);
            }
            long[] x = new long[b * 64];
            long[] y = new long[b * 64];
            for (int r = 0; r < b; r++) {
                System.arraycopy(s, r * 65, x, r * 64, 64);
                System.arraycopy(s, r * 65 + 1, y, r * 64, 64);
            }
            d[i] = new Batch(new NDList(m.create(x, new Shape(b, 64))), m.create(y, new Shape(b, 64)));
        }
        return d;
    }

    /**
     * twins.SentimentBiLstm: emb 1000x64, dropout .3, rec = fused bidirectional LSTM 128 each way, the two final
     * hidden states concatenated (256), dropout .3, out 256-2; CE; seq 100, batch 32.
     */
    static final class SentimentBiLstm extends Net {
        static final int H = 128;
        final NDArray emb = normal("emb.weight", 1f, 1000, 64);
        final NDList rec = new NDList();
        final Dense out;

        SentimentBiLstm(NDManager pm) {
            super(pm, 32);
            // torch::lstm order: the forward direction's four tensors, then the reverse direction's
            recurrent(this, rec, "rec", "", 4, 64, H);
            recurrent(this, rec, "rec", "_reverse", 4, 64, H);
            out = new Dense(this, "out", 2 * H, 2);
        }

        @Override
        NDArray forward(NDList in, boolean train) {
            NDArray tokens = in.get(0);
            long b = tokens.getShape().get(0);
            NDArray x = dropout(embed(tokens, emb), 0.3f, train);
            NDArray zero = x.getManager().zeros(new Shape(2, b, H));
            NDList r = x.getNDArrayInternal().lstm(x, new NDList(zero, zero), rec, true, 1, 0, train, true, true);
            NDArray hn = r.get(1);                                                 // [2, B, H]: forward, backward
            NDArray last = NDArrays.concat(new NDList(hn.get(0), hn.get(1)), 1);  // [B, 2H]
            return out.apply(dropout(last, 0.3f, train));
        }

        @Override
        NDArray loss(NDArray out, NDArray target) {
            return crossEntropy(out, target);
        }

        @Override
        Batch[] data(NDManager m, int b, int n) {
            Batch[] d = new Batch[n];
            for (int i = 0; i < n; i++) {
                d[i] = new Batch(new NDList(ints(m, 0, 1000, b * 100, b, 100)), ints(m, 0, 2, b, b));
            }
            return d;
        }
    }

    /** twins.MnistAutoencoder: enc1 784-256 relu, enc2 256-64 relu, dec1 64-256 relu, dec2 256-784 sigmoid; MSE. */
    static final class Autoencoder extends Net {
        final Dense enc1 = new Dense(this, "enc1", 784, 256);
        final Dense enc2 = new Dense(this, "enc2", 256, 64);
        final Dense dec1 = new Dense(this, "dec1", 64, 256);
        final Dense dec2 = new Dense(this, "dec2", 256, 784);

        Autoencoder(NDManager pm) {
            super(pm, 128);
        }

        @Override
        NDArray forward(NDList in, boolean train) {
            NDArray x = Activation.relu(enc1.apply(in.get(0)));
            x = Activation.relu(enc2.apply(x));
            x = Activation.relu(dec1.apply(x));
            return Activation.sigmoid(dec2.apply(x));
        }

        @Override
        NDArray loss(NDArray out, NDArray target) {
            return out.sub(target).square().mean();
        }

        @Override
        Batch[] data(NDManager m, int b, int n) {
            Batch[] d = new Batch[n];
            for (int i = 0; i < n; i++) {
                NDArray x = floats(m, b * 784, b, 784);
                d[i] = new Batch(new NDList(x), x);
            }
            return d;
        }
    }

    /**
     * twins.Seq2Seq: emb_src, emb_tgt 32x64, encoder and decoder fused GRUs 64-128, out 128-32. Training: teacher
     * forcing (the decoder starts from the encoder's final state and reads tgt_in), out at every step, CE. predict:
     * the teacher-forced logits and the greedy decoding (START = 1, 20 steps of the decoder, each argmax fed back),
     * the example's {@code decoded} output. src/tgt len 20, batch 64.
     */
    static final class Seq2Seq extends Net {
        static final int H = 128;
        static final int START = 1;
        static final int LENGTH = 20;
        final NDArray embSrc = normal("emb_src.weight", 1f, 32, 64);
        final NDArray embTgt = normal("emb_tgt.weight", 1f, 32, 64);
        final NDList encoder = new NDList();
        final NDList decoder = new NDList();
        final Dense out;

        Seq2Seq(NDManager pm) {
            super(pm, 64);
            recurrent(this, encoder, "encoder", "", 3, 64, H);
            recurrent(this, decoder, "decoder", "", 3, 64, H);
            out = new Dense(this, "out", H, 32);
        }

        /** The encoder's final state [1, B, H]. */
        NDArray encode(NDArray src, boolean train) {
            NDArray x = embed(src, embSrc);
            NDArray zero = x.getManager().zeros(new Shape(1, x.getShape().get(0), H));
            return x.getNDArrayInternal().gru(x, zero, encoder, true, 1, 0, train, false, true).get(1);
        }

        NDArray teacherForced(NDArray h, NDArray tgtIn, boolean train) {
            NDArray x = embed(tgtIn, embTgt);
            return out.apply(x.getNDArrayInternal().gru(x, h, decoder, true, 1, 0, train, false, true).get(0));
        }

        /** Token ids [B, 20] as floats (like Ingot's output): one decoder step at a time, each argmax fed back. */
        NDArray greedy(NDArray h) {
            long b = h.getShape().get(1);
            NDArray token = h.getManager().full(new Shape(b), START, DataType.INT64);
            NDList tokens = new NDList(LENGTH);
            for (int t = 0; t < LENGTH; t++) {
                NDArray x = embed(token, embTgt).reshape(b, 1, 64);
                NDList r = x.getNDArrayInternal().gru(x, h, decoder, true, 1, 0, false, false, true);
                h = r.get(1);
                token = out.apply(r.get(0).reshape(b, H)).argMax(-1);
                tokens.add(token);
            }
            return NDArrays.stack(tokens, 1).toType(DataType.FLOAT32, false);
        }

        @Override
        NDArray forward(NDList in, boolean train) {
            return teacherForced(encode(in.get(0), train), in.get(1), train);
        }

        @Override
        NDList predict(NDList in) {
            NDArray h = encode(in.get(0), false);
            return new NDList(teacherForced(h, in.get(1), false), greedy(h));
        }

        @Override
        NDArray loss(NDArray out, NDArray target) {
            return crossEntropy(out.reshape(-1, 32), target.reshape(-1));
        }

        @Override
        Batch[] data(NDManager m, int b, int n) {
            Batch[] d = new Batch[n];
            for (int i = 0; i < n; i++) {
                long[] src = new long[b * 20];
                long[] tgt = new long[b * 20];
                long[] tin = new long[b * 20];
                for (int j = 0; j < src.length; j++) {
                    src[j] = 1 + rng.nextInt(31);
                    tgt[j] = 1 + rng.nextInt(31);
                }
                for (int r = 0; r < b; r++) {
                    System.arraycopy(tgt, r * 20, tin, r * 20 + 1, 19);  // BOS = 0, then the target shifted right
                }
                d[i] = new Batch(new NDList(m.create(src, new Shape(b, 20)), m.create(tin, new Shape(b, 20))),
                        m.create(tgt, new Shape(b, 20)));
            }
            return d;
        }
    }

    /**
     * twins.CharTransformer: tok 65x128 + pos [64, 128] (a parameter, N(0, 0.02)), 2 pre-LayerNorm blocks
     * (h = x + attn(ln1(x)); h + ff(ln2(h))), 4 heads, q, k and v one product of the three stacked weights, causal
     * additive mask, ff 512 exact gelu, no dropout, final ln, head 128-65; CE; seq 64, batch 32; AdamW, clip 1.0.
     */
    static final class CharTransformer extends Net {
        static final int D = 128;
        static final int HEADS = 4;
        static final int FF = 512;
        static final int T = 64;
        final NDArray tok = normal("tok.weight", 1f, 65, D);
        final NDArray pos = normal("pos", 0.02f, T, D);
        final Block[] blocks = {new Block(this, "blocks.0."), new Block(this, "blocks.1.")};
        final NDArray lnG = ones("ln.weight", D);
        final NDArray lnB = zeros("ln.bias", D);
        final Dense head = new Dense(this, "head", D, 65);
        final NDArray mask;

        CharTransformer(NDManager pm) {
            super(pm, 32);
            float[] m = new float[T * T];
            for (int i = 0; i < T; i++) {
                for (int j = i + 1; j < T; j++) {
                    m[i * T + j] = Float.NEGATIVE_INFINITY;
                }
            }
            mask = pm.create(m, new Shape(T, T));
        }

        /** twins.TransformerBlock with its MultiHeadAttention (q, k, v, o) and FeedForward (up, down). */
        static final class Block {
            final NDArray ln1g;
            final NDArray ln1b;
            final Dense q;
            final Dense k;
            final Dense v;
            final Dense o;
            final NDArray ln2g;
            final NDArray ln2b;
            final Dense up;
            final Dense down;

            Block(Net n, String p) {
                ln1g = n.ones(p + "ln1.weight", D);
                ln1b = n.zeros(p + "ln1.bias", D);
                q = new Dense(n, p + "attn.q", D, D);
                k = new Dense(n, p + "attn.k", D, D);
                v = new Dense(n, p + "attn.v", D, D);
                o = new Dense(n, p + "attn.o", D, D);
                ln2g = n.ones(p + "ln2.weight", D);
                ln2b = n.zeros(p + "ln2.bias", D);
                up = new Dense(n, p + "ff.up", D, FF);
                down = new Dense(n, p + "ff.down", FF, D);
            }
        }

        static NDArray ln(NDArray x, NDArray g, NDArray b) {
            return LayerNorm.layerNorm(x, new Shape(D), g, b, 1e-5f).singletonOrThrow();
        }

        NDArray attention(Block blk, NDArray x) {
            long b = x.getShape().get(0);
            int hd = D / HEADS;
            NDArray w = NDArrays.concat(new NDList(blk.q.w, blk.k.w, blk.v.w));
            NDArray bias = NDArrays.concat(new NDList(blk.q.b, blk.k.b, blk.v.b));
            NDArray qkv = Linear.linear(x, w, bias).singletonOrThrow()
                    .reshape(b, T, 3, HEADS, hd).transpose(2, 0, 3, 1, 4);                 // [3, B, h, T, hd]
            NDArray q = qkv.get(0).reshape(b * HEADS, T, hd);
            NDArray k = qkv.get(1).reshape(b * HEADS, T, hd);
            NDArray v = qkv.get(2).reshape(b * HEADS, T, hd);
            NDArray att = q.batchMatMul(k.transpose(0, 2, 1)).mul(1.0 / Math.sqrt(hd)).add(mask).softmax(-1);
            NDArray y = att.batchMatMul(v).reshape(b, HEADS, T, hd).transpose(0, 2, 1, 3).reshape(b, T, D);
            return blk.o.apply(y);
        }

        @Override
        NDArray forward(NDList in, boolean train) {
            NDArray x = embed(in.get(0), tok).add(pos);
            for (Block blk : blocks) {
                NDArray h = x.add(attention(blk, ln(x, blk.ln1g, blk.ln1b)));
                x = h.add(blk.down.apply(Activation.gelu(blk.up.apply(ln(h, blk.ln2g, blk.ln2b)))));
            }
            return head.apply(ln(x, lnG, lnB));
        }

        @Override
        NDArray loss(NDArray out, NDArray target) {
            return crossEntropy(out.reshape(-1, 65), target.reshape(-1));
        }

        @Override
        Batch[] data(NDManager m, int b, int n) {
            return charData(this, m, b, n);
        }
    }
}
