package dev.ingot.bench.libtorch;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/**
 * Runs one SGEMM (MKL) and one convolution (oneDNN) so that MKL_VERBOSE / ONEDNN_VERBOSE, set by run_djl.sh for
 * this process only, print the library versions and the instruction-set paths that libtorch really takes here.
 */
public final class Probe {
    private Probe() {
    }

    public static void main(String[] args) {
        System.setProperty("ai.djl.pytorch.num_threads", "1");
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        Engine engine = Engine.getEngine("PyTorch");
        try (NDManager m = engine.newBaseManager()) {
            NDArray a = m.randomUniform(0, 1, new Shape(256, 256));
            a.matMul(a).close();
            // the second convolution of the CNN workload
            NDArray x = m.randomUniform(0, 1, new Shape(64, 32, 26, 26));
            NDArray w = m.randomUniform(0, 1, new Shape(64, 32, 3, 3));
            Conv2d.conv2d(x, w).close();
        }
        System.out.println("libtorch " + engine.getVersion() + " (DJL " + Engine.getDjlVersion() + ")");
    }
}
