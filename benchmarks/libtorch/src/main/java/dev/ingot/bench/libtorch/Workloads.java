package dev.ingot.bench.libtorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.nn.recurrent.RNN;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The nine reference workloads of WORKLOADS.md on libtorch through DJL, written against libtorch's own operators:
 * torch::linear, the fused nn RNN/LSTM/GRU kernels (torch::rnn_tanh / lstm / gru, one call for the whole
 * sequence, as nn.RNN/nn.LSTM/nn.GRU in PyTorch), convolution, max-pool, dropout, layer_norm, gelu, embedding.
 * Shapes, batch sizes and optimizers are those of benchmarks/pytorch/workloads.py. Data are random but shaped
 * (fixed seed), as there. Parameters are initialized as PyTorch does (uniform +-1/sqrt(fan_in), N(0,1)
 * embeddings, LayerNorm 1/0); the values do not matter for speed.
 */
final class Workloads {
    private Workloads() {
    }

    static final String[] NAMES = {"mlp", "cnn", "rnn", "lstm", "gru", "bilstm", "ae", "seq2seq", "transformer"};

    /** One batch: the model inputs and the training target. */
    record Batch(NDList inputs, NDArray target) {
    }

    /** A model with its parameters (each requires a gradient) and its optimizer. */
    abstract static class Net {
        final NDManager pm;
        final List<NDArray> params = new ArrayList<>();
        final Random rng = new Random(1234);
        final int batch;
        Optim optim;

        Net(NDManager pm, int batch) {
            this.pm = pm;
            this.batch = batch;
        }

        /** Logits (or the reconstruction) of a batch. */
        abstract NDArray forward(NDList in, boolean train);

        /** Training loss of the forward output. */
        abstract NDArray loss(NDArray out, NDArray target);

        /** n random batches of b examples, in manager m. */
        abstract Batch[] data(NDManager m, int b, int n);

        NDArray param(NDArray init) {
            init.setRequiresGradient(true);
            params.add(init);
            return init;
        }

        /** uniform(-1/sqrt(fanIn), 1/sqrt(fanIn)), PyTorch's default for Linear/Conv/RNN weights and biases. */
        NDArray uniform(long fanIn, long... shape) {
            float bound = (float) (1.0 / Math.sqrt(fanIn));
            return param(pm.randomUniform(-bound, bound, new Shape(shape)));
        }

        NDArray normal(long... shape) {
            return param(pm.randomNormal(new Shape(shape)));
        }

        NDArray ones(long n) {
            return param(pm.ones(new Shape(n)));
        }

        NDArray zeros(long n) {
            return param(pm.zeros(new Shape(n)));
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

    /** A dense layer with PyTorch's [out, in] weight. */
    static final class Dense {
        final NDArray w;
        final NDArray b;

        Dense(Net net, int in, int out) {
            w = net.uniform(in, out, in);
            b = net.uniform(in, out);
        }

        NDArray apply(NDArray x) {
            return Linear.linear(x, w, b).singletonOrThrow();
        }
    }

    /** Weights of one direction of a fused recurrent layer, in torch::lstm/gru/rnn order: w_ih, w_hh, b_ih, b_hh. */
    static void recurrentParams(Net net, NDList out, int gates, int in, int hidden) {
        out.add(net.uniform(hidden, (long) gates * hidden, in));
        out.add(net.uniform(hidden, (long) gates * hidden, hidden));
        out.add(net.uniform(hidden, (long) gates * hidden));
        out.add(net.uniform(hidden, (long) gates * hidden));
    }

    static NDArray embed(NDArray tokens, NDArray table) {
        return Embedding.embedding(tokens, table, SparseFormat.DENSE).singletonOrThrow();
    }

    /** Softmax cross-entropy, mean over rows: logits [R, V], target [R] int64. */
    static NDArray crossEntropy(NDArray logits, NDArray target) {
        return logits.logSoftmax(1).gather(target.reshape(-1, 1), 1).mean().neg();
    }

    static Net create(String name, NDManager pm) {
        switch (name) {
            case "mlp": return withOptim(new Mlp(pm), Optim.sgd(0.05f, 0.9f));
            case "cnn": return withOptim(new Cnn(pm), Optim.adam(1e-3f, 0f, false));
            case "rnn": return withOptim(new CharRnn(pm, "rnn"), Optim.adam(1e-3f, 0f, false));
            case "lstm": return withOptim(new CharRnn(pm, "lstm"), Optim.adam(1e-3f, 0f, false));
            case "gru": return withOptim(new CharRnn(pm, "gru"), Optim.adam(1e-3f, 0f, false));
            case "bilstm": return withOptim(new BiLstm(pm), Optim.adam(1e-3f, 0f, false));
            case "ae": return withOptim(new AutoEncoder(pm), Optim.adam(1e-3f, 0f, false));
            case "seq2seq": return withOptim(new Seq2Seq(pm), Optim.adam(1e-3f, 0f, false));
            case "transformer": return withOptim(new Transformer(pm), Optim.adam(1e-3f, 0.01f, true));
            default: throw new IllegalArgumentException("unknown workload '" + name + "'; known: "
                    + String.join(", ", NAMES));
        }
    }

    private static Net withOptim(Net net, Optim o) {
        net.optim = o;
        return net;
    }

    /** mnist_mlp: 784 -> 256 relu -> 128 relu -> 10, softmax CE, batch 128, SGD 0.05 momentum 0.9. */
    static final class Mlp extends Net {
        final Dense fc1 = new Dense(this, 784, 256);
        final Dense fc2 = new Dense(this, 256, 128);
        final Dense fc3 = new Dense(this, 128, 10);

        Mlp(NDManager pm) {
            super(pm, 128);
        }

        @Override
        NDArray forward(NDList in, boolean train) {
            NDArray x = Activation.relu(fc1.apply(in.get(0)));
            x = Activation.relu(fc2.apply(x));
            return fc3.apply(x);
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

    /** Keras mnist_cnn, batch 64, Adam 1e-3. */
    static final class Cnn extends Net {
        final NDArray c1w = uniform(9, 32, 1, 3, 3);
        final NDArray c1b = uniform(9, 32);
        final NDArray c2w = uniform(32 * 9, 64, 32, 3, 3);
        final NDArray c2b = uniform(32 * 9, 64);
        final Dense fc1 = new Dense(this, 9216, 128);
        final Dense fc2 = new Dense(this, 128, 10);

        Cnn(NDManager pm) {
            super(pm, 64);
        }

        @Override
        NDArray forward(NDList in, boolean train) {
            NDArray x = Activation.relu(Conv2d.conv2d(in.get(0), c1w, c1b).singletonOrThrow());
            x = Activation.relu(Conv2d.conv2d(x, c2w, c2b).singletonOrThrow());
            x = Pool.maxPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
            x = Dropout.dropout(x, 0.25f, train).singletonOrThrow();
            // flatten in Keras's (H, W, C) order; the Ingot example and the PyTorch twin flatten (C, H, W) (benchmarks/README.md)
            x = x.transpose(0, 2, 3, 1).reshape(x.getShape().get(0), 9216);
            x = Activation.relu(fc1.apply(x));
            x = Dropout.dropout(x, 0.5f, train).singletonOrThrow();
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

    /** Char LM: embed 64 -> fused RNN tanh / LSTM / GRU 256 -> dense 65 at every step; seq 64, batch 32, Adam. */
    static final class CharRnn extends Net {
        static final int V = 65;
        static final int T = 64;
        static final int H = 256;
        final String cell;
        final NDArray table = normal(V, 64);
        final NDList rnn = new NDList();
        final Dense out;

        CharRnn(NDManager pm, String cell) {
            super(pm, 32);
            this.cell = cell;
            recurrentParams(this, rnn, cell.equals("lstm") ? 4 : cell.equals("gru") ? 3 : 1, 64, H);
            out = new Dense(this, H, V);
        }

        @Override
        NDArray forward(NDList in, boolean train) {
            NDArray tokens = in.get(0);
            long b = tokens.getShape().get(0);
            NDArray x = embed(tokens, table);
            NDArrayEx ex = x.getNDArrayInternal();
            NDArray zero = x.getManager().zeros(new Shape(1, b, H));
            NDArray h;
            switch (cell) {
                case "lstm":
                    h = ex.lstm(x, new NDList(zero, zero), rnn, true, 1, 0, train, false, true).get(0);
                    break;
                case "gru":
                    h = ex.gru(x, zero, rnn, true, 1, 0, train, false, true).get(0);
                    break;
                default:
                    h = ex.rnn(x, zero, rnn, true, 1, RNN.Activation.TANH, 0, train, false, true).get(0);
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

    /** Sentiment: embed 64 -> fused BiLSTM 128 each way -> concat final states -> dense 2; seq 100, batch 32. */
    static final class BiLstm extends Net {
        static final int H = 128;
        final NDArray table = normal(1000, 64);
        final NDList rnn = new NDList();
        final Dense out;

        BiLstm(NDManager pm) {
            super(pm, 32);
            // torch::lstm order: forward direction's four tensors, then the reverse direction's
            recurrentParams(this, rnn, 4, 64, H);
            recurrentParams(this, rnn, 4, 64, H);
            out = new Dense(this, 2 * H, 2);
        }

        @Override
        NDArray forward(NDList in, boolean train) {
            NDArray tokens = in.get(0);
            long b = tokens.getShape().get(0);
            NDArray x = embed(tokens, table);
            NDArray zero = x.getManager().zeros(new Shape(2, b, H));
            NDList r = x.getNDArrayInternal().lstm(x, new NDList(zero, zero), rnn, true, 1, 0, train, true, true);
            NDArray hn = r.get(1);                                   // [2, B, H]
            NDArray last = NDArrays.concat(new NDList(hn.get(0), hn.get(1)), 1);  // [B, 2H]
            return out.apply(last);
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

    /** 784 -> 256 relu -> 64 relu -> 256 relu -> 784 sigmoid, MSE, batch 128, Adam. */
    static final class AutoEncoder extends Net {
        final Dense e1 = new Dense(this, 784, 256);
        final Dense e2 = new Dense(this, 256, 64);
        final Dense d1 = new Dense(this, 64, 256);
        final Dense d2 = new Dense(this, 256, 784);

        AutoEncoder(NDManager pm) {
            super(pm, 128);
        }

        @Override
        NDArray forward(NDList in, boolean train) {
            NDArray x = Activation.relu(e1.apply(in.get(0)));
            x = Activation.relu(e2.apply(x));
            x = Activation.relu(d1.apply(x));
            return Activation.sigmoid(d2.apply(x));
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

    /** GRU encoder-decoder, vocab 32, embed 64, hidden 128, src/tgt len 20, teacher forcing, batch 64. */
    static final class Seq2Seq extends Net {
        static final int H = 128;
        final NDArray srcTable = normal(32, 64);
        final NDArray tgtTable = normal(32, 64);
        final NDList enc = new NDList();
        final NDList dec = new NDList();
        final Dense out;

        Seq2Seq(NDManager pm) {
            super(pm, 64);
            recurrentParams(this, enc, 3, 64, H);
            recurrentParams(this, dec, 3, 64, H);
            out = new Dense(this, H, 32);
        }

        @Override
        NDArray forward(NDList in, boolean train) {
            NDArray src = embed(in.get(0), srcTable);
            NDArray tgt = embed(in.get(1), tgtTable);
            long b = src.getShape().get(0);
            NDArray zero = src.getManager().zeros(new Shape(1, b, H));
            NDArray h = src.getNDArrayInternal().gru(src, zero, enc, true, 1, 0, train, false, true).get(1);
            NDArray y = tgt.getNDArrayInternal().gru(tgt, h, dec, true, 1, 0, train, false, true).get(0);
            return out.apply(y);
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

    /** Decoder-only char LM: d 128, 4 heads, ff 512 gelu, 2 pre-LN layers, causal, seq 64, batch 32, AdamW. */
    static final class Transformer extends Net {
        static final int D = 128;
        static final int HEADS = 4;
        static final int T = 64;
        final NDArray tok = normal(65, D);
        final NDArray pos = normal(T, D);
        final Block[] blocks = {new Block(this), new Block(this)};
        final NDArray lnG = ones(D);
        final NDArray lnB = zeros(D);
        final Dense head = new Dense(this, D, 65);
        final NDArray mask;
        final NDArray positions;

        Transformer(NDManager pm) {
            super(pm, 32);
            float[] m = new float[T * T];
            for (int i = 0; i < T; i++) {
                for (int j = i + 1; j < T; j++) {
                    m[i * T + j] = Float.NEGATIVE_INFINITY;
                }
            }
            mask = pm.create(m, new Shape(T, T));
            positions = pm.arange(0, T, 1, DataType.INT64);
        }

        static final class Block {
            final NDArray ln1g;
            final NDArray ln1b;
            final Dense qkv;
            final Dense proj;
            final NDArray ln2g;
            final NDArray ln2b;
            final Dense ff1;
            final Dense ff2;

            Block(Net n) {
                ln1g = n.ones(D);
                ln1b = n.zeros(D);
                qkv = new Dense(n, D, 3 * D);
                proj = new Dense(n, D, D);
                ln2g = n.ones(D);
                ln2b = n.zeros(D);
                ff1 = new Dense(n, D, 512);
                ff2 = new Dense(n, 512, D);
            }
        }

        static NDArray ln(NDArray x, NDArray g, NDArray b) {
            return LayerNorm.layerNorm(x, new Shape(D), g, b, 1e-5f).singletonOrThrow();
        }

        NDArray attention(Block k, NDArray x) {
            long b = x.getShape().get(0);
            int hd = D / HEADS;
            NDArray qkv = k.qkv.apply(x).reshape(b, T, 3, HEADS, hd).transpose(2, 0, 3, 1, 4);  // [3, B, h, T, hd]
            NDArray q = qkv.get(0).reshape(b * HEADS, T, hd);
            NDArray kk = qkv.get(1).reshape(b * HEADS, T, hd);
            NDArray v = qkv.get(2).reshape(b * HEADS, T, hd);
            NDArray att = q.batchMatMul(kk.transpose(0, 2, 1)).mul(1.0 / Math.sqrt(hd)).add(mask);
            att = att.softmax(-1);
            NDArray y = att.batchMatMul(v).reshape(b, HEADS, T, hd).transpose(0, 2, 1, 3).reshape(b, T, D);
            return k.proj.apply(y);
        }

        @Override
        NDArray forward(NDList in, boolean train) {
            NDArray tokens = in.get(0);
            NDArray x = embed(tokens, tok).add(embed(positions, pos));
            for (Block k : blocks) {
                x = x.add(attention(k, ln(x, k.ln1g, k.ln1b)));
                x = x.add(k.ff2.apply(Activation.gelu(k.ff1.apply(ln(x, k.ln2g, k.ln2b)))));
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
