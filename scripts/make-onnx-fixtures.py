#!/usr/bin/python3
"""Writes the PyTorch ONNX fixtures of tests/data/onnx/torch/.

Run with Debian's Python (it has torch and onnx):

    /usr/bin/python3 scripts/make-onnx-fixtures.py [OUTDIR]

OUTDIR defaults to tests/data/onnx/torch next to this script.  For every
fixture it writes <name>.onnx (torch.onnx.export, opset 13, eval mode, a
fixed input shape) and, for the ones our reader must accept, <name>.json:
the same network hand-built in our JSON format (docs/formats.md) with every
number an exact rational string.  The weights are small dyadic rationals
(k/8), exact in float32, so the ONNX file and the JSON file describe
exactly the same network; where the reader composes consecutive affine maps
(consecutive-linear, normalised) the JSON holds the composition computed
here with fractions.Fraction.

Checks done here, before anything is written: every weight round-trips
through float32 unchanged, every ONNX initializer equals the Fraction it
was made from, and the torch model's output equals the exact evaluation of
the JSON network at a few dyadic points.
"""
import io
import math
import json
import os
import random
import sys
from fractions import Fraction as F

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn

OPSET = 13
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "tests", "data", "onnx",
                                                         "torch")
RNG = random.Random(20240613)


# ---- exact values --------------------------------------------------------

def dyadic():
    """A small dyadic rational k/8, |k| <= 26 (so 3.125 = 25/8 can occur)."""
    return F(RNG.randint(-26, 26), 8)


def mat(rows, cols):
    return [[dyadic() for _ in range(cols)] for _ in range(rows)]


def vec(n):
    return [dyadic() for _ in range(n)]


def tensor(x):
    """A float32 tensor from (nested lists of) Fractions, checked exact."""
    t = torch.tensor(np.array(x, dtype=np.float64), dtype=torch.float32)
    back = np.array(t.tolist(), dtype=np.float64).ravel()
    want = np.array(x, dtype=object).ravel()
    for a, b in zip(back, want):
        assert F(float(a)) == b, (a, b)
    return t


def set_linear(lin, W, b):
    """W: [out][in], like nn.Linear.weight."""
    with torch.no_grad():
        lin.weight.copy_(tensor(W))
        lin.bias.copy_(tensor(b))
    return lin


def matmul(A, B):
    return [[sum((A[i][k] * B[k][j] for k in range(len(B))), F(0)) for j in range(len(B[0]))]
            for i in range(len(A))]


def matvec(A, x):
    return [sum((a * b for a, b in zip(row, x)), F(0)) for row in A]


def transpose(A):
    return [list(r) for r in zip(*A)]


def q(x):
    """An exact rational as our JSON's string ("3", "-25/8")."""
    x = F(x)
    return str(x.numerator) if x.denominator == 1 else "%d/%d" % (x.numerator, x.denominator)


# ---- the JSON side -------------------------------------------------------

def layer(W, b, act, slope=None, k=None):
    L = {"act": act, "W": W, "b": b}
    if slope is not None:
        L["slope"] = slope
    if k is not None:
        L["k"] = k
    return L


def eval_json(net, x):
    """Exact evaluation of a network of layer() dicts (relu/leaky/linear)."""
    for L in net["layers"]:
        z = [s + c for s, c in zip(matvec(L["W"], x), L["b"])]
        if L["act"] == "relu":
            x = [max(v, F(0)) for v in z]
        elif L["act"] == "leaky":
            x = [v if v >= 0 else L["slope"] * v for v in z]
        elif L["act"] == "maxout":
            k = L["k"]
            x = [max(z[j * k:(j + 1) * k]) for j in range(len(z) // k)]
        else:
            x = z
    return x


def json_text(net):
    """Our JSON, exact rational strings, one layer row per line."""
    out = ['{"input_dim": %d,' % net["input_dim"], ' "layers": [']
    for li, L in enumerate(net["layers"]):
        parts = ['"act": "%s"' % L["act"]]
        if "slope" in L:
            parts.append('"slope": "%s"' % q(L["slope"]))
        if "k" in L:
            parts.append('"k": %d' % L["k"])
        rows = ",\n         ".join(json.dumps([q(v) for v in r]) for r in L["W"])
        parts.append('"W": [%s]' % rows)
        parts.append('"b": %s' % json.dumps([q(v) for v in L["b"]]))
        out.append("  {" + ",\n   ".join(parts) + "}" + ("," if li + 1 < len(net["layers"]) else ""))
    out.append(" ],")
    out.append(' "meta": {"source": "scripts/make-onnx-fixtures.py", "fixture": "%s"}'
               % net["name"])
    out.append("}")
    text = "\n".join(out) + "\n"
    json.loads(text)   # well formed
    return text


# ---- export and checks ---------------------------------------------------

written = []


def export(name, model, shape, net=None, points=(), tol=0):
    model.eval()
    buf = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(model, torch.zeros(*shape), buf, opset_version=OPSET,
                          input_names=["x"], output_names=["y"],
                          training=torch.onnx.TrainingMode.EVAL, do_constant_folding=True)
    data = buf.getvalue()
    m = onnx.load_from_string(data)
    onnx.checker.check_model(m)
    for init in m.graph.initializer:   # every stored weight is one of ours, exactly
        for v in onnx.numpy_helper.to_array(init).ravel().tolist():
            assert F(v).denominator & (F(v).denominator - 1) == 0, (name, init.name, v)
    ops = [n.op_type for n in m.graph.node]
    if net is not None:
        net["name"] = name
        for p in points:   # torch = exact JSON evaluation
            xt = torch.tensor([float(v) for v in p], dtype=torch.float32).reshape(*shape)
            with torch.no_grad():
                got = model(xt).reshape(-1).tolist()
            want = eval_json(net, p)
            assert len(got) == len(want) and all(
                F(g) == w if tol == 0 else abs(g - float(w)) <= tol * (1 + abs(float(w)))
                for g, w in zip(got, want)), (name, p, got, want)
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name + ".onnx")
    with open(path, "wb") as fp:
        fp.write(data)
    written.append((path, len(data), ops))
    if net is not None:
        text = json_text(net)
        jpath = os.path.join(OUT, name + ".json")
        with open(jpath, "w") as fp:
            fp.write(text)
        written.append((jpath, len(text), None))


def points(n, k=6):
    return [[F(RNG.randint(-16, 16), 4) for _ in range(n)] for _ in range(k)]


# a. linear-relu: Linear(3,4) + ReLU + Linear(4,2): Gemm (transB = 1)
W1, b1, W2, b2 = mat(4, 3), vec(4), mat(2, 4), vec(2)
model = nn.Sequential(set_linear(nn.Linear(3, 4), W1, b1), nn.ReLU(),
                      set_linear(nn.Linear(4, 2), W2, b2))
export("linear-relu", model, (1, 3),
       {"input_dim": 3, "layers": [layer(W1, b1, "relu"), layer(W2, b2, "linear")]}, points(3))


# b. matmul-add: relu(x @ W + b) @ W2 + b2, W [in x out] as parameters
class MatMulAdd(nn.Module):
    def __init__(self, W, b, W2, b2):
        super().__init__()
        self.W, self.b = nn.Parameter(tensor(W)), nn.Parameter(tensor(b))
        self.W2, self.b2 = nn.Parameter(tensor(W2)), nn.Parameter(tensor(b2))

    def forward(self, x):
        return torch.relu(x @ self.W + self.b) @ self.W2 + self.b2


W1, b1, W2, b2 = mat(3, 4), vec(4), mat(4, 2), vec(2)   # [in x out]
export("matmul-add", MatMulAdd(W1, b1, W2, b2), (1, 3),
       {"input_dim": 3, "layers": [layer(transpose(W1), b1, "relu"),
                                   layer(transpose(W2), b2, "linear")]}, points(3))

# c. leaky: LeakyReLU(0.125) between two Linears
W1, b1, W2, b2 = mat(3, 3), vec(3), mat(2, 3), vec(2)
model = nn.Sequential(set_linear(nn.Linear(3, 3), W1, b1), nn.LeakyReLU(negative_slope=0.125),
                      set_linear(nn.Linear(3, 2), W2, b2))
export("leaky", model, (1, 3),
       {"input_dim": 3, "layers": [layer(W1, b1, "leaky", F(1, 8)), layer(W2, b2, "linear")]},
       points(3))

# d. prelu: PReLU(1, init=0.25) between two Linears
W1, b1, W2, b2 = mat(3, 2), vec(3), mat(1, 3), vec(1)
model = nn.Sequential(set_linear(nn.Linear(2, 3), W1, b1), nn.PReLU(num_parameters=1, init=0.25),
                      set_linear(nn.Linear(3, 1), W2, b2))
export("prelu", model, (1, 2),
       {"input_dim": 2, "layers": [layer(W1, b1, "leaky", F(1, 4)), layer(W2, b2, "linear")]},
       points(2))

# e. flatten-dropout-identity: [1,1,2,2] -> Flatten -> Dropout (eval) -> Identity -> ...
W1, b1, W2, b2 = mat(3, 4), vec(3), mat(1, 3), vec(1)
model = nn.Sequential(nn.Flatten(), nn.Dropout(0.5), nn.Identity(),
                      set_linear(nn.Linear(4, 3), W1, b1), nn.ReLU(),
                      set_linear(nn.Linear(3, 1), W2, b2))
export("flatten-dropout-identity", model, (1, 1, 2, 2),
       {"input_dim": 4, "layers": [layer(W1, b1, "relu"), layer(W2, b2, "linear")]}, points(4))

# f. consecutive-linear: Linear(2,3) -> Linear(3,3) -> ReLU -> Linear(3,1); the
# first two compose: W = Wb Wa, b = Wb ba + bb
Wa, ba, Wb, bb, W2, b2 = mat(3, 2), vec(3), mat(3, 3), vec(3), mat(1, 3), vec(1)
model = nn.Sequential(set_linear(nn.Linear(2, 3), Wa, ba), set_linear(nn.Linear(3, 3), Wb, bb),
                      nn.ReLU(), set_linear(nn.Linear(3, 1), W2, b2))
Wc = matmul(Wb, Wa)
bc = [s + c for s, c in zip(matvec(Wb, ba), bb)]
export("consecutive-linear", model, (1, 2),
       {"input_dim": 2, "layers": [layer(Wc, bc, "relu"), layer(W2, b2, "linear")]}, points(2))


# g. normalised: (x - mean) / std (buffers; std powers of two), then
# Linear + ReLU + Linear; composed: W' = W diag(1/std), b' = b - W' mean
class Normalised(nn.Module):
    def __init__(self, mean, std, W1, b1, W2, b2):
        super().__init__()
        self.register_buffer("mean", tensor(mean))
        self.register_buffer("std", tensor(std))
        self.l1 = set_linear(nn.Linear(3, 4), W1, b1)
        self.l2 = set_linear(nn.Linear(4, 2), W2, b2)

    def forward(self, x):
        return self.l2(torch.relu(self.l1((x - self.mean) / self.std)))


mean, std = [F(1, 2), F(-3, 4), F(25, 8)], [F(2), F(1, 4), F(8)]
W1, b1, W2, b2 = mat(4, 3), vec(4), mat(2, 4), vec(2)
Wn = [[w / s for w, s in zip(row, std)] for row in W1]
bn = [c - sum((w * m for w, m in zip(row, mean)), F(0)) for row, c in zip(Wn, b1)]
export("normalised", Normalised(mean, std, W1, b1, W2, b2), (1, 3),
       {"input_dim": 3, "layers": [layer(Wn, bn, "relu"), layer(W2, b2, "linear")]}, points(3))


# h. maxout as PyTorch writes it: an elementwise max of two affine branches
# (Gemm Gemm Max), read as one rank-2 maxout layer whose unit j takes rows j
# of both branches (rows 2j and 2j+1).  The weights are drawn in the order
# the modules were first made, so the other fixtures do not change.
class MaxoutMax(nn.Module):
    def __init__(self, Wa, ba, Wb, bb, Wo, bo):
        super().__init__()
        self.l1 = set_linear(nn.Linear(2, 3), Wa, ba)
        self.l2 = set_linear(nn.Linear(2, 3), Wb, bb)
        self.out = set_linear(nn.Linear(3, 1), Wo, bo)

    def forward(self, x):
        return self.out(torch.maximum(self.l1(x), self.l2(x)))


Wa, ba = mat(3, 2), vec(3)
Wb, bb = mat(3, 2), vec(3)
Wo, bo = mat(1, 3), vec(1)
Wm = [row for j in range(3) for row in (Wa[j], Wb[j])]
bm = [c for j in range(3) for c in (ba[j], bb[j])]
export("maxout-max", MaxoutMax(Wa, ba, Wb, bb, Wo, bo), (1, 2),
       {"input_dim": 2, "layers": [layer(Wm, bm, "maxout", k=2), layer(Wo, bo, "linear")]},
       points(2))

# i. a batch normalisation (eval mode), folded by the reader into the layer
# before it: gamma / sqrt(var + eps) is irrational, so the reader takes it
# in double (eps the float32 attribute, as here) and the rest exactly; the
# JSON twin does the same double operations, and torch (float32) agrees to
# float rounding.
rm, bb = vec(3), vec(3)
var, gam = [F(1, 4), F(1), F(4)], [F(1, 2), F(3, 2), F(-1)]
bn = nn.BatchNorm1d(3)
with torch.no_grad():
    bn.running_mean.copy_(tensor(rm))
    bn.running_var.copy_(tensor(var))
    bn.weight.copy_(tensor(gam))
    bn.bias.copy_(tensor(bb))
Wl, bl, Wo, bo = mat(3, 2), vec(3), mat(1, 3), vec(1)
model = nn.Sequential(set_linear(nn.Linear(2, 3), Wl, bl), bn, nn.ReLU(),
                      set_linear(nn.Linear(3, 1), Wo, bo))
eps32 = float(np.float32(bn.eps))
sc = [F(float(g) / math.sqrt(float(v) + eps32)) for g, v in zip(gam, var)]
Wf = [[w * sc[j] for w in Wl[j]] for j in range(3)]
bf = [(bl[j] - rm[j]) * sc[j] + bb[j] for j in range(3)]
export("batchnorm", model, (1, 2),
       {"input_dim": 2, "layers": [layer(Wf, bf, "relu"), layer(Wo, bo, "linear")]},
       points(2), tol=1e-5)

# j. maxout as a reshape and a reduction (the other way PyTorch writes it):
# amax over groups of consecutive rows (Reshape [-1, 3, 2], ReduceMax axis 2:
# unit j = max(rows 2j, 2j+1)), over strided rows (Reshape [-1, 2, 3],
# ReduceMax axis 1: unit j = max(rows j, 3+j)), and max_pool1d (Unsqueeze,
# MaxPool kernel 2, Squeeze).  Drawn after every other fixture, so those
# do not change.
class MaxoutReduce(nn.Module):
    def __init__(self, W, b, Wo, bo, mode):
        super().__init__()
        self.l1 = set_linear(nn.Linear(2, 6), W, b)
        self.out = set_linear(nn.Linear(3, 1), Wo, bo)
        self.mode = mode

    def forward(self, x):
        h = self.l1(x)
        if self.mode == "reducemax":
            h = torch.amax(h.reshape(-1, 3, 2), dim=2)
        elif self.mode == "reducemax-axis1":
            h = torch.amax(h.reshape(-1, 2, 3), dim=1)
        else:
            h = nn.functional.max_pool1d(h.unsqueeze(1), 2).squeeze(1)
        return self.out(h)


for mode, order in (("reducemax", [0, 1, 2, 3, 4, 5]), ("reducemax-axis1", [0, 3, 1, 4, 2, 5]),
                    ("maxpool", [0, 1, 2, 3, 4, 5])):
    W, b, Wo, bo = mat(6, 2), vec(6), mat(1, 3), vec(1)
    export("maxout-" + mode, MaxoutReduce(W, b, Wo, bo, mode), (1, 2),
           {"input_dim": 2, "layers": [layer([W[r] for r in order], [b[r] for r in order],
                                             "maxout", k=2), layer(Wo, bo, "linear")]},
           points(2))


# k. convolutions and max pooling (a CNN layer is a maxout layer once
# unrolled).  The twin is built without our reader's logic: the unrolled
# convolution comes from probing the torch module with the zero input and
# the unit vectors (float64, exact for these dyadic weights), and each
# pooling window of each channel is a maxout unit whose members are the
# window's entries in kernel order, entries in the padding dropped and the
# first entry repeated to the full rank, then the zero member that ReLU
# adds (relu(max z) = max(0, z)).  The torch check at dyadic points then
# confirms the twin is the network.  Drawn after every other fixture.
def conv_maps(conv, shape):
    """The unrolled affine map of conv on inputs of shape (C, D...):
    rows [out][in], offsets [out], and the output shape."""
    n = math.prod(shape)
    with torch.no_grad():
        c64 = conv.double()
        base = c64(torch.zeros(1, *shape, dtype=torch.float64))
        oshape = tuple(base.shape[1:])
        cols = []
        for i in range(n):
            e = torch.zeros(n, dtype=torch.float64)
            e[i] = 1
            cols.append([F(v) - F(b) for v, b in zip(c64(e.reshape(1, *shape)).reshape(-1).tolist(),
                                                      base.reshape(-1).tolist())])
        conv.float()
    rows = [[cols[i][r] for i in range(n)] for r in range(len(cols[0]))]
    return rows, [F(v) for v in base.reshape(-1).tolist()], oshape


def pool_units(oshape, kernel, stride, pad, dil, ceil_mode):
    """For a max pooling over the spatial axes of a tensor of shape (C, D...):
    the member lists (flat indices) of its units, and the output shape."""
    C, D = oshape[0], list(oshape[1:])
    O = []
    for d in range(len(D)):
        num = D[d] + 2 * pad[d] - dil[d] * (kernel[d] - 1) - 1
        o = (-(-num // stride[d]) if ceil_mode else num // stride[d]) + 1
        if ceil_mode and (o - 1) * stride[d] >= D[d] + pad[d]:
            o -= 1
        O.append(o)
    units = []
    import itertools
    for c in range(C):
        for o in itertools.product(*[range(v) for v in O]):
            mem = []
            for k in itertools.product(*[range(v) for v in kernel]):
                i = [o[d] * stride[d] - pad[d] + k[d] * dil[d] for d in range(len(D))]
                if all(0 <= i[d] < D[d] for d in range(len(D))):
                    flat = c
                    for d in range(len(D)):
                        flat = flat * D[d] + i[d]
                    mem.append(flat)
            mem += [mem[0]] * (math.prod(kernel) - len(mem))
            units.append(mem)
    return units, (C, *O)


def conv_pool_layer(rows, offs, units, n):
    W, b = [], []
    for mem in units:
        for r in mem:
            W.append(rows[r])
            b.append(offs[r])
        W.append([F(0)] * n)
        b.append(F(0))
    return layer(W, b, "maxout", k=len(units[0]) + 1)


def dyadic_conv(conv):
    with torch.no_grad():
        conv.weight.copy_(tensor(np.array([float(dyadic()) for _ in range(conv.weight.numel())])
                                 .reshape(conv.weight.shape).tolist()))
        conv.bias.copy_(tensor([dyadic() for _ in range(conv.bias.numel())]))
    return conv


def conv_fixture(name, conv, shape, pool, relu_first, pool_args):
    rows, offs, oshape = conv_maps(conv, shape)
    units, pshape = pool_units(oshape, *pool_args)
    n, width = math.prod(shape), len(units)
    Wo, bo = mat(2, width), vec(2)
    act = [nn.ReLU(), pool] if relu_first else [pool, nn.ReLU()]
    model = nn.Sequential(conv, *act, nn.Flatten(), set_linear(nn.Linear(width, 2), Wo, bo))
    pts = [[F(RNG.randint(-16, 16), 4) for _ in range(n)] for _ in range(6)]
    export(name, model, (1, *shape),
           {"input_dim": n, "layers": [conv_pool_layer(rows, offs, units, n),
                                       layer(Wo, bo, "linear")]}, pts)


# Conv2d, ReLU, overlapping MaxPool2d (stride 1): 1x4x4 -> 2x3x3 -> 2x2x2
conv_fixture("conv-relu-maxpool", dyadic_conv(nn.Conv2d(1, 2, 2)), (1, 4, 4),
             nn.MaxPool2d(2, stride=1), True, ((2, 2), (1, 1), (0, 0), (1, 1), False))
# grouped, strided, padded Conv2d, then a padded ceil_mode MaxPool2d (its
# border windows clipped), then ReLU: 2x5x5 -> 4x3x3 -> 4x2x2
conv_fixture("conv-maxpool-relu-padded",
             dyadic_conv(nn.Conv2d(2, 4, 3, stride=2, padding=1, groups=2)), (2, 5, 5),
             nn.MaxPool2d(2, stride=2, padding=1, ceil_mode=True), False,
             ((2, 2), (2, 2), (1, 1), (1, 1), True))
# dilated Conv1d, ReLU, strided MaxPool1d: 1x7 -> 2x5 -> 2x2
conv_fixture("conv1d-dilated", dyadic_conv(nn.Conv1d(1, 2, 2, dilation=2)), (1, 7),
             nn.MaxPool1d(3, stride=2), True, ((3,), (2,), (0,), (1,), False))

# two convolutions: Conv2d, ReLU (a ReLU layer: nothing pools it), Conv2d,
# ReLU, MaxPool2d(2): 1x5x5 -> 2x4x4 -> 2x3x3 -> 2x1x1.  The second
# convolution reads the first layer's output in its [2, 4, 4] shape.
c1, c2 = dyadic_conv(nn.Conv2d(1, 2, 2)), dyadic_conv(nn.Conv2d(2, 2, 2))
rows1, offs1, sh1 = conv_maps(c1, (1, 5, 5))
rows2, offs2, sh2 = conv_maps(c2, sh1)
units2, psh2 = pool_units(sh2, (2, 2), (2, 2), (0, 0), (1, 1), False)
Wo, bo = mat(2, len(units2)), vec(2)
model = nn.Sequential(c1, nn.ReLU(), c2, nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                      set_linear(nn.Linear(len(units2), 2), Wo, bo))
export("conv-relu-conv", model, (1, 1, 5, 5),
       {"input_dim": 25, "layers": [layer(rows1, offs1, "relu"),
                                    conv_pool_layer(rows2, offs2, units2, len(rows2[0])),
                                    layer(Wo, bo, "linear")]},
       [[F(RNG.randint(-16, 16), 4) for _ in range(25)] for _ in range(6)])

# l. the real Convnet_maxpool.onnx (VNN-COMP 2021, tests/data/onnx): its
# outputs at three fixed inputs, computed by torch in float64 from the
# file's float32 weights (conv2d, relu, max_pool2d 4 x 4, linear), a second
# implementation for the reader's unrolled rank-17 maxout network to meet.
def convnet_values():
    src = os.path.join(HERE, "..", "tests", "data", "onnx", "Convnet_maxpool.onnx")
    m = onnx.load(src)
    w = {i.name: torch.tensor(onnx.numpy_helper.to_array(i), dtype=torch.float64)
         for i in m.graph.initializer}
    ops = [n.op_type for n in m.graph.node]
    assert ops == ["Conv", "Relu", "MaxPool", "Flatten", "Gemm"], ops
    rng = random.Random(784)
    lines = ["# Convnet_maxpool.onnx evaluated by torch %s in float64 from its float32 weights"
             % torch.__version__,
             "# (scripts/make-onnx-fixtures.py).  Per sample: 'x' and 784 integers k, the",
             "# pixels k/256 row-major; then 'y' and the 10 outputs (%.17g)."]
    for _ in range(3):
        ks = [rng.randint(0, 256) for _ in range(784)]
        x = torch.tensor([k / 256 for k in ks], dtype=torch.float64).reshape(1, 1, 28, 28)
        with torch.no_grad():
            h = torch.nn.functional.conv2d(x, w["conv1.0.weight"], w["conv1.0.bias"])
            h = torch.nn.functional.max_pool2d(torch.relu(h), 4, 4)
            y = torch.nn.functional.linear(h.flatten(1), w["out.weight"], w["out.bias"])
        lines.append("x " + " ".join(map(str, ks)))
        lines.append("y " + " ".join("%.17g" % v for v in y.reshape(-1).tolist()))
    path = os.path.join(OUT, "convnet-maxpool-values.txt")
    with open(path, "w") as fp:
        fp.write("\n".join(lines) + "\n")
    written.append((path, os.path.getsize(path), None))


convnet_values()

print("torch %s, onnx %s, opset %d" % (torch.__version__, onnx.__version__, OPSET))
for path, size, ops in written:
    print("wrote %s (%d bytes)%s" % (os.path.relpath(path), size,
                                     "" if ops is None else ": " + " ".join(ops)))
