"""A QONNX model rewritten into standard ONNX float ops, so that onnxruntime can run it: the
peer a user who only wants fast CPU inference of a trained BNN would pick.

    BipolarQuant(x, s)        -> Where(x >= 0, s, -s)                      (qonnx: sign, 0 -> +1)
    Quant(x, s, z, b)         -> (Clip(Round(x / s + z), lo, hi) - z) * s  (Round: half to even, as
                                  qonnx's ROUND; FLOOR / CEIL as Floor / Ceil)
and Reshape targets that pin the batch to 1 copy the batch dimension instead (0), so the model
runs on any batch size. Weight quantizers read initializers (no longer listed as graph inputs):
onnxruntime folds them at load.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

QONNX_DOMAINS = ("qonnx.custom_op.general", "finn.custom_op.general")


def _int_range(bits: int, signed: bool, narrow: bool) -> tuple[int, int]:
    """qonnx's min_int / max_int."""
    if signed:
        return (-(2 ** (bits - 1)) + (1 if narrow else 0), 2 ** (bits - 1) - 1)
    return (0, 2**bits - 1 - (1 if narrow else 0))


def float_rewrite(src: str | Path, dst: str | Path) -> Path:
    """Write the standard-ONNX float version of the QONNX model ``src`` to ``dst``."""
    model = onnx.load(str(src))
    g = model.graph
    inits = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    new_nodes: list[onnx.NodeProto] = []
    extra: list[onnx.TensorProto] = []

    def const(name: str, value) -> str:
        extra.append(numpy_helper.from_array(np.asarray(value, dtype=np.float32), name))
        return name

    for k, n in enumerate(g.node):
        attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
        p = f"fr{k}_"
        if n.domain in QONNX_DOMAINS and n.op_type == "BipolarQuant":
            x, s = n.input[0], n.input[1]
            zero = const(p + "zero", 0.0)
            new_nodes += [
                helper.make_node("GreaterOrEqual", [x, zero], [p + "ge"]),
                helper.make_node("Neg", [s], [p + "neg"]),
                helper.make_node("Where", [p + "ge", s, p + "neg"], [n.output[0]], name=n.name),
            ]
        elif n.domain in QONNX_DOMAINS and n.op_type == "Quant":
            x, s, z, b = n.input
            lo, hi = _int_range(int(inits[b]), bool(attrs.get("signed", 1)), bool(attrs.get("narrow", 0)))
            mode = attrs.get("rounding_mode", b"ROUND")
            mode = mode.decode() if isinstance(mode, bytes) else mode
            rnd = {"ROUND": "Round", "FLOOR": "Floor", "CEIL": "Ceil"}.get(mode.upper())
            if rnd is None:
                raise ValueError(f"{n.name}: rounding mode {mode} has no ONNX op")
            new_nodes += [
                helper.make_node("Div", [x, s], [p + "div"]),
                helper.make_node("Add", [p + "div", z], [p + "add"]),
                helper.make_node(rnd, [p + "add"], [p + "rnd"]),
                helper.make_node("Clip", [p + "rnd", const(p + "lo", lo), const(p + "hi", hi)], [p + "clip"]),
                helper.make_node("Sub", [p + "clip", z], [p + "sub"]),
                helper.make_node("Mul", [p + "sub", s], [n.output[0]], name=n.name),
            ]
        elif n.domain in QONNX_DOMAINS:
            raise ValueError(f"{n.name}: no float rewrite for QONNX op {n.op_type}")
        else:
            if n.op_type == "Reshape" and n.input[1] in inits:
                shape = inits[n.input[1]].copy()
                if shape.size and shape[0] == 1 and not np.any(shape[1:] == 0):
                    shape[0] = 0  # copy the batch dimension (allowzero = 0)
                    extra.append(numpy_helper.from_array(shape.astype(np.int64), p + "shape"))
                    n = helper.make_node("Reshape", [n.input[0], p + "shape"], list(n.output), name=n.name)
            new_nodes.append(n)

    del g.node[:]
    g.node.extend(new_nodes)
    g.initializer.extend(extra)
    del g.value_info[:]
    # initializers listed as graph inputs would be overridable, so onnxruntime would not fold them
    real_inputs = [vi for vi in g.input if vi.name not in inits]
    del g.input[:]
    g.input.extend(real_inputs)
    for vi in list(g.input) + list(g.output):
        if vi.name in inits:
            continue
        dims = vi.type.tensor_type.shape.dim
        if dims:
            dims[0].dim_param = "N"
    keep = [o for o in model.opset_import if o.domain not in QONNX_DOMAINS]
    del model.opset_import[:]
    model.opset_import.extend(keep)
    onnx.checker.check_model(model)
    onnx.save(model, str(dst))
    return Path(dst)
