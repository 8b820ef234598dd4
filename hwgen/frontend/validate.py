"""Validate an ONNX/QONNX model before anything evaluates it (DESIGN §3: a non-finite value
anywhere is a refusal).

Runs on the raw protobuf — before qonnx's cleanup and onnxruntime see it — and again after
constant folding (folded constants can be non-finite: ``0/0``). Every problem is one line naming
the file, the node, the attribute or input, and the value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

from hwgen.core.errors import FrontendError

ROUNDING_MODES = ("ROUND", "HALF_EVEN", "CEIL", "FLOOR", "UP", "DOWN", "HALF_UP", "HALF_DOWN")
MAX_QUANT_BITS = 32
_FLOAT_KINDS = "fc"


def _fmt(v) -> str:
    """A value on one line, short."""
    if isinstance(v, bytes):
        return repr(v[:40])
    a = np.asarray(v)
    if a.ndim == 0:
        return repr(a.item())
    flat = a.reshape(-1)
    body = ", ".join(repr(x.item()) for x in flat[:6])
    return f"[{body}{', ...' if flat.size > 6 else ''}] (shape {a.shape})"


class _Checker:
    def __init__(self, proto: onnx.ModelProto, path: Path):
        self.g = proto.graph
        self.file = path.name
        self.consts: dict[str, np.ndarray] = {}
        self.opset = next((o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")), 13)

    def fail(self, where: str, msg: str) -> None:
        raise FrontendError(f"{self.file}: {where}: {msg}")

    def where(self, node) -> str:
        return f"node {node.name or '(unnamed)'!r} ({node.op_type})"

    # -- whole graph -------------------------------------------------------------------------
    def run(self) -> None:
        g = self.g
        self.text()
        if not g.node:
            self.fail("graph", "has no nodes (empty or truncated file); re-export the model")
        if not g.output:
            self.fail("graph", "has no outputs; re-export the model with its output tensor")
        users: dict[str, str] = {}
        for node in g.node:
            for j, i in enumerate(node.input):
                users.setdefault(i, f" (input {j} of {self.where(node)})")
        for init in g.initializer:
            self.consts[init.name] = self.tensor(init, f"initializer {init.name!r}{users.get(init.name, '')}")
        for node in g.node:
            if node.op_type == "Constant":
                for a in node.attribute:
                    if a.type == onnx.AttributeProto.TENSOR:
                        self.consts[node.output[0]] = self.tensor(a.t, f"{self.where(node)}: value")
        self.producers()
        for node in g.node:
            self.schema(node)
            self.attributes(node)
            check = getattr(self, f"op_{node.op_type}", None)
            if check is not None:
                check(node)

    def text(self) -> None:
        """Every name must be valid UTF-8: protobuf hands a corrupted one back as bytes (or
        raises), and it would fail later, far from its cause."""
        g = self.g

        def names():
            for node in g.node:
                yield "node name", lambda n=node: [n.name]
                yield "node", lambda n=node: [n.op_type, n.domain, *n.input, *n.output, *(a.name for a in n.attribute)]
            for t in g.initializer:
                yield "initializer name", lambda t=t: [t.name]
            for v in list(g.input) + list(g.output) + list(g.value_info):
                yield "tensor name", lambda v=v: [v.name]

        for what, get in names():
            try:
                bad = [x for x in get() if not isinstance(x, str)]
            except UnicodeDecodeError as e:
                bad = [e.object]
            if bad:
                self.fail("graph", f"a {what} is not UTF-8 text ({bytes(bad[0])[:40]!r}); the file is "
                                   "corrupted, re-export the model")

    def tensor(self, t: onnx.TensorProto, what: str) -> np.ndarray:
        try:
            a = numpy_helper.to_array(t)
        except Exception as e:  # noqa: BLE001 - corrupt raw_data, unknown dtype: onnx raises several types
            msg = str(e).splitlines()[0] if str(e) else type(e).__name__
            self.fail(what, f"unreadable tensor data ({type(e).__name__}: {msg[:120]}); re-export the model")
        if a.dtype.kind in _FLOAT_KINDS and a.size and not np.all(np.isfinite(a)):
            bad = int(np.size(a) - np.count_nonzero(np.isfinite(a)))
            self.fail(what, f"{bad} of {a.size} values are NaN/Inf (e.g. {_fmt(a[~np.isfinite(a)][:3])}); "
                            "retrain or re-export: hwgen refuses non-finite constants")
        return a

    def producers(self) -> None:
        g = self.g
        known: dict[str, str] = {}
        for i in g.input:
            known.setdefault(i.name, "graph input")
        for init in g.initializer:
            if init.name in known and known[init.name] != "graph input":
                self.fail(f"tensor {init.name!r}", "is defined twice (two initializers)")
            known[init.name] = "initializer"
        for node in g.node:
            for o in node.output:
                if not o:
                    continue
                if o in known:
                    self.fail(self.where(node), f"output {o!r} already comes from {known[o]}; "
                                                "every tensor needs exactly one producer")
                known[o] = f"node {node.name!r}"
        for node in g.node:
            for i in node.input:
                if i and i not in known:
                    self.fail(self.where(node), f"input {i!r} is produced by nothing (no node, "
                                                "initializer or graph input); re-export the model")
        for o in g.output:
            if o.name not in known:
                self.fail(f"graph output {o.name!r}", "is produced by nothing; re-export the model")

    def schema(self, node) -> None:
        """Input/output counts and required attributes of standard ONNX ops (their schema)."""
        if node.domain not in ("", "ai.onnx"):
            return
        try:
            sch = onnx.defs.get_schema(node.op_type, self.opset, "")
        except Exception:  # noqa: BLE001 - unknown op: the converter names it as unsupported
            return
        n_in = len(node.input)
        if not sch.min_input <= n_in <= sch.max_input:
            self.fail(self.where(node), f"has {n_in} inputs; {node.op_type} takes {sch.min_input}"
                                        f"{'' if sch.max_input == sch.min_input else '..' + str(min(sch.max_input, 99))}")
        n_out = len(node.output)
        if not sch.min_output <= n_out <= sch.max_output or not any(node.output):
            self.fail(self.where(node), f"has {n_out} outputs; {node.op_type} gives {sch.min_output}"
                                        f"{'' if sch.max_output == sch.min_output else '..' + str(min(sch.max_output, 99))}")
        have = {a.name for a in node.attribute}
        for name, a in sch.attributes.items():
            if a.required and name not in have:
                self.fail(self.where(node), f"required attribute {name} is missing")

    def attributes(self, node) -> None:
        for a in node.attribute:
            try:
                v = onnx.helper.get_attribute_value(a)
            except Exception:  # noqa: BLE001 - a corrupt attribute, whatever onnx raises
                self.fail(self.where(node), f"attribute {a.name!r} is unreadable; re-export the model")
            if a.type == onnx.AttributeProto.FLOAT and np.isnan(v):
                self.fail(self.where(node), f"attribute {a.name} = nan")
            if a.type == onnx.AttributeProto.FLOATS and np.any(np.isnan(np.asarray(v, np.float64))):
                self.fail(self.where(node), f"attribute {a.name} = {_fmt(v)} contains NaN")
            if a.type == onnx.AttributeProto.STRING:
                try:
                    v.decode("utf-8")
                except UnicodeDecodeError:
                    self.fail(self.where(node), f"attribute {a.name} = {_fmt(v)} is not UTF-8 text")

    def attr(self, node, name: str, default=None):
        for a in node.attribute:
            if a.name == name:
                v = onnx.helper.get_attribute_value(a)
                return v.decode("utf-8") if isinstance(v, bytes) else v
        return default

    def const(self, node, i: int) -> np.ndarray | None:
        if len(node.input) <= i or not node.input[i]:
            return None
        return self.consts.get(node.input[i])

    def need_inputs(self, node, n: int, names: str) -> None:
        if len(node.input) < n or not all(node.input[:n]):
            self.fail(self.where(node), f"has {len(node.input)} inputs, needs {n} ({names}); re-export the model")

    def flag(self, node, name: str, default: int) -> None:
        v = self.attr(node, name, default)
        if not isinstance(v, int) or v not in (0, 1):
            self.fail(self.where(node), f"attribute {name} = {_fmt(v)} must be 0 or 1")

    # -- quantizers --------------------------------------------------------------------------
    def op_Quant(self, node) -> None:
        self.need_inputs(node, 4, "x, scale, zero point, bit width")
        for k in ("signed", "narrow"):  # required by the QONNX Quant spec (qonnx refuses without)
            if self.attr(node, k) is None:
                self.fail(self.where(node), f"attribute {k} is missing (QONNX Quant requires it); re-export the model")
        self.flag(node, "signed", 1)
        self.flag(node, "narrow", 0)
        mode = self.attr(node, "rounding_mode", "ROUND")
        if not isinstance(mode, str) or mode.upper() not in ROUNDING_MODES:
            self.fail(self.where(node), f"attribute rounding_mode = {_fmt(mode)} is not one of "
                                        f"{', '.join(ROUNDING_MODES)}")
        self.scale(node, 1)
        zp = self.const(node, 2)
        if zp is not None and zp.dtype.kind not in "iub" + _FLOAT_KINDS:
            self.fail(self.where(node), f"zero point of dtype {zp.dtype} is not a number")
        bits = self.const(node, 3)
        if bits is not None:
            b = np.asarray(bits)
            ok = b.size == 1 and b.dtype.kind in "iuf" and np.isfinite(b.astype(np.float64)).all()
            if ok:
                v = float(b.reshape(-1)[0])
                ok = v == int(v) and 1 <= v <= MAX_QUANT_BITS
            if not ok:
                self.fail(self.where(node), f"bit width (input {node.input[3]!r}) = {_fmt(b)} must be a "
                                            f"whole number in 1..{MAX_QUANT_BITS}")

    def op_BipolarQuant(self, node) -> None:
        self.need_inputs(node, 2, "x, scale")
        self.scale(node, 1)

    def op_Trunc(self, node) -> None:
        self.need_inputs(node, 5, "x, scale, zero point, input bits, output bits")
        self.scale(node, 1)

    def scale(self, node, i: int) -> None:
        s = self.const(node, i)
        if s is None:
            return
        if s.dtype.kind not in "iuf" or s.size == 0 or not np.all(s.astype(np.float64) > 0):
            self.fail(self.where(node), f"scale (input {node.input[i]!r}) = {_fmt(s)} must be finite and > 0")

    # -- other ops with a domain -------------------------------------------------------------
    def op_BatchNormalization(self, node) -> None:
        self.need_inputs(node, 5, "x, gamma, beta, mean, var")
        eps = self.attr(node, "epsilon", 1e-5)
        if not (isinstance(eps, float) and np.isfinite(eps) and eps > 0):
            self.fail(self.where(node), f"attribute epsilon = {_fmt(eps)} must be finite and > 0")
        var = self.const(node, 4)
        if var is not None and var.size and np.any(var.astype(np.float64) < 0):
            self.fail(self.where(node), f"variance (input {node.input[4]!r}) = {_fmt(var[var < 0][:3])} "
                                        "is negative; re-export the trained model")

    def op_Transpose(self, node) -> None:
        perm = self.attr(node, "perm")
        if perm is not None and sorted(int(p) for p in perm) != list(range(len(perm))):
            self.fail(self.where(node), f"attribute perm = {list(perm)} is not a permutation of 0..{len(perm) - 1}")

    def _ints(self, node, name: str, lo: int) -> None:
        v = self.attr(node, name)
        if v is not None and (not isinstance(v, list) or any(int(x) < lo for x in v)):
            self.fail(self.where(node), f"attribute {name} = {_fmt(v)} must be integers >= {lo}")

    def op_Conv(self, node) -> None:
        self.need_inputs(node, 2, "x, weight")
        self._ints(node, "strides", 1)
        self._ints(node, "dilations", 1)
        self._ints(node, "pads", 0)
        self._ints(node, "kernel_shape", 1)
        g = self.attr(node, "group", 1)
        if not isinstance(g, int) or g < 1:
            self.fail(self.where(node), f"attribute group = {_fmt(g)} must be >= 1")

    def op_MaxPool(self, node) -> None:
        if self.attr(node, "kernel_shape") is None:
            self.fail(self.where(node), "attribute kernel_shape is missing")
        self._ints(node, "kernel_shape", 1)
        self._ints(node, "strides", 1)
        self._ints(node, "dilations", 1)
        self._ints(node, "pads", 0)

    op_AveragePool = op_MaxPool

    def op_Gemm(self, node) -> None:
        self.need_inputs(node, 2, "a, b")
        for k in ("alpha", "beta"):
            v = self.attr(node, k, 1.0)
            if not np.isfinite(v):
                self.fail(self.where(node), f"attribute {k} = {_fmt(v)} must be finite")

    def op_Div(self, node) -> None:
        d = self.const(node, 1)
        if d is not None and d.size and np.any(d == 0):
            self.fail(self.where(node), f"divisor (input {node.input[1]!r}) contains 0")

    def op_Flatten(self, node) -> None:
        if not isinstance(self.attr(node, "axis", 1), int):
            self.fail(self.where(node), "attribute axis must be an integer")


def validate_model(proto: onnx.ModelProto, path: str | Path) -> None:
    """Raise FrontendError (one line) on the first out-of-domain value of ``proto``."""
    with np.errstate(all="ignore"):
        _Checker(proto, Path(path)).run()
