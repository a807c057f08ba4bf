package dev.ingot.compiler.pass;

import dev.ingot.compiler.ir.Graph;
import dev.ingot.compiler.ir.Node;
import dev.ingot.compiler.ops.Ops;
import dev.ingot.runtime.model.TrainConfig;

/**
 * Gives the optimizer's scalar state of one of several training steps a name of its own:
 * {@code opt.step} and Adam's {@code opt.beta1_power} become {@code opt.STEP.step} and
 * {@code opt.STEP.beta1_power}, so a discriminator step and a generator step count their own
 * updates. Per-parameter state ({@code opt.PARAM.m}) is the step's already (each parameter belongs
 * to one step), and {@code opt.total_steps} and a plateau schedule's {@code opt.lr_scale}, set by the trainer
 * (which watches one held-out metric for the whole model), stay shared.
 */
public final class PrefixOptimizerState implements Pass {
    private final String step;

    public PrefixOptimizerState(String step) { this.step = step; }

    public String name() { return "prefix-optimizer-state"; }

    public Graph run(Graph g, PassContext cx) {
        java.util.List<String> params = g.leaves(Ops.PARAM).stream().map(p -> "opt." + p.attrs().s("name") + ".").toList();
        return dev.ingot.compiler.ir.Rewriter.rewrite(g, (b, old, ins) -> {
            if (old.op() != Ops.STATE) return null;
            String name = old.attrs().s("name");
            if (!name.startsWith("opt.") || name.equals(TrainConfig.TOTAL_STEPS) || name.equals(TrainConfig.LR_SCALE) || params.stream().anyMatch(name::startsWith)) return null;
            Node n = b.state("opt." + step + "." + name.substring(4), old.type(), old.attrs().d("initial"));
            return n;
        });
    }
}
