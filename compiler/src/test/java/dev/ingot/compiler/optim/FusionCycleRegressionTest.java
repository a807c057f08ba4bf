package dev.ingot.compiler.optim;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Models that made the fusion planner build a kernel dependence cycle (issue 11): an elementwise
 * value feeding both a reduction and, through the reduction's result, the same bundle. They must
 * compile and their training steps match the interpreter.
 */
class FusionCycleRegressionTest {
    static String meanOf(String activation) {
        return """
            model R {
              input x: f32[batch, 8]
              param w: [8, 8] = glorot_uniform
              output r = x @ w
              loss = mean(%s(r))
              train { optimizer: sgd(lr = 0.1), batch: 16, epochs: 1 }
            }
            """.formatted(activation);
    }

    static final String VAE = """
        model Vae {
          input  x: f32[batch, 8]
          layer  enc = dense(8, 6, activation = relu)
          layer  mu_l = dense(6, 3)
          layer  lv_l = dense(6, 3)
          layer  dec = dense(3, 8, activation = sigmoid)
          h = enc(x)
          mu = mu_l(h)
          logvar = lv_l(h)
          output recon = dec(mu + exp(0.5 * logvar))    // a deterministic stand-in for sampling z
          loss = mse(recon, x) + mean(sum(1 + logvar - mu ** 2 - exp(logvar), axis = 1)) * -0.5
          train { optimizer: adam(lr = 0.01), batch: 8 }
        }
        """;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tanh", "exp", "sigmoid"})
    void meanOfActivationOfMatmul(String activation) {
        StepCheck.run(meanOf(activation), 16, 3, 1, true);
        StepCheck.run(meanOf(activation), 5, 2, 1, false);
    }

    @ParameterizedTest(name = "vector={0}")
    @ValueSource(booleans = {true, false})
    void vaeKlTerm(boolean vector) { StepCheck.run(VAE, 8, 3, 1, vector); }
}
