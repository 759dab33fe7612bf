#!/usr/bin/env python3
"""Checks tropicalize --format oscar without Julia (TAP).

There is no Julia or OSCAR in Debian 12, so this checks the mathematics of
the export, not OSCAR's reading of it: for each network it runs
`tropicalize NET --format oscar`, reads back D and every term
(c, e) of every P[k] and Q[k] from the script, and evaluates
P[k](x / D) - Q[k](x / D) = max_t (c_t + <e_t, x> / D) - max_t (...) with
Python fractions at random rational points; the result must equal the
network's output there, computed exactly here from `trop-convert NET --to
json` (an evaluation independent of ours).  It also checks that every
exponent is a nonnegative integer (OSCAR's rings need them) and that the
script declares one ring variable per input.

Usage: oscar-check.py BUILDDIR DATADIR
"""
import json
import os
import random
import re
import subprocess
import sys
import tempfile
from fractions import Fraction as F

from netjson import evaluate

BUILD, DATA = sys.argv[1], sys.argv[2]
NETS = ["nnet/fc_2-2-3.nnet",                           # ReLU, integer exponents
        "onnx/torch/maxout-max.onnx",                   # maxout, D = 64
        "15-leaky-slope-edge-cases/net_slope_2.json",   # leaky slope 2, one input
        "onnx/torch/conv1d-dilated.onnx"]               # 7 inputs, maxout rank 4
TERM = re.compile(r'\((?:big")?(-?\d+)"?//(?:big")?(\d+)"?, \[([0-9, -]*)\]\)')


def run(*args):
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def network(path, tmp):
    out = os.path.join(tmp, "net.json")
    run(os.path.join(BUILD, "tools", "trop-convert"), path, "-o", out, "--to", "json")
    with open(out) as fp:
        return json.load(fp)


def parse(text, n):
    """D, P, Q (lists of term lists) from the script."""
    assert "using Oscar" in text and "tropical_semiring(max)" in text
    ring = re.search(r"polynomial_ring\(T, \[([^\]]*)\]\)", text).group(1)
    assert ring == ", ".join(":u%d" % i for i in range(n)), ring
    D = int(re.search(r'^D = (?:big")?(\d+)"?$', text, re.M).group(1))
    polys = {}
    for name in "PQ":
        body = re.search(r"^%s = \[\n(.*?)^\]$" % name, text, re.M | re.S).group(1)
        polys[name] = []
        for chunk in body.split("_trop_poly(")[1:]:
            terms = []
            for num, den, exps in TERM.findall(chunk):
                e = [int(v) for v in exps.split(",")]
                assert len(e) == n and all(v >= 0 for v in e), e
                terms.append((F(int(num), int(den)), e))
            assert terms
            polys[name].append(terms)
    return D, polys["P"], polys["Q"]


def tmax(terms, x, D):
    return max(c + sum((F(ei) * xi for ei, xi in zip(e, x)), F(0)) / D for c, e in terms)


def main():
    rng = random.Random(5)
    print("1..%d" % len(NETS))
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, name in enumerate(NETS, 1):
            path = os.path.join(DATA, name)
            net = network(path, tmp)
            n = net["input_dim"]
            out = os.path.join(tmp, "f.jl")
            run(os.path.join(BUILD, "tools", "tropicalize"), path, "--format", "oscar", "-o", out)
            with open(out) as fp:
                D, P, Q = parse(fp.read(), n)
            worst = None
            for _ in range(30):
                x = [F(rng.randint(-40, 40), rng.randint(1, 9)) for _ in range(n)]
                want = evaluate(net, x)
                got = [tmax(p, x, D) - tmax(q, x, D) for p, q in zip(P, Q)]
                if got != want:
                    worst = (x, got, want)
                    break
            if worst is None and len(P) == len(Q) == len(want):
                print("ok %d - %s: P[k](x/D) - Q[k](x/D) equals the network at 30 points "
                      "(D = %d)" % (i, name, D))
            else:
                bad += 1
                print("not ok %d - %s: %s" % (i, name, worst))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
