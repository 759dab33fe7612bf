#!/usr/bin/python3
"""Hand-built ONNX graphs (onnx.helper) that a careless reader gets wrong
silently; tests/test_net.c (onnx_handmade) asserts each is read as ONNX
says or refused with the reason given here.  Run with Debian's /usr/bin/python3 (onnx 1.12):
    /usr/bin/python3 scripts/make-onnx-handmade.py
Writes tests/data/onnx/handmade/<name>.onnx; the same files on every run."""
import os
import numpy as np
import onnx
from onnx import helper as H, TensorProto as T, numpy_helper as NH

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "onnx",
                   "handmade")


def vi(name, shape):
    return H.make_tensor_value_info(name, T.FLOAT, shape)


def init(name, arr, dt=np.float32):
    return NH.from_array(np.array(arr, dtype=dt), name)


def save(name, nodes, inits, outs, check=True, batch=1):
    g = H.make_graph(nodes, name, [vi("x", [batch, 4])], outs, initializer=inits)
    m = H.make_model(g, opset_imports=[H.make_opsetid("", 13)], producer_name="handmade")
    m.ir_version = 7
    if check:
        onnx.checker.check_model(m)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name + ".onnx"), "wb") as f:
        f.write(m.SerializeToString())
    print("wrote", name, [n.op_type for n in nodes])


W = [[0.5, -1, 0.25, 2], [1, 1, -0.5, 0], [-2, 0.75, 1, 1]]       # [3 x 4]
W6 = [[0.5, -1, 0.25, 2, 1, 0], [1, 1, -0.5, 0, 2, 1], [-2, 0.75, 1, 1, 0, 1],
      [1, 0, 0, 1, -1, 0.5]]                                        # [4 x 6]
# Mul by a [4, 1] column: ONNX broadcasts [1, 4] x [4, 1] to [4, 4] (16
# values), not an entrywise product
save("mul-bcast-2d", [H.make_node("Mul", ["x", "c"], ["y"])], [init("c", [[1], [2], [3], [4]])],
     [vi("y", [4, 4])])
# MaxPool without strides: ONNX's default stride is 1, overlapping windows
save("maxpool-nostride", [H.make_node("MatMul", ["x", "W6"], ["h"]),
                          H.make_node("Unsqueeze", ["h", "ax"], ["u"]),
                          H.make_node("MaxPool", ["u"], ["p"], kernel_shape=[2]),
                          H.make_node("Flatten", ["p"], ["y"])],
     [init("W6", W6), init("ax", [1], np.int64)], [vi("y", [1, 5])])
# the output is an intermediate value, and nodes follow it
save("out-intermediate", [H.make_node("Gemm", ["x", "W"], ["h"], transB=1),
                          H.make_node("Relu", ["h"], ["r"]),
                          H.make_node("Gemm", ["r", "W3"], ["z"], transB=1)],
     [init("W", W), init("W3", [[1, 0, 0], [0, 1, 0], [0, 0, 1]])], [vi("h", [1, 3])])
# control characters in a node name and an op type (an unknown operator)
save("control-chars", [H.make_node("Sig\x1b[31m\n", ["x"], ["y"], name="n\rX")], [],
     [vi("y", [1, 4])], check=False)
# Dropout with its optional mask output (opset 12+): at inference the output
# is the input; an unread mask changes nothing, a read mask is refused
drop = [H.make_node("Gemm", ["x", "W"], ["h"], transB=1),
        H.make_node("Dropout", ["h"], ["d", "mask"]),
        H.make_node("Relu", ["d"], ["y"])]
save("dropout-mask", drop, [init("W", W)], [vi("y", [1, 3])])
save("dropout-mask-read", drop[:2] + [H.make_node("Identity", ["mask"], ["m"]), drop[2]],
     [init("W", W)], [vi("y", [1, 3])])
# a fixed batch of 2: read as one sample of 8 values it would be wrong
save("batch2", [H.make_node("Gemm", ["x", "W"], ["y"], transB=1)], [init("W", W)],
     [vi("y", [2, 3])], batch=2)
# an Identity of an initializer (PyTorch writes one when two parameters are
# equal): a constant under a second name
save("identity-const", [H.make_node("Identity", ["W"], ["W2"]),
                        H.make_node("Gemm", ["x", "W2"], ["h"], transB=1),
                        H.make_node("Relu", ["h"], ["y"])], [init("W", W)], [vi("y", [1, 3])])
# a MaxPool with a second input (invalid ONNX): refused, never half read
save("maxpool-2-inputs", [H.make_node("MatMul", ["x", "W6"], ["h"]),
                          H.make_node("Unsqueeze", ["h", "ax"], ["u"]),
                          H.make_node("MaxPool", ["u", "u"], ["p"], kernel_shape=[2], strides=[2]),
                          H.make_node("Flatten", ["p"], ["y"])],
     [init("W6", W6), init("ax", [1], np.int64)], [vi("y", [1, 3])], check=False)
