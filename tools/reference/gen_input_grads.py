"""Reference gradients of the loss with respect to the inputs (torch.autograd.grad) for the MNIST
MLP and CNN examples, for Ingot's `inputGradients` entry point and `grad(loss, pixels)` in the DSL.

Weights: the interop fixtures (tools/interop/fixtures/mnist_{mlp,cnn}.torch.safetensors, trained
100 steps, Ingot names and layouts); inputs: the 8 test images and labels of the matching -io files.
The twins (tools/twins/twins.py) run in eval mode (dropout off, as Ingot's inputGradients) and in
float64 from the exact float32 values; the loss is the mean softmax cross-entropy, as the examples'
`softmax_cross_entropy(logits, digit)`. Writes tools/reference/fixtures/input_grad_<model>.safetensors
with `pixels`, `digit`, `loss` (scalar) and `grad` (the input's shape), all F32 except I32 labels.

Run with /usr/bin/python3 (the interpreter that has torch):
    /usr/bin/python3 tools/reference/gen_input_grads.py
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
INTEROP = os.path.join(HERE, "..", "interop")
sys.path.insert(0, INTEROP)                       # stio
sys.path.insert(0, os.path.join(HERE, "..", "twins"))

import torch                      # noqa: E402
import torch.nn.functional as F   # noqa: E402

import stio                       # noqa: E402
import twins                      # noqa: E402


def main():
    out_dir = os.path.join(HERE, "fixtures")
    for key in ("mnist_mlp", "mnist_cnn"):
        weights, _ = stio.load(os.path.join(INTEROP, "fixtures", key + ".torch.safetensors"))
        io, _ = stio.load(os.path.join(INTEROP, "fixtures", key + ".torch-io.safetensors"))
        net = twins.example(key).twin()
        net.load_state_dict(twins.torch_state(net, weights), strict=True)
        net.eval()
        net.double()
        x = io["pixels"].double().requires_grad_(True)
        loss = F.cross_entropy(net(x), io["digit"].long())
        (g,) = torch.autograd.grad(loss, x)
        path = os.path.join(out_dir, "input_grad_" + key + ".safetensors")
        stio.save(path, {"pixels": io["pixels"], "digit": io["digit"], "loss": loss.detach().float(), "grad": g.float()},
                  {"model": key, "weights": "tools/interop/fixtures/" + key + ".torch.safetensors",
                   "by": "tools/reference/gen_input_grads.py, torch " + torch.__version__})
        print(f"{path}: loss {loss.item():.6f}, |grad|max {g.abs().max().item():.3e}")


if __name__ == "__main__":
    main()
