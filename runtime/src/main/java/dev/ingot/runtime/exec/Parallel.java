package dev.ingot.runtime.exec;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread pool of the Ingot runtime: a fork-join over a contiguous range, built for kernels that take
 * microseconds to a few milliseconds.
 *
 * <h2>Algorithm</h2>
 * The pool owns {@code threads() - 1} daemon worker threads; the calling thread is the last member of the gang
 * and always runs at least one chunk itself. A call to {@link #forRange} splits {@code [0, n)} into {@code chunks
 * <= threads()} contiguous, balanced pieces ({@code lo(i) = n * i / chunks}), publishes the task in plain fields of
 * the pool, resets a claim counter tagged with the call's sequence number, and wakes {@code chunks - 1} workers by a
 * volatile write of that sequence number into each worker's own {@code go} field (workers that a small call does not
 * need are not touched). Every gang member, the caller included, then claims chunks by CAS on the counter until none
 * is left.
 *
 * <p>NOTE: claiming instead of assigning chunks makes the pool degrade gracefully when the cores are oversubscribed
 * (another process, JIT threads): a worker that does not get a core in time simply finds its chunk already done by
 * the caller, and the caller only ever waits for chunks a worker has actually started. With fixed assignment, a
 * 2-thread 64^3 GEMM on a machine shared with two busy processes ran at 10 GFLOP/s against 60-100 single-threaded.
 *
 * <p>Waiting is <em>spin-then-park</em> on both sides. An idle worker spins on its {@code go} field (with
 * {@link Thread#onSpinWait()}) for {@code ingot.parallel.spinMicros} microseconds (default 200) after its last
 * chunk, and only then parks (after 20 us it calls {@link Thread#yield()} between polls). The caller, when no
 * chunk is left to claim, waits on the pending counter the same way. Back-to-back kernels (the common case in a training step) therefore hand work over in well
 * under a microsecond, whereas {@code ExecutorService.submit/get} needs a futex wake-up per task (tens of
 * microseconds), which made a 2-thread 64^3 GEMM 40x slower than it should be.
 *
 * <p>Parking uses the classic Dekker handshake on volatiles: the sleeper writes {@code parked = true} and then
 * re-checks the condition before {@link LockSupport#park}; the waker writes the condition and then reads
 * {@code parked}, unparking if set. Sequential consistency of volatile accesses guarantees that at least one of the
 * two sees the other's write, so no wake-up is lost.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>No allocation per call: all per-call state lives in fields of the pool and of the workers.</li>
 *   <li>Only one gang runs at a time. A call made while the gang is busy (a nested call from inside a task, or a
 *       call from an unrelated thread) runs the whole range inline on the calling thread, so nesting cannot
 *       deadlock.</li>
 *   <li>An exception thrown by any chunk is rethrown to the caller after all chunks have finished: the first
 *       {@link RuntimeException} or {@link Error} unchanged, anything else wrapped in a RuntimeException.</li>
 * </ul>
 */
public final class Parallel {

    /** How long an idle worker (or a waiting caller) spins before parking, in nanoseconds. */
    private static final long SPIN_NANOS = Math.max(0L, Long.getLong("ingot.parallel.spinMicros", 200L)) * 1000L;
    /**
     * After this long, a spinning thread calls {@link Thread#yield()} between polls. NOTE: when the cores are
     * oversubscribed (another process, JIT threads), a pure busy-spin steals the time slice that the thread it
     * waits for needs; yielding hands it over while still reacting within a microsecond when cores are free.
     */
    private static final long YIELD_AFTER_NANOS = Math.min(SPIN_NANOS, 20_000L);

    private static final Parallel INSTANCE = new Parallel(defaultThreads());

    /** Number of threads including the caller. Written only under {@link #busy}. */
    private volatile int threads;
    /** The {@code threads - 1} workers; worker {@code i} runs chunk {@code i + 1}. */
    private Worker[] workers;

    /** Held by the thread that runs a gang (or resizes the pool). */
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Thread owner;

    // ---- per-call state: written by the caller before the volatile publication in Worker.go ----
    private RangeTask task;
    private int rangeN;
    private int chunks;
    private int sequence;
    /** {@code (sequence << 32) | next unclaimed chunk}: chunks are claimed by CAS, tagged with the call. */
    private final AtomicLong claim = new AtomicLong();
    /** Chunks not yet finished in the current call. */
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicReference<Throwable> error = new AtomicReference<>();
    private volatile Thread waiter;
    private volatile boolean callerParked;

    private Parallel(int n) {
        threads = 1;
        workers = new Worker[0];
        resize(n);
    }

    /** The global pool. */
    public static Parallel get() {
        return INSTANCE;
    }

    /**
     * Resizes the global pool to {@code n} threads (including the calling thread); {@code n >= 1}. Waits for a
     * running gang to finish. Must not be called from inside a task.
     */
    public static synchronized void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + n);
        }
        INSTANCE.resizeFromOutside(n);
    }

    /** Number of threads that share a {@link #forRange} call, the caller included. */
    public int threads() {
        return threads;
    }

    /** A piece of work over the half-open range {@code [lo, hi)}. */
    @FunctionalInterface
    public interface RangeTask {
        void run(int lo, int hi);
    }

    /**
     * Runs {@code task.run(lo, hi)} over {@code [0, n)} split into at most {@link #threads()} contiguous chunks, the
     * caller thread doing one chunk; returns when all are done. Runs inline when {@code threads() == 1}, when
     * {@code n} is small (no chunk gets fewer than {@code minChunk} units), or when called while the pool is busy
     * (nested calls). Allocates nothing.
     */
    public void forRange(int n, int minChunk, RangeTask task) {
        if (n <= 0) {
            return;
        }
        int t = threads;
        int c = Math.min(t, n / Math.max(1, minChunk));
        if (c <= 1 || Thread.currentThread() instanceof Worker || !busy.compareAndSet(false, true)) {
            task.run(0, n);
            return;
        }
        try {
            owner = Thread.currentThread();
            // NOTE: re-read the size under the lock; setThreads may have shrunk the pool in between.
            c = Math.min(c, threads);
            if (c <= 1) {
                task.run(0, n);
                return;
            }
            runGang(n, c, task);
        } finally {
            owner = null;
            busy.set(false);
        }
    }

    private void runGang(int n, int c, RangeTask t) {
        this.task = t;
        this.rangeN = n;
        this.chunks = c;
        int seq = ++sequence;
        pending.set(c);
        claim.set((long) seq << 32); // volatile write publishes task/rangeN/chunks
        Worker[] ws = workers;
        for (int i = 0; i < c - 1; i++) {
            Worker w = ws[i];
            w.go = seq;
            if (w.parked) {
                LockSupport.unpark(w);
            }
        }
        runChunks(seq);
        awaitWorkers();
        this.task = null;
        Throwable first = error.getAndSet(null);
        if (first != null) {
            if (first instanceof RuntimeException) {
                throw (RuntimeException) first;
            }
            if (first instanceof Error) {
                throw (Error) first;
            }
            throw new RuntimeException(first);
        }
    }

    /**
     * Claims and runs chunks of call {@code seq} until none is left. NOTE: chunks are claimed dynamically rather
     * than assigned, so that a worker that is slow to wake (parked, or descheduled because another process holds
     * the cores) costs nothing: the caller simply runs that chunk too and only ever waits for chunks that a worker
     * has actually started.
     */
    private void runChunks(int seq) {
        int idx;
        while ((idx = claimNext(seq)) >= 0) {
            try {
                task.run(chunkLo(rangeN, chunks, idx), chunkLo(rangeN, chunks, idx + 1));
            } catch (Throwable e) {
                error.compareAndSet(null, e);
            } finally {
                chunkDone();
            }
        }
    }

    /** The next unclaimed chunk of call {@code seq}, or -1 when there is none (or that call is over). */
    private int claimNext(int seq) {
        while (true) {
            long v = claim.get();
            if ((int) (v >>> 32) != seq) {
                return -1;
            }
            int idx = (int) v;
            if (idx >= chunks) {
                return -1;
            }
            if (claim.compareAndSet(v, v + 1)) {
                return idx;
            }
        }
    }

    private void awaitWorkers() {
        if (pending.get() == 0) {
            return;
        }
        long start = System.nanoTime();
        int spins = 0;
        boolean yielding = false;
        while (pending.get() != 0) {
            if (yielding) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
            if ((++spins & 63) == 0) {
                long waited = System.nanoTime() - start;
                if (waited > SPIN_NANOS) {
                    waiter = Thread.currentThread();
                    callerParked = true;
                    while (pending.get() != 0) {
                        LockSupport.park(this);
                    }
                    callerParked = false;
                    return;
                }
                yielding = waited > YIELD_AFTER_NANOS;
            }
        }
    }

    private static int chunkLo(int n, int chunks, int i) {
        return (int) ((long) n * i / chunks);
    }

    /** Called when a chunk is done (normally or not). */
    private void chunkDone() {
        if (pending.decrementAndGet() == 0 && callerParked) {
            LockSupport.unpark(waiter);
        }
    }

    private void resizeFromOutside(int n) {
        Thread me = Thread.currentThread();
        if (me instanceof Worker || owner == me) {
            throw new IllegalStateException("Parallel.setThreads must not be called from inside a task");
        }
        while (!busy.compareAndSet(false, true)) {
            Thread.onSpinWait();
            Thread.yield();
        }
        try {
            resize(n);
        } finally {
            busy.set(false);
        }
    }

    /** Replaces the workers; the caller holds {@link #busy} (or is the constructor). */
    private void resize(int n) {
        if (n == threads && workers.length == n - 1) {
            return;
        }
        for (Worker w : workers) {
            w.shutdown();
        }
        Worker[] ws = new Worker[n - 1];
        for (int i = 0; i < ws.length; i++) {
            ws[i] = new Worker(this, i);
            ws[i].start();
        }
        workers = ws;
        threads = n;
    }

    private static int defaultThreads() {
        int n = Integer.getInteger("ingot.threads", Runtime.getRuntime().availableProcessors());
        return Math.max(1, n);
    }

    /** A pool thread: claims and runs chunks each time its {@link #go} sequence number changes. */
    private static final class Worker extends Thread {
        private final Parallel pool;
        volatile long go;
        volatile boolean parked;
        private volatile boolean stop;
        private long seen;

        Worker(Parallel pool, int index) {
            super("ingot-worker-" + index);
            this.pool = pool;
            setDaemon(true);
        }

        void shutdown() {
            stop = true;
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            while (awaitWork()) {
                pool.runChunks((int) seen);
            }
        }

        /** Spins, then parks, until a new sequence number arrives (true) or the worker is shut down (false). */
        private boolean awaitWork() {
            long start = System.nanoTime();
            int spins = 0;
            boolean yielding = false;
            while (true) {
                long g = go;
                if (g != seen) {
                    seen = g;
                    return true;
                }
                if (stop) {
                    return false;
                }
                if ((++spins & 63) == 0) {
                    long waited = System.nanoTime() - start;
                    if (waited > SPIN_NANOS) {
                        parked = true;
                        if (go == seen && !stop) {
                            LockSupport.park(this);
                        }
                        parked = false;
                        continue;
                    }
                    yielding = waited > YIELD_AFTER_NANOS;
                }
                if (yielding) {
                    Thread.yield();
                } else {
                    Thread.onSpinWait();
                }
            }
        }
    }
}
