"""Writes dcgan/ref/testdata/layers.safetensors: PyTorch's results for every CPU reference
op, which dcgan/ref's parity tests compare against.

Run from anywhere with Debian's torch:  /usr/bin/python3 tools/torch_fixtures.py

For each case it stores the inputs, the weights, an upstream gradient dy, and what PyTorch
computes from them: the output y and the gradients (dx, dw, ...). Names are
"<case>.<tensor>". Everything is seeded and small, so the file stays under 200 KB and
regenerating it gives the same bytes on the same torch version.
"""

import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dcgan", "ref",
                   "testdata", "layers.safetensors")


def grads(y, dy, *leaves):
    """Backpropagates dy from y and returns the gradients of leaves."""
    return torch.autograd.grad(y, leaves, dy)


def conv_case(out, name, n, cin, cout, side, k, s, p, transposed):
    """A Conv2d or ConvTranspose2d without bias: x, w, dy -> y, dx, dw."""
    cls = nn.ConvTranspose2d if transposed else nn.Conv2d
    m = cls(cin, cout, k, stride=s, padding=p, bias=False)
    x = torch.randn(n, cin, side, side, requires_grad=True)
    y = m(x)
    dy = torch.randn_like(y)
    dx, dw = grads(y, dy, x, m.weight)
    out.update({f"{name}.x": x, f"{name}.w": m.weight, f"{name}.dy": dy, f"{name}.y": y,
                f"{name}.dx": dx, f"{name}.dw": dw})


def batchnorm_cases(out):
    """BatchNorm2d in training (batch statistics, running update) and in eval."""
    bn = nn.BatchNorm2d(3)
    with torch.no_grad():
        bn.weight.copy_(1 + 0.3 * torch.randn(3))
        bn.bias.copy_(0.2 * torch.randn(3))
        bn.running_mean.copy_(torch.randn(3))
        bn.running_var.copy_(0.5 + torch.rand(3))
    init = {"gamma": bn.weight, "beta": bn.bias,
            "running_mean0": bn.running_mean, "running_var0": bn.running_var}
    out.update({f"bn_train.{k}": v.detach().clone() for k, v in init.items()})
    x = (2 * torch.randn(4, 3, 5, 5) + 0.5).requires_grad_()
    y = bn.train()(x)
    dy = torch.randn_like(y)
    dx, dgamma, dbeta = grads(y, dy, x, bn.weight, bn.bias)
    out.update({"bn_train.x": x, "bn_train.dy": dy, "bn_train.y": y, "bn_train.dx": dx,
                "bn_train.dgamma": dgamma, "bn_train.dbeta": dbeta,
                "bn_train.running_mean": bn.running_mean,
                "bn_train.running_var": bn.running_var})

    # Eval with the running statistics the training step left.
    xe = torch.randn(2, 3, 5, 5)
    with torch.no_grad():
        ye = bn.eval()(xe)
    out.update({"bn_eval.x": xe, "bn_eval.y": ye})


def activation_cases(out):
    """ReLU, LeakyReLU(0.2) and Tanh: x, dy -> y, dx."""
    for name, f in [("relu", torch.relu), ("leaky_relu", lambda t: F.leaky_relu(t, 0.2)),
                    ("tanh", torch.tanh)]:
        x = (2 * torch.randn(3, 4, 5)).requires_grad_()
        y = f(x)
        dy = torch.randn_like(y)
        (dx,) = grads(y, dy, x)
        out.update({f"{name}.x": x, f"{name}.dy": dy, f"{name}.y": y, f"{name}.dx": dx})


def bce_cases(out):
    """BCEWithLogitsLoss (mean) of logits against all-ones and all-zeros targets."""
    x = torch.cat([4 * torch.randn(14), torch.tensor([30.0, -30.0])]).requires_grad_()
    out["bce.x"] = x
    for t in (0, 1):
        loss = F.binary_cross_entropy_with_logits(x, torch.full_like(x, float(t)))
        (dx,) = torch.autograd.grad(loss, x)
        out[f"bce.loss{t}"] = loss.double()
        out[f"bce.dx{t}"] = dx


def adam_case(out):
    """Three torch.optim.Adam steps at the DCGAN's settings on a weight-sized vector."""
    p = nn.Parameter(0.02 * torch.randn(64))
    out["adam.p0"] = p.detach().clone()
    opt = torch.optim.Adam([p], lr=2e-4, betas=(0.5, 0.999))
    g = torch.randn(3, 64) * torch.logspace(-4, 1, 64)  # gradients over five decades
    for i in range(3):
        p.grad = g[i].clone()
        opt.step()
        out[f"adam.p{i + 1}"] = p.detach().clone()
    state = opt.state[p]
    out.update({"adam.g": g, "adam.m": state["exp_avg"], "adam.v": state["exp_avg_sq"]})


def main():
    torch.manual_seed(20240601)
    torch.set_num_threads(1)
    out = {}
    conv_case(out, "conv_s2", 2, 3, 4, 8, 4, 2, 1, False)
    conv_case(out, "conv_1x1", 3, 8, 1, 4, 4, 1, 0, False)
    conv_case(out, "convt_1x1", 3, 10, 6, 1, 4, 1, 0, True)
    conv_case(out, "convt_s2", 2, 6, 3, 4, 4, 2, 1, True)
    batchnorm_cases(out)
    activation_cases(out)
    bce_cases(out)
    adam_case(out)
    st.save(os.path.normpath(OUT), out,
            {"generator": "tools/torch_fixtures.py", "torch": torch.__version__})
    print(f"wrote {os.path.normpath(OUT)}: {len(out)} tensors, "
          f"{os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
