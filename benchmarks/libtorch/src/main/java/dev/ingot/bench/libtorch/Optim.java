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
    /** The optimizer as torch.optim names it (SGD, Adam, AdamW) and its hyper-parameters, for check_twins.py. */
    final String kind;
    final float lr;
    final float momentum;
    final float weightDecay;

    Optim(String kind, float lr, float momentum, float weightDecay) {
        this.kind = kind;
        this.lr = lr;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

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
        return new Optim("SGD", lr, momentum, 0f) {
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

    /** torch.optim.Adam's and AdamW's defaults (workloads.py uses them). */
    static final float BETA1 = 0.9f;
    static final float BETA2 = 0.999f;
    static final double EPS = 1e-8;

    /** torch.optim.Adam (adamw = false, wd must be 0) or AdamW (decoupled weight decay wd), betas and eps as there. */
    static Optim adam(float lr, float wd, boolean adamw) {
        return new Optim(adamw ? "AdamW" : "Adam", lr, 0f, wd) {
            int t;

            @Override
            void step(List<NDArray> params) {
                t++;
                // DJL's kernel: w -= corr * m / (sqrt(v) + eps'). torch.optim.Adam: w -= lr / bc1 * m / (sqrt(v) /
                // sqrt(bc2) + eps), the same with corr = lr * sqrt(bc2) / bc1 and eps' = eps * sqrt(bc2)
                double sqrtBc2 = Math.sqrt(1 - Math.pow(BETA2, t));
                float corr = (float) (lr * sqrtBc2 / (1 - Math.pow(BETA1, t)));
                float eps = (float) (EPS * sqrtBc2);
                for (int i = 0; i < params.size(); i++) {
                    NDArray p = params.get(i);
                    p.getNDArrayInternal().adamUpdate(new NDList(p, p.getGradient(), state1.get(i), state2.get(i)),
                            new NDList(p), lr, corr, wd, 1f, -1f, BETA1, BETA2, eps, false, adamw);
                }
            }
        };
    }
}
