package dev.ingot.spark.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The ring all-reduce among N threads on localhost, without Spark. */
class RingAllReduceTest {
    interface Peer { Object run(RingAllReduce ring, int rank) throws Exception; }

    /** Runs {@code n} peers, each in its own thread, joined into one ring; returns what each returned (or threw). */
    static List<Object> ring(int n, Peer body) throws Exception {
        List<ServerSocketChannel> servers = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            servers.add(RingAllReduce.listen("127.0.0.1"));
            addresses.add(RingAllReduce.address(servers.get(i)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Object>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int rank = i;
                fs.add(pool.submit(() -> {
                    try (RingAllReduce r = RingAllReduce.connect(rank, addresses, servers.get(rank), 5000)) {
                        return body.run(r, rank);
                    } catch (Exception e) {
                        return e;
                    }
                }));
            }
            List<Object> out = new ArrayList<>();
            for (Future<Object> f : fs) out.add(f.get(30, TimeUnit.SECONDS));
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    static List<float[]> vectors(int[] lengths, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<float[]> v = new ArrayList<>();
        for (int len : lengths) {
            float[] a = new float[len];
            for (int i = 0; i < len; i++) a[i] = (float) r.nextGaussian();
            v.add(a);
        }
        return v;
    }

    @ParameterizedTest(name = "{0} peers")
    @ValueSource(ints = {1, 2, 3, 4})
    void everyPeerGetsTheSameMean(int n) throws Exception {
        int[] lengths = {1000, 7, 1, 0, 4099};
        List<Object> got = ring(n, (ring, rank) -> {
            List<float[]> v = vectors(lengths, rank);
            for (int call = 0; call < 3; call++) ring.average(v);   // the mean of equal vectors is the same vector: repeat to test reuse
            return v;
        });
        for (Object o : got) if (o instanceof Exception e) throw e;
        @SuppressWarnings("unchecked")
        List<float[]> first = (List<float[]>) got.get(0);
        for (int k = 0; k < lengths.length; k++) {
            double[] mean = new double[lengths[k]];
            for (int p = 0; p < n; p++) {
                float[] a = vectors(lengths, p).get(k);
                for (int i = 0; i < a.length; i++) mean[i] += a[i] / (double) n;
            }
            for (int i = 0; i < mean.length; i++) assertEquals(mean[i], first.get(k)[i], 1e-5, "vector " + k + "[" + i + "]");
            for (int p = 1; p < n; p++) {
                @SuppressWarnings("unchecked")
                List<float[]> other = (List<float[]>) got.get(p);
                assertArrayEquals(first.get(k), other.get(k), "peer " + p + " has the same bits as peer 0, vector " + k);
            }
        }
    }

    @Test
    void fewerElementsThanPeersAndTheByteCount() throws Exception {
        List<Object> got = ring(3, (ring, rank) -> {
            float[] v = {rank + 1, 10 * (rank + 1)};
            ring.average(List.of(v));
            return new Object[] {v, ring.bytesSent()};
        });
        for (Object o : got) {
            if (o instanceof Exception e) throw e;
            Object[] r = (Object[]) o;
            assertArrayEquals(new float[] {2, 20}, (float[]) r[0]);
            assertTrue((long) r[1] <= RingAllReduce.bytesPerCall(2, 3), "sent " + r[1]);
        }
        assertEquals(2 * 4 * 1000L / 2 * 2 / 2, RingAllReduce.bytesPerCall(1000, 2));   // 2 peers: each sends the vector's bytes once
    }

    @Test
    void aPeerThatLeavesFailsTheOthersWithItsName() throws Exception {
        List<Object> got = ring(3, (ring, rank) -> {
            if (rank == 1) return "left";   // closes its connections without taking part
            ring.average(List.of(new float[100_000]));
            return "finished";
        });
        assertEquals("left", got.get(1));
        for (int p : new int[] {0, 2}) {
            Exception e = assertInstanceOf(IOException.class, got.get(p), String.valueOf(got.get(p)));
            assertTrue(e.getMessage().contains("peer"), e.getMessage());
        }
    }
}
