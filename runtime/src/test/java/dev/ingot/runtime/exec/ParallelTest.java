package dev.ingot.runtime.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ParallelTest {

    @AfterAll
    static void restore() {
        Parallel.setThreads(Runtime.getRuntime().availableProcessors());
    }

    /** Runs forRange and checks that every index is visited once, in at most threads() contiguous chunks. */
    private static void checkCoverage(int n, int minChunk) {
        Parallel p = Parallel.get();
        AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(n, 1));
        AtomicInteger calls = new AtomicInteger();
        p.forRange(n, minChunk, (lo, hi) -> {
            calls.incrementAndGet();
            assertTrue(0 <= lo && lo < hi && hi <= n, "bad chunk [" + lo + "," + hi + ") of " + n);
            assertTrue(hi - lo >= Math.min(Math.max(minChunk, 1), n), "chunk below minChunk");
            for (int i = lo; i < hi; i++) {
                hits.incrementAndGet(i);
            }
        });
        for (int i = 0; i < n; i++) {
            assertEquals(1, hits.get(i), "index " + i + " of n=" + n + " minChunk=" + minChunk);
        }
        assertTrue(calls.get() <= p.threads(), "more chunks than threads");
        if (n == 0) {
            assertEquals(0, calls.get());
        }
    }

    @Test
    void coversEveryIndexOnceForManySizesAndThreadCounts() {
        for (int t : new int[] {1, 2, 3, 4}) {
            Parallel.setThreads(t);
            assertEquals(t, Parallel.get().threads());
            for (int n : new int[] {0, 1, 2, 3, 5, 7, 64, 100, 1001}) {
                for (int minChunk : new int[] {0, 1, 7, 1000}) {
                    checkCoverage(n, minChunk);
                }
            }
        }
    }

    @Test
    void splitsWorkAcrossThreadsWhenLargeEnough() {
        Parallel.setThreads(2);
        AtomicInteger chunks = new AtomicInteger();
        Parallel.get().forRange(100, 1, (lo, hi) -> chunks.incrementAndGet());
        assertEquals(2, chunks.get());
        chunks.set(0);
        Parallel.get().forRange(100, 60, (lo, hi) -> chunks.incrementAndGet());
        assertEquals(1, chunks.get(), "n / minChunk < 2 must run inline as one chunk");
    }

    @Test
    void chunksRunConcurrentlyOnAWorkerThread() throws Exception {
        Parallel.setThreads(2);
        java.util.concurrent.CountDownLatch secondStarted = new java.util.concurrent.CountDownLatch(1);
        Thread[] ranSecond = new Thread[1];
        boolean[] sawSecond = new boolean[1];
        Parallel.get().forRange(2, 1, (lo, hi) -> {
            if (lo == 0) {
                // whoever claimed chunk 0 blocks here, so chunk 1 can only run on the other gang member
                try {
                    sawSecond[0] = secondStarted.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            } else {
                ranSecond[0] = Thread.currentThread();
                secondStarted.countDown();
            }
        });
        assertTrue(sawSecond[0], "chunk 1 never started while chunk 0 was running");
        assertTrue(ranSecond[0] != null);
    }

    @Test
    void exceptionInWorkerChunkPropagatesAndPoolStillWorks() {
        Parallel.setThreads(2);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Parallel.get().forRange(10, 1, (lo, hi) -> {
                    if (lo > 0) {
                        throw new IllegalStateException("worker boom");
                    }
                }));
        assertEquals("worker boom", e.getMessage());
        checkCoverage(1000, 1);
    }

    @Test
    void exceptionInCallerChunkPropagatesAfterWorkersFinish() {
        Parallel.setThreads(2);
        AtomicInteger done = new AtomicInteger();
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> Parallel.get().forRange(10, 1, (lo, hi) -> {
                    if (lo == 0) {
                        throw new RuntimeException("caller boom");
                    }
                    sleep(20);
                    done.incrementAndGet();
                }));
        assertEquals("caller boom", e.getMessage());
        assertEquals(1, done.get(), "the worker chunk must have finished before the caller returns");
        checkCoverage(1000, 1);
    }

    @Test
    void errorsArePropagatedToo() {
        Parallel.setThreads(2);
        assertThrows(AssertionError.class, () -> Parallel.get().forRange(4, 1, (lo, hi) -> {
            throw new AssertionError("err");
        }));
        checkCoverage(50, 1);
    }

    @Test
    void nestedCallsRunInline() {
        Parallel.setThreads(2);
        int n = 64;
        AtomicIntegerArray hits = new AtomicIntegerArray(n * n);
        Parallel.get().forRange(n, 1, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                int row = i;
                AtomicInteger innerChunks = new AtomicInteger();
                Parallel.get().forRange(n, 1, (lo2, hi2) -> {
                    innerChunks.incrementAndGet();
                    for (int j = lo2; j < hi2; j++) {
                        hits.incrementAndGet(row * n + j);
                    }
                });
                assertEquals(1, innerChunks.get(), "a nested call must run inline");
            }
        });
        for (int i = 0; i < n * n; i++) {
            assertEquals(1, hits.get(i));
        }
    }

    @Test
    void repeatedResizingKeepsWorking() {
        for (int rep = 0; rep < 40; rep++) {
            Parallel.setThreads(1 + rep % 4);
            checkCoverage(257, 1);
        }
        Parallel.setThreads(2);
        checkCoverage(257, 1);
    }

    @Test
    void setThreadsRejectsBadValuesAndCallsFromTasks() {
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
        Parallel.setThreads(2);
        assertThrows(IllegalStateException.class, () -> Parallel.get().forRange(2, 1, (lo, hi) -> Parallel.setThreads(3)));
        assertEquals(2, Parallel.get().threads());
    }

    @Test
    void concurrentCallersFromUnrelatedThreadsBothComplete() throws Exception {
        Parallel.setThreads(2);
        int rounds = 300;
        Throwable[] failure = new Throwable[1];
        Thread other = new Thread(() -> {
            try {
                for (int r = 0; r < rounds; r++) {
                    checkCoverage(333, 1);
                }
            } catch (Throwable t) {
                failure[0] = t;
            }
        });
        other.start();
        for (int r = 0; r < rounds; r++) {
            checkCoverage(444, 1);
        }
        other.join();
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
    }

    @Test
    void manyTinyCallsAreFastAndWorkersSurviveParking() {
        Parallel.setThreads(2);
        long[] sum = new long[2];
        Parallel.RangeTask task = (lo, hi) -> sum[lo == 0 ? 0 : 1] += hi - lo;
        for (int i = 0; i < 5_000; i++) {
            Parallel.get().forRange(2, 1, task);
        }
        sleep(5); // let the worker park (spin time is 0.2 ms), then wake it again
        Parallel.get().forRange(2, 1, task);
        assertEquals(5_001L, sum[0]);
        assertEquals(5_001L, sum[1]);
    }

    @Test
    void noAllocationPerCall() {
        Parallel.setThreads(2);
        int[] out = new int[2];
        Parallel.RangeTask task = (lo, hi) -> out[lo == 0 ? 0 : 1]++;
        for (int i = 0; i < 2_000; i++) {
            Parallel.get().forRange(2, 1, task);
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 2_000; i++) {
            Parallel.get().forRange(2, 1, task);
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes in 2000 calls");
    }

    @Test
    void getReturnsTheGlobalPool() {
        assertSame(Parallel.get(), Parallel.get());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
