import dev.ingot.runtime.model.*;
import dev.ingot.runtime.exec.Parallel;
import java.util.*;

/**
 * Alternates timed windows of two compiled models' training steps in one JVM (same data, same load):
 * {@code AB BEFORE_CLASS AFTER_CLASS THREADS BATCH VOCAB ROUNDS}. Each window is about 2 s of the
 * calling thread's CPU time (with 1 thread all kernels run on it), so other load on the machine
 * changes the wall time but hardly the figure. See ab.sh.
 */
public class AB {
    /** Distinct random batches cycled through (as bin/ingot bench and the PyTorch twins do): one batch repeated lets a model memorise it. */
    static final int BATCHES = 8;

    /** The inputs and labels of {@link #BATCHES} random batches for m, and their buffers in m. */
    static final class Data {
        final List<Object> dst = new ArrayList<>(), src = new ArrayList<>();
        int next;

        Data(CompiledModel m, int vocab) {
            var r = new SplittableRandom(7);
            List<TensorSpec> all = new ArrayList<>(m.spec().inputs());
            all.addAll(m.spec().labels());
            for (TensorSpec t : all) {
                if (t.dtype() == DType.I32) {
                    int[] d = m.inputI32(t.name()); int[][] x = new int[BATCHES][d.length];
                    for (int[] q : x) for (int i = 0; i < q.length; i++) q[i] = r.nextInt(vocab);
                    dst.add(d); src.add(x);
                } else {
                    float[] d = m.inputF32(t.name()); float[][] x = new float[BATCHES][d.length];
                    for (float[] q : x) for (int i = 0; i < q.length; i++) q[i] = (float) r.nextDouble();
                    dst.add(d); src.add(x);
                }
            }
        }

        /** Copies the next batch into the model's buffers. */
        void next() {
            int k = next; next = (next + 1) % BATCHES;
            for (int i = 0; i < dst.size(); i++) {
                Object d = dst.get(i);
                Object x = ((Object[]) src.get(i))[k];
                System.arraycopy(x, 0, d, 0, java.lang.reflect.Array.getLength(d));
            }
        }
    }

    static final java.lang.management.ThreadMXBean TM = java.lang.management.ManagementFactory.getThreadMXBean();
    static final com.sun.management.ThreadMXBean ALLOC = (com.sun.management.ThreadMXBean) TM;
    /** Bytes this thread allocated per training step in the last {@link #rate} window (a step should allocate nothing). */
    static double lastBytesPerStep;
    /** Examples per CPU-second of this thread (1 thread: all work runs here), over about {@code secs} of CPU time. */
    static double rate(CompiledModel m, Data data, int n, double secs) {
        long id = Thread.currentThread().getId(), b0 = ALLOC.getThreadAllocatedBytes(id);
        long t0 = TM.getCurrentThreadCpuTime(), end = t0 + (long) (secs * 1e9); int steps = 0;
        while (TM.getCurrentThreadCpuTime() < end) { data.next(); m.trainStep(n); steps++; }
        double r = steps * (double) n / ((TM.getCurrentThreadCpuTime() - t0) / 1e9);
        lastBytesPerStep = (ALLOC.getThreadAllocatedBytes(id) - b0) / (double) steps;
        return r;
    }
    public static void main(String[] a) throws Exception {
        Parallel.setThreads(Integer.parseInt(a[2]));
        int n = Integer.parseInt(a[3]), vocab = Integer.parseInt(a[4]), rounds = Integer.parseInt(a[5]);
        CompiledModel x = (CompiledModel) Class.forName(a[0]).getConstructor(int.class).newInstance(n);
        CompiledModel y = (CompiledModel) Class.forName(a[1]).getConstructor(int.class).newInstance(n);
        x.initialize(1); y.initialize(1); Data dx = new Data(x, vocab), dy = new Data(y, vocab);
        for (int w = 0; w < 3; w++) { rate(x, dx, n, 3); rate(y, dy, n, 3); }   // warm-up
        double[] rx = new double[rounds], ry = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            rx[i] = rate(x, dx, n, 2); double bx = lastBytesPerStep; ry[i] = rate(y, dy, n, 2); double by = lastBytesPerStep;
            System.out.printf("round %d: %s %.0f  %s %.0f  ratio %.2f  (allocated per step: %.0f / %.0f bytes)%n", i, a[0], rx[i], a[1], ry[i], ry[i] / rx[i], bx, by);
        }
        double[] ratio = new double[rounds];
        for (int i = 0; i < rounds; i++) ratio[i] = ry[i] / rx[i];
        Arrays.sort(rx); Arrays.sort(ry); Arrays.sort(ratio);
        System.out.printf("median examples/s: %s %.0f, %s %.0f; median per-round ratio %.2f (min %.2f, max %.2f)%n", a[0], rx[rounds / 2], a[1], ry[rounds / 2], ratio[rounds / 2], ratio[0], ratio[rounds - 1]);
    }
}
