package dev.ingot.spark.train;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;

/**
 * A ring all-reduce of float vectors among {@code size} peers over TCP (java.nio), as Horovod and XGBoost
 * do between Spark's barrier tasks: every peer listens on a port of its own ({@link #listen}), the peers
 * learn each other's {@code host:port} (Spark: {@code BarrierTaskContext.allGather}), each connects to the
 * next peer of the ring and accepts the previous one ({@link #connect}); then {@link #average} replaces
 * each peer's vectors by the element-wise mean over all peers.
 *
 * <p>Algorithm: the vectors, taken as one concatenated vector, are cut into {@code size} chunks.
 * Reduce-scatter: in {@code size - 1} rounds each peer sends one partial chunk to the next peer and adds the
 * one it receives from the previous peer to its own values, so that peer {@code r} ends with the full sum
 * of chunk {@code r}, accumulated in a fixed order (peers {@code r+1, r+2, ..., r}, around the ring); it
 * scales it by {@code 1/size}. All-gather: in {@code size - 1} more rounds the finished chunks travel
 * around the ring and are copied, not added. So every peer ends with the same bits (those its owner
 * computed), whatever the timing: replicas that apply the same update to the same parameters stay
 * identical. Each peer sends and receives {@code 2 (size - 1) / size} times the vector's bytes per call.
 *
 * <p>Sending and receiving of a round overlap (non-blocking channels and a selector), so peers never
 * wait on each other's socket buffers. Nothing is allocated per call. A peer that disappears makes the
 * others fail with an {@link IOException} naming it, at once when its connection closes, or after
 * {@code timeoutMillis} without progress. Not thread-safe.
 */
public final class RingAllReduce implements AutoCloseable {
    private final int rank, size;
    private final SocketChannel next, prev;
    private final Selector selector;
    private final long timeoutMillis;
    private ByteBuffer sendBuf = ByteBuffer.allocateDirect(0), recvBuf = ByteBuffer.allocateDirect(0);
    private long bytesSent;

    private RingAllReduce(int rank, int size, SocketChannel next, SocketChannel prev, long timeoutMillis) throws IOException {
        this.rank = rank;
        this.size = size;
        this.next = next;
        this.prev = prev;
        this.timeoutMillis = timeoutMillis;
        this.selector = size > 1 ? Selector.open() : null;
        if (size > 1) {
            next.configureBlocking(false);
            prev.configureBlocking(false);
        }
    }

    /** A server socket on an ephemeral port of {@code host} (its address goes to the other peers). */
    public static ServerSocketChannel listen(String host) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open();
        s.bind(new InetSocketAddress(host, 0));
        return s;
    }

    /** {@code host:port} of a server socket from {@link #listen}. */
    public static String address(ServerSocketChannel server) throws IOException {
        InetSocketAddress a = (InetSocketAddress) server.getLocalAddress();
        return a.getHostString() + ":" + a.getPort();
    }

    /**
     * Joins the ring as peer {@code rank} of {@code addresses.size()}: connects to peer {@code rank + 1}
     * (mod size) and accepts peer {@code rank - 1} on {@code server}, which is closed afterwards. Each side
     * checks the other's rank. Fails after {@code timeoutMillis} when a peer does not come.
     */
    public static RingAllReduce connect(int rank, List<String> addresses, ServerSocketChannel server, long timeoutMillis) throws IOException {
        int size = addresses.size();
        if (rank < 0 || rank >= size) throw new IllegalArgumentException("rank " + rank + " outside [0, " + size + ")");
        if (size == 1) {
            server.close();
            return new RingAllReduce(0, 1, null, null, timeoutMillis);
        }
        int to = (rank + 1) % size, from = (rank + size - 1) % size;
        SocketChannel next = null, prev = null;
        try {
            next = connectTo(addresses.get(to), to, timeoutMillis);
            writeInt(next, rank);
            server.configureBlocking(false);
            long deadline = System.currentTimeMillis() + timeoutMillis;
            try (Selector sel = Selector.open()) {
                server.register(sel, SelectionKey.OP_ACCEPT);
                while (prev == null) {
                    long left = deadline - System.currentTimeMillis();
                    if (left <= 0 || sel.select(left) == 0 && System.currentTimeMillis() >= deadline)
                        throw new IOException("all-reduce peer " + rank + ": peer " + from + " did not connect within " + timeoutMillis + " ms");
                    if (Thread.interrupted()) throw new java.io.InterruptedIOException("all-reduce peer " + rank + " interrupted while waiting for peer " + from);
                    prev = server.accept();
                    sel.selectedKeys().clear();
                }
            }
            prev.configureBlocking(true);
            prev.setOption(StandardSocketOptions.TCP_NODELAY, true);
            int got = readInt(prev);
            if (got != from) throw new IOException("all-reduce peer " + rank + ": expected peer " + from + " to connect, got peer " + got);
            return new RingAllReduce(rank, size, next, prev, timeoutMillis);
        } catch (IOException | RuntimeException e) {
            if (next != null) next.close();
            if (prev != null) prev.close();
            throw e;
        } finally {
            server.close();
        }
    }

    private static SocketChannel connectTo(String address, int peer, long timeoutMillis) throws IOException {
        int colon = address.lastIndexOf(':');
        InetSocketAddress a = new InetSocketAddress(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)));
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            SocketChannel c = SocketChannel.open();
            try {
                c.socket().connect(a, (int) Math.max(1, Math.min(Integer.MAX_VALUE, deadline - System.currentTimeMillis())));
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                return c;
            } catch (IOException e) {
                c.close();
                if (System.currentTimeMillis() >= deadline) throw new IOException("all-reduce: cannot connect to peer " + peer + " at " + address + ": " + e.getMessage(), e);
                try {
                    Thread.sleep(50);   // its server socket is bound before its address is published, so this is rare
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while connecting to peer " + peer);
                }
            }
        }
    }

    private static void writeInt(SocketChannel c, int v) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4).putInt(v).flip();
        while (b.hasRemaining()) c.write(b);
    }

    private static int readInt(SocketChannel c) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4);
        while (b.hasRemaining()) if (c.read(b) < 0) throw new IOException("all-reduce: peer closed the connection during the handshake");
        return b.flip().getInt();
    }

    public int rank() { return rank; }

    public int size() { return size; }

    /** Bytes this peer has sent since it joined (to the next peer; it receives as many). */
    public long bytesSent() { return bytesSent; }

    /**
     * Bytes a peer sends (and receives) per {@link #average} of {@code floats} floats among {@code size} peers,
     * at most: {@code 2 (size - 1)} chunks of {@code ceil(floats / size)} floats, about {@code 2 (size - 1) / size}
     * times the vector's bytes.
     */
    public static long bytesPerCall(long floats, int size) {
        return size == 1 ? 0 : 2L * (size - 1) * 4 * ((floats + size - 1) / size);
    }

    private static long chunkStart(long total, int c, int size) { return total * c / size; }

    private static long chunkEnd(long total, int c, int size) { return total * (c + 1) / size; }

    /**
     * Replaces every peer's {@code vectors} (the same lengths, in the same order, on every peer) by their
     * element-wise mean over the peers; afterwards all peers hold the same bits.
     */
    public void average(List<float[]> vectors) throws IOException {
        if (size == 1) return;
        long total = 0;
        for (float[] v : vectors) total += v.length;
        int maxChunk = 0;
        for (int c = 0; c < size; c++) maxChunk = (int) Math.max(maxChunk, chunkEnd(total, c, size) - chunkStart(total, c, size));
        if (sendBuf.capacity() < 4 * maxChunk) {
            sendBuf = ByteBuffer.allocateDirect(4 * maxChunk).order(ByteOrder.LITTLE_ENDIAN);
            recvBuf = ByteBuffer.allocateDirect(4 * maxChunk).order(ByteOrder.LITTLE_ENDIAN);
        }
        float scale = 1f / size;
        // reduce-scatter: round s sends chunk (rank - 1 - s) and receives chunk (rank - 2 - s), adding it
        for (int s = 0; s < size - 1; s++) {
            int sendChunk = Math.floorMod(rank - 1 - s, size), recvChunk = Math.floorMod(rank - 2 - s, size);
            exchange(vectors, total, sendChunk, recvChunk, true);
        }
        // this peer's chunk (rank) is complete: scale it once, here only, so every peer gets these bits
        long a = chunkStart(total, rank, size), b = chunkEnd(total, rank, size);
        scale(vectors, a, b, scale);
        // all-gather: round s sends chunk (rank - s) and receives chunk (rank - 1 - s), copying it
        for (int s = 0; s < size - 1; s++) {
            int sendChunk = Math.floorMod(rank - s, size), recvChunk = Math.floorMod(rank - 1 - s, size);
            exchange(vectors, total, sendChunk, recvChunk, false);
        }
    }

    /** Sends chunk {@code sendChunk} to the next peer while receiving chunk {@code recvChunk} from the previous one; adds or copies it. */
    private void exchange(List<float[]> vectors, long total, int sendChunk, int recvChunk, boolean add) throws IOException {
        long sa = chunkStart(total, sendChunk, size), sb = chunkEnd(total, sendChunk, size);
        long ra = chunkStart(total, recvChunk, size), rb = chunkEnd(total, recvChunk, size);
        sendBuf.clear();
        gather(vectors, sa, sb, sendBuf);
        sendBuf.flip();
        recvBuf.clear().limit((int) (4 * (rb - ra)));
        bytesSent += sendBuf.remaining();
        selector.selectedKeys().clear();
        SelectionKey wk = next.register(selector, SelectionKey.OP_WRITE);
        SelectionKey rk = prev.register(selector, SelectionKey.OP_READ);
        long lastProgress = System.currentTimeMillis();
        try {
            while (sendBuf.hasRemaining() || recvBuf.hasRemaining()) {
                boolean progress = false;
                if (sendBuf.hasRemaining()) {
                    try {
                        progress |= next.write(sendBuf) > 0;
                    } catch (IOException e) {
                        throw new IOException("all-reduce peer " + rank + ": sending to peer " + (rank + 1) % size + " failed: " + e.getMessage(), e);
                    }
                    if (!sendBuf.hasRemaining()) wk.interestOps(0);
                }
                if (recvBuf.hasRemaining()) {
                    int r;
                    try {
                        r = prev.read(recvBuf);
                    } catch (IOException e) {
                        throw new IOException("all-reduce peer " + rank + ": receiving from peer " + (rank + size - 1) % size + " failed: " + e.getMessage(), e);
                    }
                    if (r < 0) throw new IOException("all-reduce peer " + rank + ": peer " + (rank + size - 1) % size + " closed the connection (it failed or was stopped)");
                    progress |= r > 0;
                    if (!recvBuf.hasRemaining()) rk.interestOps(0);
                }
                if (!sendBuf.hasRemaining() && !recvBuf.hasRemaining()) break;
                if (progress) {
                    lastProgress = System.currentTimeMillis();
                    continue;
                }
                long left = lastProgress + timeoutMillis - System.currentTimeMillis();
                if (left <= 0) throw new IOException("all-reduce peer " + rank + ": no data from peer " + (rank + size - 1) % size + " or to peer " + (rank + 1) % size + " for " + timeoutMillis + " ms");
                selector.select(left);
                selector.selectedKeys().clear();
                if (Thread.interrupted()) throw new java.io.InterruptedIOException("all-reduce peer " + rank + " interrupted");
            }
        } finally {
            wk.cancel();
            rk.cancel();
            selector.selectNow();   // deregisters the cancelled keys, so the channels can be registered again
        }
        recvBuf.flip();
        scatter(vectors, ra, rb, recvBuf, add);
    }

    private static void scale(List<float[]> vectors, long a, long b, float f) {
        long base = 0;
        for (float[] v : vectors) {
            long lo = Math.max(a, base), hi = Math.min(b, base + v.length);
            for (long i = lo; i < hi; i++) v[(int) (i - base)] *= f;
            base += v.length;
            if (base >= b) break;
        }
    }

    private static void gather(List<float[]> vectors, long a, long b, ByteBuffer out) {
        long base = 0;
        for (float[] v : vectors) {
            long lo = Math.max(a, base), hi = Math.min(b, base + v.length);
            for (long i = lo; i < hi; i++) out.putFloat(v[(int) (i - base)]);
            base += v.length;
            if (base >= b) break;
        }
    }

    private static void scatter(List<float[]> vectors, long a, long b, ByteBuffer in, boolean add) {
        long base = 0;
        for (float[] v : vectors) {
            long lo = Math.max(a, base), hi = Math.min(b, base + v.length);
            for (long i = lo; i < hi; i++) {
                float x = in.getFloat();
                int j = (int) (i - base);
                v[j] = add ? v[j] + x : x;
            }
            base += v.length;
            if (base >= b) break;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (selector != null) selector.close();
        } finally {
            try {
                if (next != null) next.close();
            } finally {
                if (prev != null) prev.close();
            }
        }
    }
}
