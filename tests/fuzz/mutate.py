"""Mutations of exported QONNX models: structural, attribute, value and byte-level.

``mutate(data, kind, rng)`` returns a ``Mutant``: the mutated file's bytes, a one-line
description, and ``invalid`` when the mutation certainly put a value out of its domain (then hwgen
must refuse the model; success would be a defect).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import onnx
from onnx import helper, numpy_helper

NASTY_FLOATS = (float("nan"), float("inf"), float("-inf"))
ODD_FLOATS = (0.0, -1.0, 1e-30, 1e30, -3.5, 2.5, 3e38)
ODD_INTS = (-(2**40), -7, -1, 0, 1, 2, 3, 7, 33, 2**31 - 1, 2**40)


@dataclass(frozen=True)
class Mutant:
    data: bytes
    kind: str
    desc: str
    invalid: bool = False  # out of domain for sure: must be refused


def _model(data: bytes) -> onnx.ModelProto:
    m = onnx.ModelProto()
    m.ParseFromString(data)
    return m


def _float_inits(m: onnx.ModelProto) -> list[onnx.TensorProto]:
    return [t for t in m.graph.initializer if t.data_type in (onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE)]


def _set_init(m: onnx.ModelProto, t: onnx.TensorProto, a: np.ndarray) -> None:
    t.CopyFrom(numpy_helper.from_array(a.astype(numpy_helper.to_array(t).dtype, copy=False), t.name))


def _input_of(m: onnx.ModelProto, op: str, idx: int) -> list[tuple[onnx.NodeProto, onnx.TensorProto]]:
    inits = {t.name: t for t in m.graph.initializer}
    return [(n, inits[n.input[idx]]) for n in m.graph.node
            if n.op_type == op and len(n.input) > idx and n.input[idx] in inits]


# -- value mutations ----------------------------------------------------------------------------
def value_nonfinite(m, rng) -> tuple[str, bool]:
    t = rng.choice(_float_inits(m))
    a = numpy_helper.to_array(t).copy()
    v = rng.choice(NASTY_FLOATS)
    flat = a.reshape(-1)
    for _ in range(rng.randint(1, max(1, min(4, flat.size)))):
        flat[rng.randrange(flat.size)] = v
    _set_init(m, t, flat.reshape(a.shape))
    return f"initializer {t.name!r}: {v} in {a.size} values", True


def value_odd(m, rng) -> tuple[str, bool]:
    """Finite but odd values anywhere: zero, negative, huge (valid or not depending on use)."""
    t = rng.choice(_float_inits(m))
    a = numpy_helper.to_array(t).copy()
    v = rng.choice(ODD_FLOATS)
    if rng.random() < 0.5:
        a[...] = v
    else:
        a.reshape(-1)[rng.randrange(a.size)] = v
    _set_init(m, t, a)
    return f"initializer {t.name!r} <- {v}", False


def value_scale(m, rng) -> tuple[str, bool]:
    cands = _input_of(m, "Quant", 1) + _input_of(m, "BipolarQuant", 1)
    if not cands:
        return value_nonfinite(m, rng)
    n, t = rng.choice(cands)
    v = rng.choice((0.0, -1.0, -1e-3) + NASTY_FLOATS)
    _set_init(m, t, np.full(numpy_helper.to_array(t).shape, v))
    return f"{n.op_type} {n.name!r} scale <- {v}", True


def value_zeropt(m, rng) -> tuple[str, bool]:
    cands = _input_of(m, "Quant", 2)
    if not cands:
        return value_scale(m, rng)
    n, t = rng.choice(cands)
    v = rng.choice(NASTY_FLOATS + (0.5, -3.0, 1e6))
    _set_init(m, t, np.full(numpy_helper.to_array(t).shape, v))
    return f"Quant {n.name!r} zero point <- {v}", not np.isfinite(v)


def value_bits(m, rng) -> tuple[str, bool]:
    cands = _input_of(m, "Quant", 3)
    if not cands:
        return value_scale(m, rng)
    n, t = rng.choice(cands)
    v = rng.choice((0.0, -1.0, 2.5, 33.0, 64.0, 1e9, 1.0, 3.0, 4.0) + NASTY_FLOATS)
    _set_init(m, t, np.asarray(v))
    invalid = not (np.isfinite(v) and v == int(v) and 1 <= v <= 32)
    return f"Quant {n.name!r} bit width <- {v}", invalid


def value_batchnorm(m, rng) -> tuple[str, bool]:
    cands = [(n, i) for n in m.graph.node if n.op_type == "BatchNormalization" for i in (1, 2, 3, 4)]
    if not cands:
        return value_nonfinite(m, rng)
    n, i = rng.choice(cands)
    inits = {t.name: t for t in m.graph.initializer}
    t = inits.get(n.input[i])
    if t is None:
        return value_nonfinite(m, rng)
    a = numpy_helper.to_array(t).copy()
    v = rng.choice(NASTY_FLOATS + (-1.0, 0.0, 1e30))
    a.reshape(-1)[rng.randrange(a.size)] = v
    _set_init(m, t, a)
    what = ("gamma", "beta", "mean", "var")[i - 1]
    invalid = not np.isfinite(v) or (what == "var" and v < 0)
    return f"BatchNorm {n.name!r} {what} <- {v}", invalid


# -- attribute mutations ------------------------------------------------------------------------
def _set_attr(n: onnx.NodeProto, name: str, value, attr_type=None) -> None:
    for a in list(n.attribute):
        if a.name == name:
            n.attribute.remove(a)
    n.attribute.append(helper.make_attribute(name, value, attr_type=attr_type))


def attr_quant(m, rng) -> tuple[str, bool]:
    qs = [n for n in m.graph.node if n.op_type == "Quant"]
    if not qs:
        return attr_any(m, rng)
    n = rng.choice(qs)
    which = rng.choice(("signed", "narrow", "rounding_mode", "drop_all"))
    if which == "drop_all":
        del n.attribute[:]
        return f"Quant {n.name!r}: attributes removed", True
    if which == "rounding_mode":
        v = rng.choice(("ROUND", "FLOOR", "CEIL", "round", "HALF_UP", "BOGUS", "", b"\xff\xfe"))
        _set_attr(n, "rounding_mode", v)
        ok = isinstance(v, str) and v.upper() in ("ROUND", "HALF_EVEN", "CEIL", "FLOOR", "UP", "DOWN", "HALF_UP", "HALF_DOWN")
        return f"Quant {n.name!r} rounding_mode <- {v!r}", not ok
    v = rng.choice((-1, 0, 1, 2, 7, 2**40))
    _set_attr(n, which, v)
    return f"Quant {n.name!r} {which} <- {v}", v not in (0, 1)


def attr_batchnorm(m, rng) -> tuple[str, bool]:
    bns = [n for n in m.graph.node if n.op_type == "BatchNormalization"]
    if not bns:
        return attr_any(m, rng)
    n = rng.choice(bns)
    v = rng.choice((0.0, -1e-5, 1e-30, 1e10) + NASTY_FLOATS)
    _set_attr(n, "epsilon", v)
    return f"BatchNorm {n.name!r} epsilon <- {v}", not (np.isfinite(v) and v > 0)


def attr_perm(m, rng) -> tuple[str, bool]:
    ts = [n for n in m.graph.node if n.op_type == "Transpose"]
    if not ts:
        return attr_any(m, rng)
    n = rng.choice(ts)
    k = rng.randint(1, 4)
    perm = [rng.randrange(-1, k + 1) for _ in range(k)]
    _set_attr(n, "perm", perm)
    return f"Transpose {n.name!r} perm <- {perm}", sorted(perm) != list(range(k))


def attr_any(m, rng) -> tuple[str, bool]:
    """Any attribute of any node: ints to odd ints, floats to odd floats, lists scrambled."""
    cands = [(n, a) for n in m.graph.node for a in n.attribute]
    if not cands:
        return value_odd(m, rng)
    n, a = rng.choice(cands)
    if a.type == onnx.AttributeProto.INT:
        v = rng.choice(ODD_INTS)
    elif a.type == onnx.AttributeProto.FLOAT:
        v = rng.choice(ODD_FLOATS + NASTY_FLOATS)
    elif a.type == onnx.AttributeProto.INTS:
        v = [rng.choice(ODD_INTS) for _ in range(rng.randint(0, 5))]
    elif a.type == onnx.AttributeProto.STRING:
        v = rng.choice(("", "NOTSET", "VALID", "x" * 300, b"\x80\x81"))
    else:
        n.attribute.remove(a)
        return f"{n.op_type} {n.name!r}: attribute {a.name} removed", False
    _set_attr(n, a.name, v, attr_type=a.type)
    return f"{n.op_type} {n.name!r} {a.name} <- {v!r}"[:200], isinstance(v, float) and np.isnan(v)


# -- structural mutations -----------------------------------------------------------------------
def struct_drop_node(m, rng) -> tuple[str, bool]:
    i = rng.randrange(len(m.graph.node))
    n = m.graph.node[i]
    del m.graph.node[i]
    return f"node {n.name!r} ({n.op_type}) removed", False


def struct_duplicate_node(m, rng) -> tuple[str, bool]:
    i = rng.randrange(len(m.graph.node))
    n = onnx.NodeProto()
    n.CopyFrom(m.graph.node[i])
    n.name = n.name + "_dup"
    m.graph.node.insert(rng.randrange(len(m.graph.node) + 1), n)
    return f"node {m.graph.node[i].name!r} duplicated (two producers)", bool(n.output)


def struct_rewire(m, rng) -> tuple[str, bool]:
    names = [o for n in m.graph.node for o in n.output] + [i.name for i in m.graph.input] + \
            [t.name for t in m.graph.initializer] + ["nonexistent_tensor"]
    n = rng.choice(list(m.graph.node))
    if not n.input:
        return struct_drop_node(m, rng)
    j = rng.randrange(len(n.input))
    new = rng.choice(names)
    old = n.input[j]
    n.input[j] = new
    return f"node {n.name!r} input {j} {old!r} -> {new!r}", new == "nonexistent_tensor"


def struct_outputs(m, rng) -> tuple[str, bool]:
    which = rng.choice(("none", "extra", "rename"))
    if which == "none":
        del m.graph.output[:]
        return "graph outputs removed", True
    if which == "extra":
        n = rng.choice(list(m.graph.node))
        m.graph.output.append(helper.make_tensor_value_info(n.output[0], onnx.TensorProto.FLOAT, None))
        return f"extra graph output {n.output[0]!r}", False
    m.graph.output[0].name = "no_such_tensor"
    return "graph output renamed to a missing tensor", True


def struct_op_type(m, rng) -> tuple[str, bool]:
    n = rng.choice(list(m.graph.node))
    old = n.op_type
    n.op_type = rng.choice(("Relu", "Sigmoid", "Quant", "BipolarQuant", "MatMul", "Add", "NoSuchOp", "Conv", "Softmax"))
    return f"node {n.name!r} op {old} -> {n.op_type}", False


def struct_shuffle(m, rng) -> tuple[str, bool]:
    nodes = list(m.graph.node)
    rng.shuffle(nodes)
    del m.graph.node[:]
    m.graph.node.extend(nodes)
    return "nodes shuffled", False


def struct_drop_init(m, rng) -> tuple[str, bool]:
    i = rng.randrange(len(m.graph.initializer))
    name = m.graph.initializer[i].name
    del m.graph.initializer[i]
    return f"initializer {name!r} removed", False


def struct_input_shape(m, rng) -> tuple[str, bool]:
    inits = {t.name for t in m.graph.initializer}
    inp = next(i for i in m.graph.input if i.name not in inits)
    dims = inp.type.tensor_type.shape.dim
    d = rng.randrange(len(dims))
    v = rng.choice((0, 1, 2, 3, 1000, -1))
    dims[d].dim_value = v
    return f"graph input dim {d} <- {v}", False


# -- byte-level mutations -----------------------------------------------------------------------
def bytes_flip(data: bytes, rng) -> tuple[bytes, str]:
    b = bytearray(data)
    k = rng.randint(1, 8)
    for _ in range(k):
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
    return bytes(b), f"{k} bit flips"


def bytes_truncate(data: bytes, rng) -> tuple[bytes, str]:
    k = rng.randrange(len(data))
    return data[:k], f"truncated to {k} of {len(data)} bytes"


def bytes_splice(data: bytes, rng) -> tuple[bytes, str]:
    i = rng.randrange(len(data))
    junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    if rng.random() < 0.5:
        return data[:i] + junk + data[i:], f"{len(junk)} random bytes inserted at {i}"
    return data[:i] + junk + data[i + len(junk):], f"{len(junk)} bytes overwritten at {i}"


MODEL_MUTATIONS = {
    "value_nonfinite": value_nonfinite, "value_odd": value_odd, "value_scale": value_scale,
    "value_zeropt": value_zeropt, "value_bits": value_bits, "value_batchnorm": value_batchnorm,
    "attr_quant": attr_quant, "attr_batchnorm": attr_batchnorm, "attr_perm": attr_perm, "attr_any": attr_any,
    "struct_drop_node": struct_drop_node, "struct_duplicate_node": struct_duplicate_node,
    "struct_rewire": struct_rewire, "struct_outputs": struct_outputs, "struct_op_type": struct_op_type,
    "struct_shuffle": struct_shuffle, "struct_drop_init": struct_drop_init, "struct_input_shape": struct_input_shape,
}
BYTE_MUTATIONS = {"bytes_flip": bytes_flip, "bytes_truncate": bytes_truncate, "bytes_splice": bytes_splice}
KINDS = tuple(MODEL_MUTATIONS) + tuple(BYTE_MUTATIONS)


def mutate(data: bytes, kind: str, rng: random.Random) -> Mutant:
    """One mutation of the serialized model ``data``."""
    if kind in BYTE_MUTATIONS:
        out, desc = BYTE_MUTATIONS[kind](data, rng)
        return Mutant(out, kind, desc, False)
    m = _model(data)
    desc, invalid = MODEL_MUTATIONS[kind](m, rng)
    return Mutant(m.SerializeToString(), kind, desc, invalid)
