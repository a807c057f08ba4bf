package dev.ingot.compiler.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.compiler.diag.CompileError;
import org.junit.jupiter.api.Test;

/** Every kind of DSL error: its message, line and column (1-based, as printed), and the rendering. */
class DslErrorTest {
    private static final String HEAD = """
        model M {
          input x: f32[batch, 784]
          label y: i32[batch]
        """;

    private static CompileError error(String text) {
        return assertThrows(CompileError.class, () -> Frontend.compile(SourceFile.of("m.ingot", null, text, true)));
    }

    private static void check(String text, String message, int line, int col) {
        CompileError e = error(text);
        assertEquals(message, e.getMessage());
        assertEquals(line + ":" + col, e.loc().line() + ":" + (e.loc().col() + 1), "position of: " + e.render());
    }

    @Test void syntaxErrorSaysWhatWasExpected() {
        CompileError e = error(HEAD + "  output h = relu(x @ x\n}\n");
        assertEquals("unexpected '}'", e.getMessage());
        assertEquals(5, e.loc().line());
        assertTrue(e.expected().contains("')'"), e.expected());
    }

    @Test void unexpectedCharacter() {
        check(HEAD + "  output h = x $ 2\n}\n", "unexpected character '$'", 4, 16);
    }

    @Test void unknownNameSuggestsTheClosest() {
        check(HEAD + "  output h = rleu(x)\n}\n", "unknown name 'rleu'; did you mean 'relu'?", 4, 14);
    }

    @Test void wrongArgumentName() {
        check(HEAD + "  layer fc = dense(784, 10, activaton = relu)\n  output h = fc(x)\n}\n",
                "dense() has no parameter 'activaton'; did you mean 'activation'?", 4, 14);
    }

    @Test void missingArgument() {
        check(HEAD + "  layer fc = dense(784)\n  output h = fc(x)\n}\n", "dense() is missing argument 'n_out'", 4, 14);
    }

    @Test void tooManyArguments() {
        check(HEAD + "  output h = relu(x, 2)\n}\n", "relu() takes 1 arguments (x), got 2", 4, 14);
    }

    @Test void matmulShapeMismatchInTheUsersTerms() {
        check(HEAD + "  param w: [256, 10]\n  output h = x @ w\n}\n",
                "matmul: [batch, 784] @ [256, 10]: inner dimensions 784 and 256 differ", 5, 14);
    }

    @Test void shapeErrorInsideALibraryLayerPointsAtTheCall() {
        CompileError e = error(HEAD + "  layer fc1 = dense(784, 256)\n  layer fc2 = dense(128, 10)\n  output h = fc2(fc1(x))\n}\n");
        assertEquals("in dense: matmul: [batch, 256] @ [128, 10]: inner dimensions 256 and 128 differ", e.getMessage());
        assertEquals(6, e.loc().line());
        assertEquals(14, e.loc().col() + 1);
    }

    @Test void broadcastMismatch() {
        check(HEAD + "  param b: [10]\n  output h = x + b\n}\n",
                "add: shapes [batch, 784] and [10] do not broadcast: 784 vs 10 in dimension 1 (from the right: 1)", 5, 14);
    }

    @Test void lossMustBeAScalar() {
        check(HEAD + "  output h = x\n  loss = x * 2\n}\n", "the loss must be a scalar f32 tensor, got a tensor f32[batch, 784]", 5, 10);
    }

    @Test void unknownOptimizer() {
        check(HEAD + "  layer fc = dense(784, 10)\n  output h = fc(x)\n  loss = softmax_cross_entropy(h, y)\n  train { optimizer: adma(lr = 0.1) }\n}\n",
                "unknown optimizer 'adma'; did you mean 'adam'?", 7, 22);
    }

    @Test void unknownHyperparameter() {
        check(HEAD + "  layer fc = dense(784, 10)\n  output h = fc(x)\n  loss = softmax_cross_entropy(h, y)\n  train { optimizer: sgd(lr = 0.1, momentun = 0.9) }\n}\n",
                "sgd() has no hyperparameter 'momentun'; did you mean 'momentum'?", 7, 36);
    }

    @Test void unknownTrainSetting() {
        check(HEAD + "  output h = x\n  loss = mean(x)\n  train { optimizer: sgd, epoch: 3 }\n}\n",
                "unknown train setting 'epoch'; did you mean 'epochs'?", 6, 27);
    }

    @Test void redefinition() {
        check(HEAD + "  h = x\n  h = x * 2\n  output o = h\n}\n", "'h' is already defined at line 4", 5, 3);
    }

    @Test void labelsOfTheWrongShape() {
        check(HEAD + "  layer fc = dense(784, 10)\n  output h = fc(x)\n  loss = softmax_cross_entropy(h, x)\n}\n",
                "softmax_cross_entropy: logits [batch, 10] and probability labels [batch, 784] differ; integer labels must be i32", 6, 10);
    }

    @Test void noOutput() {
        check(HEAD + "  h = x\n}\n", "model M has no output", 1, 7);
    }

    @Test void renderShowsFileLineColumnSourceAndCaret() {
        CompileError e = error(HEAD + "  param w: [256, 10]\n  output h = x @ w\n}\n");
        assertEquals("""
            m.ingot:5:14: error: matmul: [batch, 784] @ [256, 10]: inner dimensions 784 and 256 differ
                  output h = x @ w
                             ^^^^^""", e.render());
    }

    // ---- CNNs: each reported at the DSL line with the shapes involved ----

    private static final String IMG = """
        model M {
          input x: f32[batch, 1, 6, 6]
        """;

    @Test void kernelLargerThanThePaddedInput() {
        check(IMG + "  layer c = conv2d(1, 4, 7)\n  output h = c(x)\n}\n",
                "in conv2d: conv2d: the 7x7 window does not fit in the padded 6x6 input (6x6 plus padding)", 4, 14);
    }

    @Test void channelsThatDoNotMatchTheWeights() {
        check(IMG + "  layer c = conv2d(3, 4, 3)\n  output h = c(x)\n}\n",
                "in conv2d: conv2d: the input [batch, 1, 6, 6] has 1 channels but the weights [4, 3, 3, 3] expect 3", 4, 14);
    }

    @Test void poolingWindowThatDoesNotFit() {
        check(IMG + "  output h = max_pool2d(x, 8)\n}\n", "max_pool2d: the 8x8 window does not fit in the padded 6x6 input (6x6 plus padding)", 3, 14);
    }

    @Test void flattenFeedingADenseLayerOfTheWrongWidth() {
        check(IMG + "  layer c = conv2d(1, 4, 3)\n  layer fc = dense(100, 10)\n  output h = x |> c |> flatten |> fc\n}\n",
                "in dense: matmul: [batch, 64] @ [100, 10]: inner dimensions 64 and 100 differ", 5, 14);
    }
}
