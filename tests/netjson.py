"""Exact evaluation of a network in our JSON format (docs/formats.md), with
Python fractions: the second method the Python checks compare against."""
from fractions import Fraction as F


def evaluate(net, x):
    """The outputs of net (a parsed JSON network) at x (a list of Fractions)."""
    for L in net["layers"]:
        z = [sum((F(w) * xi for w, xi in zip(row, x) if w != "0"), F(0)) + F(b)
             for row, b in zip(L["W"], L["b"])]
        act = L["act"]
        if act == "relu":
            x = [max(v, F(0)) for v in z]
        elif act == "leaky":
            s = F(L["slope"])
            x = [v if v >= 0 else s * v for v in z]
        elif act == "maxout":
            k = L["k"]
            x = [max(z[j * k:(j + 1) * k]) for j in range(len(z) // k)]
        else:
            x = z
    return x
