"""Translate a cleaned QONNX model into hwgen's float-semantics IR (NHWC, numpy params).

The result computes exactly what the ONNX model computes; only the layout changes: rank-4
activations become ``(H, W, C)`` per sample, per-channel constants become ``(C,)``, convolution
weights become ``(OC, KH, KW, IC)`` and MatMul weights ``(K, M)``. Quantizers applied to constant
weights are evaluated here and kept as integer codes plus scale, which streamlining needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

from hwgen.core.datatypes import FLOAT32, DataType
from hwgen.core.errors import FrontendError, UnsupportedOpError
from hwgen.core.ir import Graph, Node, Tensor
from hwgen.frontend.quant import bipolar_int, dequant, quant_int

ELEMENTWISE_BINARY = ("Mul", "Add", "Sub", "Div")
PASS_THROUGH = ("Identity", "Dropout")


@dataclass
class QuantConst:
    """A constant that went through a quantizer: integer codes, scale, zero point (full shape)."""

    q: np.ndarray
    scale: np.ndarray
    zeropt: np.ndarray
    bits: int
    signed: bool
    narrow: bool

    @property
    def value(self) -> np.ndarray:
        return dequant(self.q, self.scale, self.zeropt).astype(np.float32)

    def transpose(self, perm: list[int]) -> QuantConst:
        return QuantConst(
            self.q.transpose(perm), self.scale.transpose(perm), self.zeropt.transpose(perm),
            self.bits, self.signed, self.narrow,
        )

    def reshape(self, shape: tuple[int, ...]) -> QuantConst:
        return QuantConst(
            self.q.reshape(shape), self.scale.reshape(shape), self.zeropt.reshape(shape),
            self.bits, self.signed, self.narrow,
        )


@dataclass
class Act:
    """An activation tensor in the IR: its name and whether it was NCHW in ONNX."""

    name: str
    onnx_rank: int  # rank in ONNX, batch included


class _Converter:
    def __init__(self, model, path: Path):
        self.model = model
        self.path = path
        self.graph = model.graph
        self.consts: dict[str, np.ndarray | QuantConst] = {
            i.name: numpy_helper.to_array(i) for i in self.graph.initializer
        }
        self.acts: dict[str, Act] = {}
        self.nodes: list[Node] = []
        self.tensors: dict[str, Tensor] = {}

    # -- helpers --------------------------------------------------------------------------
    def fail(self, node, msg: str, cls=FrontendError):
        raise cls(f"{self.path.name}: node {node.name!r} ({node.op_type}): {msg}")

    def onnx_shape(self, name: str) -> tuple[int, ...]:
        shape = self.model.get_tensor_shape(name)
        if shape is None or any((not isinstance(d, int)) or d <= 0 for d in shape):
            raise FrontendError(
                f"{self.path.name}: cannot infer the shape of tensor {name!r} (got {shape}); "
                "export with a fixed input shape (input_t=...)"
            )
        return tuple(int(d) for d in shape)

    def ir_shape(self, name: str) -> tuple[int, ...]:
        s = self.onnx_shape(name)
        if len(s) == 4:
            return (s[2], s[3], s[1])
        return s[1:] if len(s) > 1 else s

    def add_act(self, name: str, dtype: DataType = FLOAT32, shape=None) -> Act:
        rank = len(self.onnx_shape(name)) if shape is None else len(shape) + 1
        ir_shape = self.ir_shape(name) if shape is None else tuple(shape)
        self.tensors[name] = Tensor(name, ir_shape, dtype)
        act = Act(name, rank)
        self.acts[name] = act
        return act

    def emit(self, op, node, inputs, outputs, attrs=None, params=None, name=None) -> None:
        self.nodes.append(
            Node(op, name or node.name, tuple(inputs), tuple(outputs), attrs or {}, params or {})
        )

    def const(self, name: str, node) -> np.ndarray | QuantConst:
        if name not in self.consts:
            self.fail(node, f"input {name!r} must be a constant (initializer)")
        return self.consts[name]

    def plain_const(self, name: str, node) -> np.ndarray:
        c = self.const(name, node)
        return c.value if isinstance(c, QuantConst) else c

    def channel_param(self, value: np.ndarray, act: Act, node) -> np.ndarray:
        """Convert a constant broadcast against an ONNX activation to NHWC broadcasting."""
        v = np.asarray(value, dtype=np.float32)
        if v.size == 1:
            return v.reshape(())
        shape = self.tensors[act.name].shape
        if act.onnx_rank == 4:
            v4 = v.reshape((1,) * (4 - v.ndim) + v.shape)
            if v4.shape[0] != 1:
                self.fail(node, f"constant of shape {v.shape} broadcasts over the batch")
            if v4.shape[2] == 1 and v4.shape[3] == 1:
                return v4.reshape(v4.shape[1])  # per channel -> (C,)
            return np.transpose(v4[0], (1, 2, 0)).copy()  # full (C,H,W) -> (H,W,C)
        if act.onnx_rank == 2:
            v2 = v.reshape((1,) * (2 - v.ndim) + v.shape)
            return v2.reshape(v2.shape[1])
        if v.shape == shape:
            return v
        self.fail(node, f"cannot broadcast constant {v.shape} against activation {shape}")

    # -- conversion -------------------------------------------------------------------------
    def run(self) -> Graph:
        real_inputs = [i for i in self.graph.input if i.name not in self.consts]
        if len(real_inputs) != 1:
            raise FrontendError(
                f"{self.path.name}: expected one graph input, found "
                f"{[i.name for i in real_inputs]}; hwgen compiles single-input models"
            )
        inp = real_inputs[0].name
        shape = self.onnx_shape(inp)
        graph_in = "global_in"
        self.tensors[graph_in] = Tensor(graph_in, tuple(shape[1:]), FLOAT32)
        if len(shape) == 4:
            self.add_act(inp)
            self.emit("Transpose", None, [graph_in], [inp], {"perm": (1, 2, 0)}, name="to_nhwc")
        else:
            self.add_act(inp)
            self.emit("Identity", None, [graph_in], [inp], name="input")
        for node in self.graph.node:
            handler = getattr(self, f"op_{node.op_type}", None)
            if node.op_type in PASS_THROUGH:
                handler = self.op_Identity
            if handler is None:
                self.fail(
                    node,
                    "unsupported operator; hwgen supports "
                    + ", ".join(sorted(SUPPORTED_OPS))
                    + " — replace it in the model or open an issue",
                    UnsupportedOpError,
                )
            try:
                handler(node)
            except (ValueError, IndexError, TypeError, KeyError) as e:
                # attributes/constants of a shape the checks above did not foresee: name the node
                msg = (str(e).splitlines() or [type(e).__name__])[0][:200]
                self.fail(node, f"cannot be converted ({type(e).__name__}: {msg}); check its attributes "
                                "and constants, or re-export the model")
        outputs = []
        for o in self.graph.output:
            if o.name not in self.acts:
                raise FrontendError(f"{self.path.name}: graph output {o.name!r} is a constant")
            act = self.acts[o.name]
            if act.onnx_rank == 4:
                out = "global_out"
                s = self.tensors[o.name].shape
                self.tensors[out] = Tensor(out, (s[2], s[0], s[1]), self.tensors[o.name].dtype)
                self.emit("Transpose", None, [o.name], [out], {"perm": (2, 0, 1)}, name="to_nchw")
                outputs.append(out)
            else:
                outputs.append(o.name)
        return Graph(
            self.nodes, self.tensors, (graph_in,), tuple(outputs),
            name=_model_name(self.path), meta={"source": str(self.path), "input_shape": shape[1:]},
        )

    def _check_k(self, node, act: Act, k: int) -> None:
        """The weight's input dimension must match the activation's channels (a mismatch that
        shape inference lets through would make every later stage compute garbage)."""
        c = self.tensors[act.name].shape[-1] if self.tensors[act.name].shape else 1
        if c != k:
            self.fail(node, f"weight expects {k} input channels but the activation has {c} "
                            f"(shape {self.tensors[act.name].shape}); re-export the model")

    def data_input(self, node, i: int = 0) -> Act:
        name = node.input[i]
        if name not in self.acts:
            self.fail(node, f"input {name!r} is neither an activation nor supported as a constant")
        return self.acts[name]

    def all_const(self, node) -> bool:
        return all(i in self.consts for i in node.input if i)

    # quantizers ---------------------------------------------------------------------------
    def op_Quant(self, node) -> None:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        signed = bool(attrs.get("signed", 1))
        narrow = bool(attrs.get("narrow", 0))
        mode = attrs.get("rounding_mode", b"ROUND")
        mode = mode.decode("utf-8", "replace") if isinstance(mode, bytes) else str(mode)
        scale = np.asarray(self.plain_const(node.input[1], node), dtype=np.float32)
        zeropt = np.asarray(self.plain_const(node.input[2], node), dtype=np.float32)
        bits_arr = np.asarray(self.plain_const(node.input[3], node))
        if (bits_arr.size != 1 or bits_arr.dtype.kind not in "iuf" or not np.isfinite(float(bits_arr.reshape(-1)[0]))
                or float(bits_arr.reshape(-1)[0]) != int(bits_arr.reshape(-1)[0])
                or not 1 <= int(bits_arr.reshape(-1)[0]) <= 32):
            self.fail(node, f"bit width {bits_arr.reshape(-1)[:4].tolist()} is not a whole number in 1..32")
        bits = int(bits_arr.reshape(-1)[0])
        if not np.all(scale > 0) or not np.all(np.isfinite(scale)):
            self.fail(node, "quantizer scale must be finite and positive")
        if not np.all(np.isfinite(zeropt)):
            self.fail(node, "quantizer zero point must be finite")
        x = node.input[0]
        if x in self.consts:
            v = np.asarray(self.plain_const(x, node), dtype=np.float32)
            q = quant_int(v, scale, zeropt, bits, signed, narrow, mode)
            full = np.broadcast_shapes(v.shape, scale.shape, zeropt.shape)
            self.consts[node.output[0]] = QuantConst(
                np.broadcast_to(q, full).astype(np.int64),
                np.broadcast_to(scale, full).astype(np.float32),
                np.broadcast_to(zeropt, full).astype(np.float32),
                bits, signed, narrow,
            )
            return
        act = self.data_input(node)
        self.add_act(node.output[0])
        self.emit(
            "Quant", node, [act.name], [node.output[0]],
            {"bits": bits, "signed": signed, "narrow": narrow, "rounding_mode": mode},
            {"scale": self.channel_param(scale, act, node), "zeropt": self.channel_param(zeropt, act, node)},
        )

    def op_BipolarQuant(self, node) -> None:
        scale = np.asarray(self.plain_const(node.input[1], node), dtype=np.float32)
        if not np.all(scale > 0) or not np.all(np.isfinite(scale)):
            self.fail(node, "quantizer scale must be finite and positive")
        x = node.input[0]
        if x in self.consts:
            v = np.asarray(self.plain_const(x, node), dtype=np.float32)
            q = bipolar_int(v)
            full = np.broadcast_shapes(v.shape, scale.shape)
            self.consts[node.output[0]] = QuantConst(
                np.broadcast_to(q, full).astype(np.int64),
                np.broadcast_to(scale, full).astype(np.float32),
                np.zeros(full, np.float32), 1, True, False,
            )
            return
        act = self.data_input(node)
        self.add_act(node.output[0])
        self.emit("BipolarQuant", node, [act.name], [node.output[0]], {},
                  {"scale": self.channel_param(scale, act, node)})

    # linear layers ------------------------------------------------------------------------
    def weight(self, name: str, node) -> tuple[np.ndarray, QuantConst | None]:
        c = self.const(name, node)
        if isinstance(c, QuantConst):
            return c.value, c
        return np.asarray(c, dtype=np.float32), None

    def weight_params(self, w: np.ndarray, qc: QuantConst | None, out_axis: int, node) -> dict:
        params = {"weight": w.astype(np.float32)}
        if qc is not None:
            scale = _per_axis(qc.scale, out_axis)
            zp = _per_axis(qc.zeropt, out_axis)
            if scale is None or zp is None:
                self.fail(node, "weight scale must be per tensor or per output channel")
            if np.any(zp != 0):
                self.fail(node, "weights with a non-zero zero point are not supported; use a symmetric weight quantizer")
            params.update(weight_int=qc.q, weight_scale=scale)
        return params

    def op_MatMul(self, node) -> None:
        act = self.data_input(node)
        if act.onnx_rank != 2:
            self.fail(node, f"MatMul on a rank-{act.onnx_rank} activation; flatten to (N, K) first")
        w, qc = self.weight(node.input[1], node)
        if w.ndim != 2:
            self.fail(node, f"MatMul weight must be 2-D, got {w.shape}")
        self._check_k(node, act, w.shape[0])
        self.add_act(node.output[0])
        self.emit("MatMul", node, [act.name], [node.output[0]], {},
                  self.weight_params(w, qc, 1, node))

    def op_Gemm(self, node) -> None:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if attrs.get("transA", 0):
            self.fail(node, "Gemm with transA=1 is not supported")
        act = self.data_input(node)
        w, qc = self.weight(node.input[1], node)
        if attrs.get("transB", 0):
            w = w.T
            qc = qc.transpose([1, 0]) if qc is not None else None
        if w.ndim != 2:
            self.fail(node, f"Gemm weight must be 2-D, got {w.shape}")
        self._check_k(node, act, w.shape[0])
        out = node.output[0]
        alpha = float(attrs.get("alpha", 1.0))
        beta = float(attrs.get("beta", 1.0))
        has_bias = len(node.input) > 2 and node.input[2]
        mm_out = out if alpha == 1.0 and not has_bias else f"{out}_matmul"
        self.add_act(mm_out, shape=(w.shape[1],))
        self.emit("MatMul", node, [act.name], [mm_out], {}, self.weight_params(w, qc, 1, node))
        cur = mm_out
        if alpha != 1.0:
            nxt = out if not has_bias else f"{out}_alpha"
            self.add_act(nxt, shape=(w.shape[1],))
            self.emit("Mul", node, [cur], [nxt], {}, {"value": np.float32(alpha)}, name=f"{node.name}_alpha")
            cur = nxt
        if has_bias:
            bias = np.asarray(self.plain_const(node.input[2], node), np.float32) * np.float32(beta)
            self.add_act(out, shape=(w.shape[1],))
            self.emit("Add", node, [cur], [out], {}, {"value": np.broadcast_to(bias, (w.shape[1],)).copy()},
                      name=f"{node.name}_bias")

    def op_Conv(self, node) -> None:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        act = self.data_input(node)
        if act.onnx_rank != 4:
            self.fail(node, "only 2-D convolutions (NCHW input) are supported")
        if attrs.get("group", 1) != 1:
            self.fail(node, f"group={attrs['group']} (depthwise/grouped convolution) is not supported; use group=1")
        if any(d != 1 for d in attrs.get("dilations", [1, 1])):
            self.fail(node, "dilated convolutions are not supported")
        if attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
            self.fail(node, "auto_pad is not supported; export with explicit pads")
        w, qc = self.weight(node.input[1], node)
        if w.ndim != 4:
            self.fail(node, f"Conv weight must be 4-D (OC, IC, KH, KW), got {w.shape}")
        self._check_k(node, act, w.shape[1])
        w = np.transpose(w, (0, 2, 3, 1))  # (OC, IC, KH, KW) -> (OC, KH, KW, IC)
        qc = qc.transpose([0, 2, 3, 1]) if qc is not None else None
        pads = tuple(int(p) for p in attrs.get("pads", [0, 0, 0, 0]))
        strides = tuple(int(s) for s in attrs.get("strides", [1, 1]))
        conv_attrs = {"kernel": (w.shape[1], w.shape[2]), "stride": strides,
                      "pads": (pads[0], pads[1], pads[2], pads[3]), "pad_value": 0.0}
        has_bias = len(node.input) > 2 and node.input[2]
        out = node.output[0]
        conv_out = f"{out}_conv" if has_bias else out
        self.add_act(conv_out, shape=self.ir_shape(out))
        self.emit("Conv", node, [act.name], [conv_out], conv_attrs, self.weight_params(w, qc, 0, node))
        if has_bias:
            bias = np.asarray(self.plain_const(node.input[2], node), np.float32).reshape(-1)
            self.add_act(out)
            self.emit("Add", node, [conv_out], [out], {}, {"value": bias}, name=f"{node.name}_bias")

    # element-wise -------------------------------------------------------------------------
    def op_BatchNormalization(self, node) -> None:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if attrs.get("training_mode", 0):
            self.fail(node, "BatchNormalization in training mode; export the model in eval() mode")
        act = self.data_input(node)
        names = ("gamma", "beta", "mean", "var")
        params = {k: np.asarray(self.plain_const(i, node), np.float32).reshape(-1)
                  for k, i in zip(names, node.input[1:5])}
        c = self.tensors[act.name].shape[-1] if self.tensors[act.name].shape else 1
        for k, v in params.items():
            if v.size != c:
                self.fail(node, f"{k} has {v.size} values for {c} channels; re-export the model")
        self.add_act(node.output[0])
        self.emit("BatchNorm", node, [act.name], [node.output[0]],
                  {"epsilon": float(attrs.get("epsilon", 1e-5))}, params)

    def _binary(self, node) -> None:
        a, b = node.input[0], node.input[1]
        if a in self.acts and b in self.acts:
            act = self.acts[a]
            self.add_act(node.output[0])
            self.emit(node.op_type, node, [a, b], [node.output[0]])
            return
        const_first = a not in self.acts
        act = self.data_input(node, 1 if const_first else 0)
        value = self.plain_const(a if const_first else b, node)
        self.add_act(node.output[0])
        self.emit(node.op_type, node, [act.name], [node.output[0]], {"const_first": const_first},
                  {"value": self.channel_param(value, act, node)})

    op_Mul = op_Add = op_Sub = op_Div = _binary

    def op_Relu(self, node) -> None:
        act = self.data_input(node)
        self.add_act(node.output[0])
        self.emit("Relu", node, [act.name], [node.output[0]])

    def op_PRelu(self, node) -> None:
        act = self.data_input(node)
        slope = self.channel_param(self.plain_const(node.input[1], node), act, node)
        self.add_act(node.output[0])
        self.emit("PRelu", node, [act.name], [node.output[0]], {}, {"slope": slope})

    def op_Clip(self, node) -> None:
        act = self.data_input(node)
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        lo = attrs.get("min", -np.inf)
        hi = attrs.get("max", np.inf)
        if len(node.input) > 1 and node.input[1]:
            lo = float(self.plain_const(node.input[1], node))
        if len(node.input) > 2 and node.input[2]:
            hi = float(self.plain_const(node.input[2], node))
        self.add_act(node.output[0])
        self.emit("Clip", node, [act.name], [node.output[0]], {},
                  {"min": np.float32(lo), "max": np.float32(hi)})

    def op_Identity(self, node) -> None:
        if node.input[0] in self.consts:
            self.consts[node.output[0]] = self.consts[node.input[0]]
            return
        act = self.data_input(node)
        self.add_act(node.output[0])
        self.emit("Identity", node, [act.name], [node.output[0]])

    # layout -------------------------------------------------------------------------------
    def op_Transpose(self, node) -> None:
        perm = [int(p) for p in onnx.helper.get_attribute_value(node.attribute[0])] if node.attribute else None
        x = node.input[0]
        if x in self.consts:
            c = self.consts[x]
            nd = np.ndim(c.q if isinstance(c, QuantConst) else c)
            if perm is None:
                perm = list(range(nd))[::-1]
            if sorted(perm) != list(range(nd)):
                self.fail(node, f"perm {perm} does not permute the {nd} axes of constant {x!r}")
            self.consts[node.output[0]] = c.transpose(perm) if isinstance(c, QuantConst) else np.transpose(c, perm)
            return
        self.data_input(node)  # refuses a constant-folded or unknown input first
        if perm is not None and perm == list(range(len(perm))):
            return self.op_Identity(node)
        self.fail(node, "Transpose of an activation is not supported (hwgen keeps activations NHWC); remove it from the model")

    def _flatten(self, node, act: Act) -> None:
        out_shape = self.onnx_shape(node.output[0])
        if len(out_shape) != 2:
            self.fail(node, f"reshape to {out_shape} is not supported; only flattening to (N, K) is")
        self.add_act(node.output[0])
        if act.onnx_rank == 4:
            self.emit("Flatten", node, [act.name], [node.output[0]], {"channels_first": True})
        else:
            self.emit("Flatten", node, [act.name], [node.output[0]], {"channels_first": False})

    def op_Flatten(self, node) -> None:
        act = self.data_input(node)
        axis = 1
        for a in node.attribute:
            if a.name == "axis":
                axis = int(onnx.helper.get_attribute_value(a))
        if axis != 1:
            self.fail(node, f"Flatten with axis={axis}; only axis=1 (keep the batch) is supported")
        self._flatten(node, act)

    def op_Reshape(self, node) -> None:
        x = node.input[0]
        if x in self.consts:
            shape = tuple(int(s) for s in self.plain_const(node.input[1], node))
            c = self.consts[x]
            self.consts[node.output[0]] = c.reshape(shape) if isinstance(c, QuantConst) else np.reshape(c, shape)
            return
        act = self.data_input(node)
        in_shape, out_shape = self.onnx_shape(x), self.onnx_shape(node.output[0])
        if in_shape == out_shape:
            return self.op_Identity(node)
        if len(out_shape) == 2 and out_shape[0] == in_shape[0]:
            return self._flatten(node, act)
        self.fail(node, f"reshape {in_shape} -> {out_shape} is not supported; only flattening to (N, K) is")

    def op_MaxPool(self, node) -> None:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        act = self.data_input(node)
        if act.onnx_rank != 4:
            self.fail(node, "MaxPool needs an NCHW activation")
        if any(d != 1 for d in attrs.get("dilations", [1, 1])):
            self.fail(node, "dilated max pooling is not supported")
        if attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
            self.fail(node, "auto_pad is not supported; export with explicit pads")
        k = tuple(int(v) for v in attrs["kernel_shape"])
        self.add_act(node.output[0])
        self.emit("MaxPool", node, [act.name], [node.output[0]], {
            "kernel": k,
            "stride": tuple(int(v) for v in attrs.get("strides", k)),
            "pads": tuple(int(v) for v in attrs.get("pads", [0, 0, 0, 0])),
            "ceil_mode": bool(attrs.get("ceil_mode", 0)),
        })

    def op_Concat(self, node) -> None:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        acts = [self.data_input(node, i) for i in range(len(node.input))]
        rank = acts[0].onnx_rank
        if any(a.onnx_rank != rank for a in acts) or int(attrs.get("axis", 1)) not in (1, 1 - rank):
            self.fail(node, "only a concatenation along the channel axis (axis=1) is supported")
        self.add_act(node.output[0])
        self.emit("Concat", node, [a.name for a in acts], [node.output[0]], {"axis": -1})

    def op_AveragePool(self, node) -> None:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        act = self.data_input(node)
        if act.onnx_rank != 4:
            self.fail(node, "AveragePool needs an NCHW activation")
        k = tuple(int(v) for v in attrs["kernel_shape"])
        stride = tuple(int(v) for v in attrs.get("strides", k))
        pads = tuple(int(v) for v in attrs.get("pads", [0, 0, 0, 0]))
        if any(pads) or attrs.get("ceil_mode", 0) or stride != k or attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
            self.fail(node, f"average pool kernel {k}, stride {stride}, pads {pads}: only non-overlapping "
                            "windows (stride = kernel, no padding, floor mode) are supported")
        self.add_act(node.output[0])
        self.emit("AvgPool", node, [act.name], [node.output[0]], {"kernel": k, "stride": stride})

    def op_GlobalAveragePool(self, node) -> None:
        act = self.data_input(node)
        if act.onnx_rank != 4:
            self.fail(node, "GlobalAveragePool needs an NCHW activation")
        self.add_act(node.output[0])
        self.emit("GlobalAvgPool", node, [act.name], [node.output[0]])

    def op_Pad(self, node) -> None:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        mode = attrs.get("mode", b"constant")
        mode = mode.decode() if isinstance(mode, bytes) else mode
        if mode != "constant":
            self.fail(node, f"Pad mode {mode!r}; only constant padding is supported")
        act = self.data_input(node)
        if act.onnx_rank != 4:
            self.fail(node, "Pad needs an NCHW activation")
        pads = [int(p) for p in self.plain_const(node.input[1], node)]
        if len(node.input) > 3 and node.input[3]:
            self.fail(node, "Pad with explicit axes is not supported")
        value = float(self.plain_const(node.input[2], node)) if len(node.input) > 2 and node.input[2] else 0.0
        if pads[0] or pads[1] or pads[4] or pads[5]:
            self.fail(node, "padding of the batch or channel axis is not supported")
        self.add_act(node.output[0])
        self.emit("Pad", node, [act.name], [node.output[0]],
                  {"pads": (pads[2], pads[3], pads[6], pads[7]), "value": value})

    def op_ArgMax(self, node) -> None:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        act = self.data_input(node)
        if act.onnx_rank != 2 or attrs.get("axis", 0) not in (1, -1):
            self.fail(node, "ArgMax is supported over the class axis of (N, classes) logits only")
        if attrs.get("select_last_index", 0):
            self.fail(node, "ArgMax with select_last_index=1 is not supported")
        keep = bool(attrs.get("keepdims", 1))
        self.add_act(node.output[0], DataType.int(64))
        self.emit("ArgMax", node, [act.name], [node.output[0]], {"keepdims": keep})

    def op_TopK(self, node) -> None:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        act = self.data_input(node)
        if act.onnx_rank != 2 or attrs.get("axis", -1) not in (1, -1) or not attrs.get("largest", 1):
            self.fail(node, "TopK is supported as largest-k over the class axis of (N, classes) only")
        k = int(np.asarray(self.plain_const(node.input[1], node)).reshape(-1)[0])
        self.add_act(node.output[0])
        self.add_act(node.output[1], DataType.int(64))
        self.emit("TopK", node, [act.name], [node.output[0], node.output[1]], {"k": k})


SUPPORTED_OPS = {
    name[3:] for name in dir(_Converter) if name.startswith("op_")
} | set(PASS_THROUGH)


def _per_axis(full: np.ndarray, axis: int) -> np.ndarray | None:
    """Collapse a broadcast per-channel array to (C,) along ``axis``, or None if not per-axis."""
    moved = np.moveaxis(full, axis, 0).reshape(full.shape[axis], -1)
    if not np.all(moved == moved[:, :1]):
        return None
    v = moved[:, 0].astype(np.float32)
    return np.asarray(v[0]).reshape(()) if np.all(v == v[0]) else v


def _model_name(path: Path) -> str:
    stem = path.name.split(".")[0]
    return "".join(c if c.isalnum() else "_" for c in stem) or "model"


def convert(model, path: str | Path) -> Graph:
    """The float-semantics IR of a cleaned qonnx ``ModelWrapper``."""
    return _Converter(model, Path(path)).run()
