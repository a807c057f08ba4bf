package dev.ingot.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The pool under stress, oversubscribed: 2 to 64 threads on however many cores the machine has (2 in CI), 100,000+
 * calls with random sizes and minimum chunks, tasks that throw, nested calls, {@link Parallel#setThreads} between
 * calls, and a second application thread calling at the same time. Every call checks that each index ran exactly
 * once and that no chunk was still running when the call returned. A watchdog thread fails the test with a thread
 * dump instead of letting it hang.
 *
 * <p>NOTE on jcstress: the claim/publish protocol is small enough to argue exhaustively (see {@link Parallel}): a
 * chunk is claimed only by a CAS on one 64-bit word that holds the call's sequence number, its chunk count and the
 * next chunk, so a claim can only succeed on a live call, and the per-call fields are published by the volatile
 * write of that word. The interleavings jcstress would enumerate for two actors (a stale worker against a new
 * call's publication) are exactly what this test produces by the hundred thousand: with 64 threads on 2 cores,
 * workers are descheduled at every point of the protocol, including between reading the claim word and the CAS.
 * The previous implementation, which read the chunk count from a plain field outside the word, hangs or fails this
 * test within seconds (checked when it was written). A jcstress harness would add a second test framework and a
 * separate build for the same property, so the build does without it.
 */
class ParallelStressTest {
    /** Calls per run; {@code -Dingot.stress.calls=N} for a longer soak. */
    private static final int CALLS = Integer.getInteger("ingot.stress.calls", 120_000);
    private static final long WATCHDOG_MS = Long.getLong("ingot.stress.watchdogMs", 240_000L);

    @AfterAll
    static void restore() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void everyIndexOfEveryCallRunsExactlyOnceUnderOversubscription() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger done = new AtomicInteger();
        Thread main = new Thread(() -> {
            try {
                hammer(new SplittableRandom(42), CALLS, true, done);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }, "stress-main");
        // A second application thread calling at the same time (it never resizes the pool).
        Thread other = new Thread(() -> {
            try {
                hammer(new SplittableRandom(7), CALLS / 10, false, done);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }, "stress-other");
        main.start();
        other.start();
        long deadline = System.currentTimeMillis() + WATCHDOG_MS;
        for (Thread t : new Thread[] {main, other}) {
            t.join(Math.max(1, deadline - System.currentTimeMillis()));
        }
        if (main.isAlive() || other.isAlive()) {
            StringBuilder dump = new StringBuilder();
            for (ThreadInfo ti : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
                dump.append(ti);
            }
            fail("the pool hung after " + done.get() + " calls (watchdog " + WATCHDOG_MS + " ms):\n" + dump);
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(CALLS + CALLS / 10, done.get());
    }

    /**
     * Random calls in batches of {@link #BATCH} made back to back (each call has its own counters, checked after the
     * batch), so that a worker still busy with one call meets the publication of the next; {@code resize}: also
     * change the thread count (2..64) between batches.
     */
    private static void hammer(SplittableRandom rnd, int calls, boolean resize, AtomicInteger done) {
        int[] counts = {2, 3, 4, 5, 8, 16, 17, 32, 64};
        AtomicInteger running = new AtomicInteger();
        int[] ns = new int[BATCH], mins = new int[BATCH], throwers = new int[BATCH];
        boolean[] nesteds = new boolean[BATCH];
        AtomicIntegerArray[] hits = new AtomicIntegerArray[BATCH];
        RuntimeException[] thrown = new RuntimeException[BATCH];
        for (int b = 0; b < BATCH; b++) {
            hits[b] = new AtomicIntegerArray(4096);
        }
        for (int call = 0; call < calls; call += BATCH) {
            if (resize && call % 512 == 0) {
                Parallel.setThreads(counts[rnd.nextInt(counts.length)]);
            }
            int batch = Math.min(BATCH, calls - call);
            for (int b = 0; b < batch; b++) {
                ns[b] = rnd.nextInt(100) < 90 ? rnd.nextInt(1, 80) : rnd.nextInt(1, 4096);
                mins[b] = rnd.nextInt(100) < 70 ? 1 : rnd.nextInt(0, 40);
                int kind = rnd.nextInt(100);
                throwers[b] = kind < 3 ? rnd.nextInt(ns[b]) : -1;
                nesteds[b] = kind >= 3 && kind < 8;
                for (int i = 0; i < ns[b]; i++) {
                    hits[b].set(i, 0);
                }
                thrown[b] = null;
            }
            for (int b = 0; b < batch; b++) {
                int n = ns[b], thrower = throwers[b];
                boolean nested = nesteds[b];
                AtomicIntegerArray h = hits[b];
                try {
                    Parallel.get().forRange(n, mins[b], (lo, hi) -> {
                        running.incrementAndGet();
                        try {
                            if (lo < 0 || hi > n || lo >= hi) {
                                throw new AssertionError("bad chunk [" + lo + ", " + hi + ") of " + n);
                            }
                            for (int i = lo; i < hi; i++) {
                                h.incrementAndGet(i);
                                if (nested) {
                                    AtomicInteger inner = new AtomicInteger();
                                    Parallel.get().forRange(3, 1, (x, y) -> inner.addAndGet(y - x));
                                    if (inner.get() != 3) {
                                        throw new AssertionError("nested call covered " + inner.get() + " of 3");
                                    }
                                }
                            }
                            if (lo <= thrower && thrower < hi) {
                                throw new IllegalStateException("boom " + thrower);
                            }
                        } finally {
                            running.decrementAndGet();
                        }
                    });
                } catch (IllegalStateException e) {
                    thrown[b] = e;
                }
                if (running.get() != 0) {
                    fail("a chunk was still running when forRange returned (n=" + n + ")");
                }
            }
            for (int b = 0; b < batch; b++) {
                if (throwers[b] >= 0) {
                    assertTrue(thrown[b] != null && thrown[b].getMessage().equals("boom " + throwers[b]),
                            "the task's exception was not rethrown: " + thrown[b]);
                } else if (thrown[b] != null) {
                    throw thrown[b];
                }
                for (int i = 0; i < ns[b]; i++) {
                    if (hits[b].get(i) != 1) {
                        fail("call " + (call + b) + ": index " + i + " of n=" + ns[b] + " (minChunk " + mins[b]
                                + ", threads " + Parallel.get().threads() + ") ran " + hits[b].get(i) + " times");
                    }
                }
                done.incrementAndGet();
            }
        }
    }

    private static final int BATCH = 64;
}
