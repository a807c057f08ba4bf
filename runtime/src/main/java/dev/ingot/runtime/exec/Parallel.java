package dev.ingot.runtime.exec;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The one thread pool of the Ingot runtime: a fork-join over a contiguous range, built for kernels that take
 * microseconds to a few milliseconds.
 *
 * <h2>Algorithm</h2>
 * The pool owns {@code threads() - 1} daemon worker threads; the calling thread is the last member of the gang
 * and always runs at least one chunk itself. A call to {@link #forRange} splits {@code [0, n)} into {@code chunks
 * <= threads()} contiguous, balanced pieces ({@code lo(i) = n * i / chunks}; the pieces depend only on {@code n},
 * {@code minChunk} and the thread count, never on timing), publishes the call, and wakes {@code chunks - 1} workers by
 * a volatile write of the call's sequence number into each worker's own {@code go} field (workers that a small call
 * does not need are not touched). Every gang member, the caller included, then claims chunks until none is left.
 *
 * <h2>The claim word: why a call cannot be confused with the next one</h2>
 * All that a worker needs to decide whether a chunk is its to run lives in <em>one</em> 64-bit word, {@link #claim}:
 * {@code [sequence:38][chunks:13][next:13]}. A chunk is claimed by a CAS that increments {@code next}; the CAS
 * succeeds only if the word still holds the same sequence number and {@code next < chunks} <em>of that word</em>.
 * So a claim can only succeed while its call is live: the caller cannot return before every chunk of its call is
 * claimed and finished ({@link #pending}), and an unclaimed chunk makes the word differ from any word of a later
 * call (a later call has a larger sequence number; 2^38 calls would have to pass while a worker stalls between a
 * read and its CAS for the number to come round). The other per-call fields ({@link #task}, {@link #rangeN}) are
 * written by the caller <em>before</em> the volatile write that publishes the word and read by a worker only
 * <em>after</em> a successful CAS on it, so they are the claimed call's. {@link #pending} is set before the
 * publication and decremented once per claimed chunk, so it reaches 0 exactly when the last chunk of this call is
 * done. (The previous version kept the chunk count in a plain field outside the word: a worker that read the old
 * word could compare the old call's {@code next} with the new call's chunk count, claim a chunk of a call that was
 * over and decrement the next call's {@code pending}; {@code ParallelStressTest} caught a call returning while a
 * chunk still ran within a second, and 16-thread runs hung.)
 *
 * <p>NOTE: claiming instead of assigning chunks makes the pool degrade gracefully when the cores are oversubscribed
 * (another process, JIT threads, more threads than cores): a worker that does not get a core in time simply finds
 * its chunk already done by the caller, and the caller only ever waits for chunks a worker has actually started.
 * Results do not depend on who runs a chunk, only on the chunk boundaries, so a kernel that reduces per chunk in
 * chunk order is deterministic for a given thread count.
 *
 * <p>Waiting is <em>spin-then-park</em> on both sides. An idle worker spins on its {@code go} field (with
 * {@link Thread#onSpinWait()}) for {@code ingot.parallel.spinMicros} microseconds (default 200) after its last
 * chunk, and only then parks (after 20 us it calls {@link Thread#yield()} between polls). The caller, when no
 * chunk is left to claim, waits on the pending counter the same way. Back-to-back kernels (the common case in a
 * training step) therefore hand work over in well under a microsecond, whereas {@code ExecutorService.submit/get}
 * needs a futex wake-up per task (tens of microseconds).
 *
 * <p>Parking uses the classic Dekker handshake on volatiles: the sleeper writes {@code parked = true} and then
 * re-checks the condition before {@link LockSupport#park}; the waker writes the condition and then reads
 * {@code parked}, unparking if set. Sequential consistency of volatile accesses guarantees that at least one of the
 * two sees the other's write, so no wake-up is lost. A stray unpark is harmless: every park is in a loop that
 * re-checks its condition.
 *
 * <h2>Several application threads</h2>
 * The gang serves one call at a time. Calls from different application threads (two models, or copies made with
 * {@code sharingParameters()}, used from two threads) take turns in arrival order (a ticket lock): each parallel
 * kernel gets the whole gang, so two models running at once each get about half the machine, never more threads
 * than {@link #threads()}, and every call is split exactly as it would be alone (so results stay reproducible). A
 * waiting thread spins briefly, then parks; the thread that ends its call wakes the next in line.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>No allocation per call: all per-call state lives in fields of the pool and of the workers.</li>
 *   <li>A call made from inside a task (a nested call, on a worker or on the caller) runs the whole range inline
 *       on its thread, so nesting cannot deadlock.</li>
 *   <li>An exception thrown by any chunk is rethrown to the caller after all chunks have finished: the first
 *       {@link RuntimeException} or {@link Error} unchanged, anything else wrapped in a RuntimeException.</li>
 * </ul>
 */
public final class Parallel {

    /** Most threads a pool may have ({@link #setThreads}); the chunk count must fit the claim word's 13 bits. */
    public static final int MAX_THREADS = 4096;

    /** How long an idle worker (or a waiting caller) spins before parking, in nanoseconds. */
    private static final long SPIN_NANOS = Math.max(0L, Long.getLong("ingot.parallel.spinMicros", 200L)) * 1000L;
    /**
     * After this long, a spinning thread calls {@link Thread#yield()} between polls. NOTE: when the cores are
     * oversubscribed (another process, JIT threads), a pure busy-spin steals the time slice that the thread it
     * waits for needs; yielding hands it over while still reacting within a microsecond when cores are free.
     */
    private static final long YIELD_AFTER_NANOS = Math.min(SPIN_NANOS, 20_000L);

    private static final int FIELD_BITS = 13;
    private static final long FIELD_MASK = (1L << FIELD_BITS) - 1;
    private static final long SEQ_MASK = (1L << (64 - 2 * FIELD_BITS)) - 1;

    private static final Parallel INSTANCE = new Parallel(defaultThreads());

    /** Number of threads including the caller. Written only by the ticket holder. */
    private volatile int threads;
    /** The {@code threads - 1} workers; worker {@code i} is woken for calls of more than {@code i + 1} chunks. */
    private Worker[] workers;

    // ---- the ticket lock that orders calls from different application threads ----
    private final AtomicLong nextTicket = new AtomicLong();
    private volatile long nowServing;
    /** Threads parked waiting for their turn, by {@code ticket % WAITER_SLOTS} (a hint for a prompt wake-up). */
    private final AtomicReferenceArray<Thread> waiting = new AtomicReferenceArray<>(WAITER_SLOTS);
    private static final int WAITER_SLOTS = 64;
    /** The thread whose call the gang is running (null between calls); a nested call from it runs inline. */
    private volatile Thread owner;

    // ---- per-call state: written by the caller before the volatile publication of the claim word ----
    private RangeTask task;
    private int rangeN;
    private long sequence;
    /** {@code [sequence:38][chunks:13][next:13]}: see the class comment. */
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
     * Resizes the global pool to {@code n} threads (including the calling thread), {@code 1 <= n <=}
     * {@link #MAX_THREADS}. Waits its turn behind running calls. Must not be called from inside a task.
     */
    public static void setThreads(int n) {
        if (n < 1 || n > MAX_THREADS) {
            throw new IllegalArgumentException("threads must be between 1 and " + MAX_THREADS + ", got " + n);
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
     * caller thread doing at least one chunk; returns when all are done. Runs inline when {@code threads() == 1},
     * when {@code n} is small (no chunk gets fewer than {@code minChunk} units), or when called from inside a task
     * (nested calls). A call from another application thread while the gang is busy waits its turn. Allocates
     * nothing.
     */
    public void forRange(int n, int minChunk, RangeTask task) {
        if (n <= 0) {
            return;
        }
        int c = Math.min(threads, n / Math.max(1, minChunk));
        Thread me = Thread.currentThread();
        if (c <= 1 || me instanceof Worker || owner == me) {
            task.run(0, n);
            return;
        }
        long ticket = acquire(me);
        try {
            // NOTE: re-read the size with the turn held; setThreads may have changed the pool in between.
            c = Math.min(threads, n / Math.max(1, minChunk));
            if (c <= 1) {
                task.run(0, n);
            } else {
                runGang(n, c, task);
            }
        } finally {
            release(ticket);
        }
    }

    private void runGang(int n, int c, RangeTask t) {
        this.task = t;
        this.rangeN = n;
        // NOTE: 0 is never a call's number: it is what a new worker has seen.
        long seq = sequence = Math.max(1L, (sequence + 1) & SEQ_MASK);
        pending.set(c);
        claim.set(seq << (2 * FIELD_BITS) | (long) c << FIELD_BITS); // volatile write publishes task/rangeN
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

    /** Claims and runs chunks of call {@code seq} until none is left. */
    private void runChunks(long seq) {
        long word;
        while ((word = claimNext(seq)) >= 0) {
            int chunks = (int) (word >>> FIELD_BITS & FIELD_MASK);
            int idx = (int) (word & FIELD_MASK);
            try {
                task.run(chunkLo(rangeN, chunks, idx), chunkLo(rangeN, chunks, idx + 1));
            } catch (Throwable e) {
                error.compareAndSet(null, e);
            } finally {
                chunkDone();
            }
        }
    }

    /**
     * Claims the next chunk of call {@code seq}: returns the claim word as it was before the claim (its {@code next}
     * field is the claimed chunk), or -1 when no chunk of that call is left (or the call is over).
     */
    private long claimNext(long seq) {
        while (true) {
            long v = claim.get();
            int next = (int) (v & FIELD_MASK);
            if (v >>> (2 * FIELD_BITS) != seq || next >= (int) (v >>> FIELD_BITS & FIELD_MASK)) {
                return -1;
            }
            if (claim.compareAndSet(v, v + 1)) {
                return v;
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

    // ---- turns ------------------------------------------------------------------------------------------------

    /** Takes a ticket and waits until it is served; then the gang is this thread's. */
    private long acquire(Thread me) {
        long ticket = nextTicket.getAndIncrement();
        if (nowServing != ticket) {
            awaitTurn(me, ticket);
        }
        owner = me;
        return ticket;
    }

    private void awaitTurn(Thread me, long ticket) {
        long start = System.nanoTime();
        int slot = (int) (ticket % WAITER_SLOTS);
        for (int spins = 0; nowServing != ticket; spins++) {
            long waited = System.nanoTime() - start;
            if (waited < YIELD_AFTER_NANOS) {
                Thread.onSpinWait();
            } else if (waited < SPIN_NANOS) {
                Thread.yield();
            } else {
                // NOTE: the slot is a hint for a prompt wake-up; when more than WAITER_SLOTS threads wait, two may
                // share a slot, so the park is timed and the loop re-checks.
                waiting.set(slot, me);
                if (nowServing != ticket) {
                    LockSupport.parkNanos(this, 1_000_000L);
                }
                waiting.compareAndSet(slot, me, null);
            }
        }
    }

    private void release(long ticket) {
        owner = null;
        nowServing = ticket + 1;
        Thread next = waiting.get((int) ((ticket + 1) % WAITER_SLOTS));
        if (next != null) {
            LockSupport.unpark(next);
        }
    }

    private void resizeFromOutside(int n) {
        Thread me = Thread.currentThread();
        if (me instanceof Worker || owner == me) {
            throw new IllegalStateException("Parallel.setThreads must not be called from inside a task");
        }
        long ticket = acquire(me);
        try {
            resize(n);
        } finally {
            release(ticket);
        }
    }

    /** Replaces the workers; the caller holds the turn (or is the constructor). */
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
        return Math.max(1, Math.min(MAX_THREADS, n));
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
                pool.runChunks(seen);
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
