"""Graph patterns that load fine but cannot be what was trained: their output is a constant."""

from __future__ import annotations

# ops whose output is never negative: a sign after one of them is always +1
NON_NEGATIVE = ("Relu", "Sigmoid", "Softplus", "Abs")


def constant_patterns(model) -> list[str]:
    """One line per quantizer whose output is constant, e.g. ``Relu -> BipolarQuant`` (Brevitas'
    export of a 1-bit QuantReLU): sign(relu(x)) is +1 for every x."""
    out = []
    for n in model.graph.node:
        if n.op_type != "BipolarQuant":
            continue
        p = model.find_producer(n.input[0])
        if p is not None and p.op_type in NON_NEGATIVE:
            out.append(f"node {n.name!r}: {p.op_type} -> BipolarQuant is the constant +1 (a sign of a "
                       f"non-negative value); Brevitas exports a 1-bit QuantReLU so. Use a bipolar "
                       "activation (QuantIdentity with a binary quantizer), and check the export with hwgen.export")
    return out
