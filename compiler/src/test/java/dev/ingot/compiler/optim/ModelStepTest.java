package dev.ingot.compiler.optim;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whole models of every family through the compiler, on both code targets (Vector API and plain
 * scalar Java): compiled training steps against the interpreter ({@link StepCheck}).
 */
class ModelStepTest {
    static final String CNN = """
        model Cnn {
          input  img: f32[batch, 2, 9, 9]
          label  y: i32[batch]
          layer  c1 = conv2d(2, 4, 3, padding = "same")
          layer  n1 = batch_norm(4)
          layer  c2 = conv2d(4, 6, 3, stride = 2)
          layer  fc = dense(24, 3)
          output logits = img |> c1 |> n1 |> relu |> max_pool2d(2, stride = 1) |> c2 |> dropout(0.3)
                              |> avg_pool2d(2, stride = 1) |> flatten |> fc
          loss = softmax_cross_entropy(logits, y)
          train { optimizer: sgd(lr = 0.1, momentum = 0.9), batch: 5 }
        }
        """;

    static final String LSTM = """
        model Seq {
          input  ids: i32[batch, 5]
          label  y: i32[batch]
          layer  emb = embedding(7, 4)
          layer  rec = bidirectional(lstm(4, 5), merge = "sum")
          layer  out = dense(5, 3)
          output logits = ids |> emb |> rec |> out
          loss = softmax_cross_entropy(logits, y)
          train { optimizer: sgd(lr = 0.1, momentum = 0.9), batch: 4 }
        }
        """;

    static final String MLP = """
        model Mlp {
          input  x: f32[batch, 12]
          label  y: i32[batch]
          layer  h = dense(12, 16, activation = gelu)
          layer  o = dense(16, 3)
          output logits = x |> h |> o
          loss = softmax_cross_entropy(logits, y)
          train { optimizer: adamw(lr = 0.01), schedule: linear(warmup = 1), clip: 0.5, batch: 6 }
        }
        """;

    @ParameterizedTest(name = "vector={0}")
    @ValueSource(booleans = {true, false})
    void cnnWithBatchNormAndDropout(boolean vector) {
        // NOTE: SGD, not Adam: c1.b feeds batch norm, which subtracts the mean, so its exact gradient is 0; Adam
        // would turn the float32 rounding noise of that gradient into a full-size step
        StepCheck.run(CNN, 5, 3, 3, vector);
    }

    @ParameterizedTest(name = "vector={0}")
    @ValueSource(booleans = {true, false})
    void bidirectionalLstm(boolean vector) { StepCheck.run(LSTM, 4, 3, 3, vector); }

    @ParameterizedTest(name = "vector={0}")
    @ValueSource(booleans = {true, false})
    void mlpWithAdamWClippingAndWarmup(boolean vector) { StepCheck.run(MLP, 6, 3, 3, vector); }

    @ParameterizedTest(name = "vector={0}")
    @ValueSource(booleans = {true, false})
    void transformer(boolean vector) {
        StepCheck.run(TransformerTrainStepTest.model("optimizer: adam(lr = 0.01)"), 3, 3, 9, vector, "blocks.0.attn.k.b", "blocks.1.attn.k.b");
    }
}
