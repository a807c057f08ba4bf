package dev.ingot.bench.libtorch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.List;

/**
 * SGD with momentum, Adam and AdamW through DJL's native update kernels (one libtorch call per parameter: the
 * update runs in C++ with in-place tensor ops, as DJL's own optimizers do). The state tensors are made on the
 * first step, outside any NDScope.
 */
abstract class Optim {
    final List<NDArray> state1 = new ArrayList<>();
    final List<NDArray> state2 = new ArrayList<>();

    abstract void step(List<NDArray> params);

    void ensureState(List<NDArray> params, boolean two) {
        if (state1.isEmpty()) {
            for (NDArray p : params) {
                state1.add(p.getManager().zeros(p.getShape()));
                if (two) {
                    state2.add(p.getManager().zeros(p.getShape()));
                }
            }
        }
    }

    static Optim sgd(float lr, float momentum) {
        return new Optim() {
            @Override
            void step(List<NDArray> params) {
                for (int i = 0; i < params.size(); i++) {
                    NDArray p = params.get(i);
                    p.getNDArrayInternal().sgdUpdate(new NDList(p, p.getGradient(), state1.get(i)), new NDList(p),
                            lr, 0f, 1f, -1f, momentum, false);
                }
            }

            @Override
            void ensureState(List<NDArray> params, boolean two) {
                super.ensureState(params, false);
            }
        };
    }

    /** Adam (adamw = false, wd must be 0) or AdamW (decoupled weight decay wd). */
    static Optim adam(float lr, float wd, boolean adamw) {
        return new Optim() {
            int t;

            @Override
            void step(List<NDArray> params) {
                t++;
                float corr = (float) (lr * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t)));
                for (int i = 0; i < params.size(); i++) {
                    NDArray p = params.get(i);
                    p.getNDArrayInternal().adamUpdate(new NDList(p, p.getGradient(), state1.get(i), state2.get(i)),
                            new NDList(p), lr, corr, wd, 1f, -1f, 0.9f, 0.999f, 1e-8f, false, adamw);
                }
            }
        };
    }
}
