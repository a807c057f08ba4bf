package dev.ingot.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ingot.runtime.data.Dataset;
import dev.ingot.runtime.model.CompiledModel;
import dev.ingot.runtime.train.TrainResult;
import dev.ingot.runtime.train.Trainer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * End to end, a short version of the GRU encoder-decoder's training on its task (reversing 20
 * random digits): 400 steps of 64 sequences, evaluated on the first 512 test sequences.
 *
 * <p>After so few steps hardly any whole sequence comes out right (the example's metric, exact
 * accuracy, is about 0), so the test checks what the model has learned by then: greedy decoding
 * gets about 37% of the digits right (chance 10%) and the first one, the source's last digit,
 * about 96% of the time, which needs the encoder's summary to reach the decoder; the
 * teacher-forced test loss falls from 3.5 to about 1.0 (ln 10 = 2.30 for a uniform guess among
 * the digits). Seed 2 gives 0.361, 0.953 and 1.028. With the encoder's gradient cut off (a
 * {@code stop_gradient} on its summary) the teacher-forced test loss is still 1.84 after 400 steps.
 */
class TrainSeq2SeqTest {
    static final int STEPS = 400, BATCH = 64, TEST = 512, LENGTH = 20;

    @Test
    void seq2seqLearnsToReverseDigits() throws Exception {
        String example = "seq2seq.ingot";
        Examples.Run run = Examples.train(example, Trainer.Options.defaults().withSteps(STEPS).withBatchSize(BATCH), TEST, "test");
        TrainResult res = run.result();

        int[] correctAt = greedyCorrectByPosition(run.model(), run.test());
        long correct = Arrays.stream(correctAt).asLongStream().sum();
        double tokenAccuracy = (double) correct / ((long) TEST * LENGTH), firstAccuracy = (double) correctAt[0] / TEST;
        System.out.printf("%s, %d steps of %d: teacher-forced test loss %.4f, exact-sequence accuracy %.4f, greedy per-digit accuracy %.4f,"
                        + " first digit %.4f (correct per position %s) on %d sequences, %.0f examples/s, %.1f s%n",
                example, STEPS, BATCH, res.testLoss(), res.testAccuracy(), tokenAccuracy, firstAccuracy, Arrays.toString(correctAt),
                TEST, res.trainExamplesPerSecond(), res.seconds());
        assertTrue(res.testLoss() <= 1.3, "seq2seq teacher-forced test loss " + res.testLoss() + " > 1.3");
        assertTrue(tokenAccuracy >= 0.30, "seq2seq greedy per-digit accuracy " + tokenAccuracy + " < 0.30");
        assertTrue(firstAccuracy >= 0.85, "seq2seq greedy accuracy of the first digit " + firstAccuracy + " < 0.85");
    }

    /** Decodes {@code test} greedily (output {@code decoded}) and counts, per position, the digits equal to the label's. */
    static int[] greedyCorrectByPosition(CompiledModel m, Dataset test) {
        int decoded = -1;
        for (int i = 0; i < m.spec().outputs().size(); i++) if (m.spec().outputs().get(i).name().equals("decoded")) decoded = i;
        assertTrue(decoded >= 0, "seq2seq has an output named decoded");
        int[] src = test.field("src").i32(), tgtIn = test.field("tgt_in").i32(), tgt = test.field("tgt").i32();
        int[] correctAt = new int[LENGTH];
        for (int start = 0; start < test.size(); start += m.maxBatch()) {
            int n = Math.min(m.maxBatch(), test.size() - start);
            System.arraycopy(src, start * LENGTH, m.inputI32("src"), 0, n * LENGTH);
            System.arraycopy(tgtIn, start * LENGTH, m.inputI32("tgt_in"), 0, n * LENGTH);
            m.predict(n);
            float[] out = m.output(decoded);
            for (int j = 0; j < n * LENGTH; j++) if (Math.round(out[j]) == tgt[start * LENGTH + j]) correctAt[j % LENGTH]++;
        }
        return correctAt;
    }
}
