#!/usr/bin/python3
"""Optional check (suite slow; registered when Debian's python3 has torch and
onnx): random small CNNs read from ONNX equal PyTorch exactly (TAP).

Each model is drawn from a fixed seed: one or two blocks of Conv (1 to 3
spatial axes, kernel, stride, zero padding, dilation, groups) followed by
ReLU, LeakyReLU(1/8) or nothing, and optionally a MaxPool (kernel, stride,
padding, ceil_mode) with the ReLU before or after it; then Flatten and a
Linear layer.  Weights are dyadic k/8 and inputs k/16, so torch's float64
forward pass is exact, and `trop-convert --to json`'s network, evaluated
here with fractions, must equal it exactly at every point.  A model torch
cannot build (an output size below 1) is drawn again; one our reader
refuses is a failure.

Usage: cnn-torch-check.py BUILDDIR [MODELS]
"""
import io
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import warnings
from fractions import Fraction as F

from netjson import evaluate

import torch
import torch.nn as nn

warnings.filterwarnings("ignore")
BUILD = sys.argv[1]
MODELS = int(sys.argv[2]) if len(sys.argv) > 2 else 40
RNG = random.Random(2026)
GEN = torch.Generator().manual_seed(2026)
CONV = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}
POOL = {1: nn.MaxPool1d, 2: nn.MaxPool2d, 3: nn.MaxPool3d}


def draw():
    """A random CNN and its input shape (batch 1)."""
    d = RNG.choice([1, 1, 2, 2, 3])
    side = {1: 9, 2: 6, 3: 4}[d]
    chans = RNG.choice([1, 2])
    shape = (1, chans) + (side,) * d
    layers, c = [], chans
    for _ in range(RNG.choice([1, 1, 2])):
        groups = RNG.choice([1, c]) if c > 1 else 1
        out = groups * RNG.choice([1, 2])
        k = RNG.choice([1, 2, 3])
        layers.append(CONV[d](c, out, k, stride=RNG.choice([1, 1, 2]),
                              padding=RNG.choice([0, 0, 1, 2]), dilation=RNG.choice([1, 1, 2]),
                              groups=groups))
        c = out
        act = RNG.choice(["relu", "relu", "leaky", "none"])
        pool = None
        if RNG.random() < 0.7:
            pk = RNG.choice([2, 3])
            pool = POOL[d](pk, stride=RNG.choice([1, pk]), padding=RNG.choice([0, 0, 1]),
                           ceil_mode=RNG.random() < 0.3)
        after = RNG.random() < 0.5
        a = nn.ReLU() if act == "relu" else nn.LeakyReLU(0.125) if act == "leaky" else None
        for m in ([pool, a] if after else [a, pool]):
            if m is not None:
                layers.append(m)
    model = nn.Sequential(*layers, nn.Flatten())
    with torch.no_grad():
        width = model(torch.zeros(*shape)).shape[1]
    model = nn.Sequential(*layers, nn.Flatten(), nn.Linear(width, 2))
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randint(-12, 13, p.shape, generator=GEN).double() / 8)
    return model.eval(), shape


def main():
    print("1..%d" % MODELS)
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(1, MODELS + 1):
            while True:
                try:
                    model, shape = draw()
                    buf = io.BytesIO()
                    torch.onnx.export(model.float(), torch.zeros(*shape), buf,
                                      opset_version=13)
                    break
                except RuntimeError:   # an output size below 1: draw again
                    continue
            onnx_path, json_path = os.path.join(tmp, "m.onnx"), os.path.join(tmp, "m.json")
            with open(onnx_path, "wb") as fp:
                fp.write(buf.getvalue())
            r = subprocess.run([os.path.join(BUILD, "tools", "trop-convert"), onnx_path, "-o",
                                json_path, "--to", "json", "-q"], capture_output=True, text=True)
            desc = " ".join(type(m).__name__ for m in model)
            if r.returncode != 0:
                bad += 1
                print("not ok %d - %s %s: refused: %s" % (i, shape, desc, r.stderr.strip()))
                continue
            with open(json_path) as fp:
                net = json.load(fp)
            model = model.double()
            wrong = None
            for _ in range(5):
                x = [F(RNG.randint(-32, 32), 16) for _ in range(math.prod(shape))]
                with torch.no_grad():
                    want = model(torch.tensor([float(v) for v in x],
                                              dtype=torch.float64).reshape(shape))
                want = [F(v) for v in want.reshape(-1).tolist()]
                if evaluate(net, x) != want:
                    wrong = x
                    break
            if wrong is None:
                print("ok %d - %s %s: exact at 5 points (%s)" % (
                    i, shape, desc, " ".join("%s%s" % (L["act"], "/%d" % L["k"] if "k" in L
                                                       else "") for L in net["layers"])))
            else:
                bad += 1
                print("not ok %d - %s %s: differs from torch" % (i, shape, desc))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
