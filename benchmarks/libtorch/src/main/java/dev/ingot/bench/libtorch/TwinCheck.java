package dev.ingot.bench.libtorch;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Writes, per workload, what check_twins.py needs to compare a DJL workload with its PyTorch twin
 * (tools/twins/twins.py) on the same weights: OUTDIR/WORKLOAD.npz with {@code param/NAME} (every parameter under the
 * twin's state_dict name), {@code input/I}, {@code target}, {@code output/I} (every output of predict, dropout off),
 * {@code loss} and {@code grad/NAME} (the training loss and its gradients with dropout off, after the workload's
 * gradient clipping), {@code grad_norm} (the global norm before clipping), {@code updated/NAME} (the parameters after
 * one optimizer step from those gradients), and the workload's {@code batch}, {@code hyper} (clip, lr, momentum,
 * weight decay) and {@code optimizer} (torch.optim's class name, ASCII bytes). Batch 3.
 *
 * <pre>
 *   run_djl.sh --twin-check OUTDIR [WORKLOAD...]      (all nine by default; see check_twins.sh)
 * </pre>
 */
public final class TwinCheck {
    private TwinCheck() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: run_djl.sh --twin-check OUTDIR [WORKLOAD...]");
            System.exit(2);
        }
        Path dir = Files.createDirectories(Path.of(args[0]));
        List<String> names = args.length > 1 ? Arrays.asList(args).subList(1, args.length)
                : Arrays.asList(Workloads.NAMES);
        Engine engine = Engine.getEngine("PyTorch");
        for (String name : names) {
            try (NDManager pm = engine.newBaseManager()) {
                Workloads.Net net = Workloads.create(name, pm);
                Workloads.Batch b = net.data(pm, 3, 1)[0];
                NDList out = new NDList();
                for (int i = 0; i < b.inputs().size(); i++) {
                    out.add(named(b.inputs().get(i).duplicate(), "input/" + i));   // copies: ae's target is its input
                }
                out.add(named(b.target().duplicate(), "target"));
                NDList ys = net.predict(b.inputs());
                for (int i = 0; i < ys.size(); i++) {
                    out.add(named(ys.get(i), "output/" + i));
                }
                try (GradientCollector gc = engine.newGradientCollector()) {
                    NDArray loss = net.loss(net.forward(b.inputs(), false), b.target());
                    gc.backward(loss);
                    out.add(named(loss.duplicate(), "loss"));
                }
                NDArray[] grads = new NDArray[net.params.size()];
                for (int i = 0; i < grads.length; i++) {
                    grads[i] = net.params.get(i).getGradient();
                }
                out.add(named(net.gradNorm(grads), "grad_norm"));
                net.clipGradients();
                for (int i = 0; i < grads.length; i++) {
                    String n = net.names.get(i);
                    out.add(named(net.params.get(i).duplicate(), "param/" + n));
                    out.add(named(net.params.get(i).getGradient().duplicate(), "grad/" + n));
                }
                net.optim.ensureState(net.params, true);
                net.optim.step(net.params);                     // one update from these gradients
                for (int i = 0; i < grads.length; i++) {
                    out.add(named(net.params.get(i).duplicate(), "updated/" + net.names.get(i)));
                }
                Optim o = net.optim;
                out.add(named(pm.create(new long[] {net.batch}), "batch"));
                out.add(named(pm.create(new float[] {net.clip, o.lr, o.momentum, o.weightDecay}), "hyper"));
                out.add(named(pm.create(o.kind.getBytes(StandardCharsets.US_ASCII)), "optimizer"));
                Path file = dir.resolve(name + ".npz");
                try (OutputStream os = Files.newOutputStream(file)) {
                    out.encode(os, NDList.Encoding.NPZ);
                }
                System.out.printf("%-12s %3d parameters, %d outputs -> %s%n", name, net.params.size(), ys.size(), file);
            }
        }
    }

    private static NDArray named(NDArray a, String name) {
        a.setName(name);
        return a;
    }
}
