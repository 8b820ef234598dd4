"""Streamline: float-semantics graph -> integer graph, exactly (DESIGN §3).

Every "integer dot product -> per-channel float chain -> quantizer" becomes ``IntConv`` /
``IntMatMul`` on integer codes followed by ``MultiThreshold``; decreasing channels are flipped
into the weights; a max-pool inside a chain moves after the thresholds (max or min per channel).
Nodes before the first quantizer (input scaling, layout) and after the last integer layer (the
float per-class affine) stay float and are marked ``host``: the driver runs them on the CPU.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hwgen.core.datatypes import BIPOLAR, DataType
from hwgen.core.errors import StreamlineError
from hwgen.core.flow import FlowState, step
from hwgen.core.ir import Graph, Node, Tensor, verify
from hwgen.frontend.quant import dequant, quant_dtype
from hwgen.passes.chain import CHAIN_OPS, MAX_TABLE, Source, fold_chain, increasing_same_function

HOST_OPS = ("Transpose", "Identity", "Flatten", "Mul", "Add", "Sub", "Div", "Pad")
# what the host runtime (hwgen.core.host_runtime) runs after the accelerator's output
TAIL_OPS = ("Transpose", "Identity", "Flatten", "Mul", "Add", "Sub", "Div", "BatchNorm", "Relu", "PRelu",
            "Clip", "ArgMax", "TopK")
QUANTIZERS = ("Quant", "BipolarQuant")
LINEAR = ("MatMul", "Conv")
MERGE_OPS = ("Add", "Concat")  # with two or more tensor inputs: branches meet
AVG_POOLS = ("AvgPool", "GlobalAvgPool")  # the float IR's ops (the units are named AveragePool, ...)


@dataclass(frozen=True)
class QInfo:
    """How an integer tensor's codes map to the float graph's values: (q - zeropt) * scale."""

    dtype: DataType
    scale: np.ndarray  # () or (C,)
    zeropt: np.ndarray  # () or (C,)


def quantizer_info(q: Node) -> QInfo:
    """Datatype, scale and zero point of the integer codes a Quant/BipolarQuant node produces."""
    if q.op == "BipolarQuant":
        return QInfo(BIPOLAR, q.params["scale"], np.zeros((), np.float32))
    a = q.attrs
    return QInfo(quant_dtype(a["bits"], a["signed"], a["narrow"]), q.params["scale"], q.params["zeropt"])


def _scalar(a: np.ndarray, what: str, where: str) -> float:
    a = np.asarray(a)
    if a.size != 1 and not np.all(a == a.reshape(-1)[0]):
        raise StreamlineError(
            f"{where}: the {what} is per channel; the integer dot product needs one {what} for "
            "the whole input tensor (use a per-tensor activation quantizer)"
        )
    return float(a.reshape(-1)[0])


def _describe(v: np.ndarray) -> str:
    v = np.asarray(v).reshape(-1)
    return f"{float(v[0]):g}" if v.size == 1 or np.all(v == v[0]) else f"per channel {float(v.min()):g}..{float(v.max()):g}"


def _power_of_two(v: float) -> bool:
    """True if ``v`` is 2^k: products with small integers are then exact in float32."""
    m, _ = np.frexp(np.float64(v))
    return bool(m == 0.5)


class _Streamliner:
    def __init__(self, g: Graph):
        self.g = g
        self.nodes: list[Node] = []
        self.tensors: dict[str, Tensor] = dict(g.tensors)
        self.q: dict[str, QInfo] = {}
        self.inexact: list[str] = []  # layers whose float reference rounds (non power-of-two scales)
        self.done: set[str] = set()
        self.host: set[str] = set(g.inputs)  # float tensors computed on the host from the input
        self.tail: set[str] = set()  # float tensors the host computes from the accelerator's output

    def fail(self, node: Node, msg: str):
        raise StreamlineError(f"node {node.name!r} ({node.op}): {msg}")

    def only_consumer(self, tensor: str) -> Node | None:
        """The one reader of a float tensor inside a chain (a quantized tensor may fork freely:
        each reader is visited on its own)."""
        cons = self.g.consumers(tensor)
        if tensor in self.g.outputs:
            return None if not cons else self._branch(tensor)
        if len(cons) > 1:
            self._branch(tensor)
        return cons[0] if cons else None

    def _branch(self, tensor: str):
        names = [n.name for n in self.g.consumers(tensor)]
        raise StreamlineError(
            f"tensor {tensor!r} feeds several nodes {names} before it is quantized: the float "
            "value cannot be carried by integer hardware; put it through a quantizer (Brevitas "
            "QuantIdentity) before it branches"
        )

    def run(self) -> Graph:
        for node in self.g.nodes:
            if node.name in self.done:
                continue
            self.visit(node)
        g = self.g.evolve(meta={**self.g.meta, "stage": "integer", "inexact_scales": tuple(self.inexact)})
        return verify(g.with_nodes(self.nodes, self.tensors))

    # dispatch -----------------------------------------------------------------------------
    def visit(self, node: Node) -> None:
        x = node.inputs[0] if node.inputs else None
        if node.op in MERGE_OPS and len(node.inputs) > 1 and not all(t in self.host for t in node.inputs):
            return self.int_merge(node)
        if x in self.host:
            return self.visit_host(node)
        if x not in self.q:
            self.fail(node, "reads a float tensor that is not the output of a quantizer; "
                            "insert a Brevitas QuantIdentity/quantized activation before it")
        if node.op in AVG_POOLS:
            return self.int_avg_pool(node)
        if node.op in LINEAR:
            return self.fold_linear(node)
        if node.op in QUANTIZERS or node.op in CHAIN_OPS or node.op == "MaxPool":
            if node.op == "MaxPool" and self._pool_is_plain(node):
                return self.int_pool(node)
            return self.fold_standalone(node)
        if node.op == "Flatten":
            return self.int_flatten(node)
        if node.op in ("ArgMax", "TopK"):
            return self.int_select(node)
        if node.op == "Pad":
            self.fail(node, "padding must feed a convolution directly")
        self.fail(node, "operator not supported between quantized layers")

    def visit_host(self, node: Node) -> None:
        if node.inputs[0] in self.tail:
            return self.host_tail(node)
        if node.op in QUANTIZERS:
            return self.input_quantizer(node)
        if node.op in LINEAR:
            self.fail(node, "this layer's input is not quantized (a float layer); quantize its "
                            "input (Brevitas QuantIdentity) and weights so it maps to integer hardware")
        if node.op not in HOST_OPS:
            self.fail(node, "only scaling and layout ops may precede the first quantizer (they run on the host)")
        self.nodes.append(node.with_attrs(host=True))
        self.host.update(node.outputs)

    def host_tail(self, node: Node) -> None:
        """After the last accumulator the host runs the float tail, ArgMax/TopK included (the
        hardware LabelSelect is kept where it is exact: see ``no_activation``)."""
        if node.op not in TAIL_OPS:
            self.fail(node, f"runs on the host after the accelerator's last layer, where only "
                            f"{', '.join(TAIL_OPS)} are supported; end the model with a linear layer "
                            "(and an optional float affine/BatchNorm, ArgMax or TopK)")
        self.nodes.append(node.with_attrs(host=True))
        self.host.update(node.outputs)
        self.tail.update(node.outputs)

    # the input quantizer (host side) --------------------------------------------------------
    def input_quantizer(self, node: Node) -> None:
        out = node.outputs[0]
        if node.op == "BipolarQuant":
            attrs = {"bipolar": True, "bits": 1, "signed": True, "narrow": False, "rounding_mode": "ROUND"}
        else:
            attrs = {"bipolar": False, **node.attrs}
        self.nodes.append(Node("QuantInt", node.name, node.inputs, node.outputs,
                               {**attrs, "host": True}, dict(node.params)))
        self.q[out] = info = quantizer_info(node)
        self.tensors[out] = Tensor(out, self.tensors[out].shape, info.dtype)

    # layout ops on integer tensors ------------------------------------------------------------
    def int_flatten(self, node: Node) -> None:
        info = self.q[node.inputs[0]]
        if np.asarray(info.scale).size > 1 and node.attrs.get("channels_first"):
            self.fail(node, "flattening a per-channel-scaled tensor is not supported")
        out = node.outputs[0]
        self.nodes.append(node)
        self.tensors[out] = Tensor(out, self.tensors[out].shape, info.dtype)
        self.q[out] = info

    def _pool_is_plain(self, node: Node) -> bool:
        """A max-pool on quantized codes that is not followed by a float chain (a forked
        output is plain: each reader handles its own chain)."""
        out = node.outputs[0]
        cons = self.g.consumers(out)
        if out in self.g.outputs or len(cons) != 1:
            return True
        nxt = cons[0]
        return nxt.op not in CHAIN_OPS + QUANTIZERS or (nxt.op in MERGE_OPS and len(nxt.inputs) > 1)

    def int_pool(self, node: Node) -> None:
        info = self.q[node.inputs[0]]
        out = node.outputs[0]
        self.nodes.append(node)
        self.tensors[out] = Tensor(out, self.tensors[out].shape, info.dtype)
        self.q[out] = info

    # branches meet: integer add, concat -----------------------------------------------------------
    def int_merge(self, node: Node) -> None:
        floats = [t for t in node.inputs if t not in self.q]
        if floats:
            self._float_merge(node, floats[0])
        shapes = {self.tensors[t].shape[:-1] if node.op == "Concat" else self.tensors[t].shape for t in node.inputs}
        if len(shapes) != 1:
            self.fail(node, f"inputs of shapes {[self.tensors[t].shape for t in node.inputs]}; broadcasting "
                            "between branches is not supported")
        return self.int_add(node) if node.op == "Add" else self.int_concat(node)

    def int_add(self, node: Node) -> None:
        """``a + b`` of two quantized tensors as an integer add, aligned by shifts (DESIGN §3)."""
        a, b = node.inputs
        ia, ib = self.q[a], self.q[b]
        if BIPOLAR in (ia.dtype, ib.dtype):
            self.fail(node, "adds a bipolar (+-1) tensor; put that branch through the shortcut's "
                            "multi-bit quantizer before the Add")
        C = self.tensors[a].channels
        sa = np.broadcast_to(np.asarray(ia.scale, np.float64), (C,))
        sb = np.broadcast_to(np.asarray(ib.scale, np.float64), (C,))
        k = np.round(np.log2(sa / sb))
        if not (np.all(np.exp2(k) == sa / sb) and np.all(k == k[0])):
            self.fail(node, f"the scales of its inputs ({_describe(ia.scale)} and {_describe(ib.scale)}) are "
                            "not equal or a power of two apart, so the sum is not an integer add; put both "
                            "branches through one quantizer (the shortcut's) before the Add")
        k = int(k[0])
        sha, shb = (k, 0) if k >= 0 else (0, -k)
        scale = ib.scale if k >= 0 else ia.scale
        offset = np.asarray(ia.zeropt, np.float64) * 2.0**sha + np.asarray(ib.zeropt, np.float64) * 2.0**shb
        lo = (ia.dtype.min << sha) + (ib.dtype.min << shb)
        hi = (ia.dtype.max << sha) + (ib.dtype.max << shb)
        self._check_sum_exact(node, ia, ib, (sha, shb), np.asarray(scale, np.float64), offset, C)
        dtype = DataType.smallest(lo, hi)
        out = node.outputs[0]
        self.nodes.append(Node("IntAdd", node.name, (a, b), (out,), {"shifts": (sha, shb)}))
        self.tensors[out] = Tensor(out, self.tensors[out].shape, dtype)
        self.q[out] = QInfo(dtype, np.asarray(scale), offset)

    def _check_sum_exact(self, node, ia: QInfo, ib: QInfo, shifts, scale, offset, C: int) -> None:
        """The reference adds two dequantized float32 tensors; check on every reachable code
        pair that this float sum is what the integer sum dequantizes to (it is, for power-of-two
        scales; equal other scales may round)."""
        qa = np.arange(ia.dtype.min, ia.dtype.max + 1)
        qb = np.arange(ib.dtype.min, ib.dtype.max + 1)
        if qa.size * qb.size > MAX_TABLE:
            return self.fail(node, "the addends are too wide to check the float sum on every code pair; "
                                   "requantize them to at most 12 bits before the Add")
        per_channel = any(np.asarray(v).size > 1 for v in (ia.scale, ib.scale, ia.zeropt, ib.zeropt))
        for c in range(C if per_channel else 1):
            def at(v, c=c):
                v = np.asarray(v, np.float32).reshape(-1)
                return v[c] if v.size > 1 else v[0]
            va = dequant(qa.astype(np.float32), at(ia.scale), at(ia.zeropt)).astype(np.float32)
            vb = dequant(qb.astype(np.float32), at(ib.scale), at(ib.zeropt)).astype(np.float32)
            ref = (va[:, None] + vb[None, :]).astype(np.float32)
            total = (qa[:, None] << shifts[0]) + (qb[None, :] << shifts[1])
            s = scale.reshape(-1)[c if scale.size > 1 else 0]
            off = offset.reshape(-1)[c if offset.size > 1 else 0]
            mine = ((total.astype(np.float64) - off) * s).astype(np.float32)
            if not np.array_equal(ref, mine):
                self.fail(node, f"the float sum of its quantized inputs rounds (scales {_describe(ia.scale)}, "
                                f"{_describe(ib.scale)}), so no integer add reproduces it; use power-of-two "
                                "scales (e.g. one shared power-of-two quantizer for both branches)")

    def int_concat(self, node: Node) -> None:
        """A channel concat of quantized tensors of one type: wiring (per-channel scales kept)."""
        infos = [self.q[t] for t in node.inputs]
        if len({i.dtype for i in infos}) != 1:
            self.fail(node, f"joins tensors of different integer types ({', '.join(str(i.dtype) for i in infos)}); "
                            "quantize the branches alike before the Concat")
        out = node.outputs[0]

        def joined(vals: list[np.ndarray]) -> np.ndarray:
            if all(np.asarray(v).size == 1 for v in vals) and len({float(np.asarray(v).reshape(-1)[0]) for v in vals}) == 1:
                return np.asarray(vals[0])
            return np.concatenate([np.broadcast_to(np.asarray(v, np.float64), (self.tensors[t].channels,))
                                   for v, t in zip(vals, node.inputs)])

        info = QInfo(infos[0].dtype, joined([i.scale for i in infos]), joined([i.zeropt for i in infos]))
        self.nodes.append(Node("Concat", node.name, node.inputs, (out,), {"axis": -1}))
        self.tensors[out] = Tensor(out, self.tensors[out].shape, info.dtype)
        self.q[out] = info

    def int_avg_pool(self, node: Node) -> None:
        """An average pool as integer window sums; the division by the window size and the chain
        after it fold into the thresholds of the quantizer that follows (DESIGN §3)."""
        x, out = node.inputs[0], node.outputs[0]
        info = self.q[x]
        if info.dtype == BIPOLAR:
            self.fail(node, "averages a bipolar (+-1) tensor; average the multi-bit tensor before the sign")
        h, w, C = self.tensors[x].shape
        is_global = node.op == "GlobalAvgPool"
        kernel = (h, w) if is_global else tuple(node.attrs["kernel"])
        n = kernel[0] * kernel[1]
        s = np.broadcast_to(np.asarray(info.scale, np.float64), (C,))
        zp = np.broadcast_to(np.asarray(info.zeropt, np.float64), (C,))
        if not (all(_power_of_two(v) for v in s) and np.all(zp == np.round(zp))):
            self.fail(node, "its input's scale is not a power of two (or its zero point not an integer), so "
                            "the float window sum rounds; use a power-of-two scale quantizer before the pool")
        lo, hi = n * info.dtype.min, n * info.dtype.max
        if max(abs(lo), abs(hi)) >= 2**24:
            self.fail(node, f"window sums up to {max(abs(lo), abs(hi))} are not exact in float32")
        pre, pool, post, qnode = self.collect_chain(out)
        if qnode is None:
            self.fail(node, "an average pool must be followed by a quantizer: the division and the chain "
                            "after it fold into that quantizer's thresholds")
        # the reference divides the float32 window sum by the window size (onnxruntime)
        div = Node("Div", f"{node.name}_div", (out,), (out,), {}, {"value": np.asarray(np.float32(n))})
        src = Source(np.full(C, lo), np.full(C, hi), s, zp * n)
        folded = fold_chain(src, [div] + pre, post, qnode, can_flip=False, where=f"node {qnode.name!r}")
        sums = f"{out}_sums"
        self.tensors[sums] = Tensor(sums, self.tensors[out].shape, DataType.smallest(lo, hi))
        self.nodes.append(Node("WindowSum", node.name, (x,), (sums,), {"kernel": kernel, "global": is_global}))
        shape = self.tensors[pre[-1].outputs[0] if pre else out].shape
        self.emit_thresholds(sums, folded, pre, pool, post, qnode, shape)

    # chains -----------------------------------------------------------------------------------
    def collect_chain(self, start: str, first: Node | None = None
                      ) -> tuple[list[Node], Node | None, list[Node] | None, Node | None]:
        """Follow single consumers from ``start`` (or from ``first``, one reader of a forked
        integer tensor) through element-wise ops and at most one pool.

        Returns (pre_pool, pool, post_pool, quantizer); quantizer is None when the chain ends
        without one (the last layer).
        """
        pre: list[Node] = []
        post: list[Node] | None = None
        pool = None
        cur = start
        while True:
            nxt, first = (first, None) if first is not None else (self.only_consumer(cur), None)
            if nxt is None:
                return pre, pool, post, None
            if (nxt.op in MERGE_OPS and len(nxt.inputs) > 1) or nxt.op in AVG_POOLS:
                self._float_merge(nxt, cur)
            if nxt.op in CHAIN_OPS and len(nxt.inputs) == 1:
                (pre if post is None else post).append(nxt)
            elif nxt.op == "MaxPool" and pool is None:
                pool, post = nxt, []
            elif nxt.op in QUANTIZERS:
                return pre, pool, post, nxt
            else:
                return pre, pool, post, None
            cur = nxt.outputs[0]

    def _float_merge(self, node: Node, tensor: str) -> None:
        if node.op in AVG_POOLS:
            raise StreamlineError(
                f"node {node.name!r} ({node.op}): averages the float tensor {tensor!r} (not the output "
                "of a quantizer); quantize it before the pool so the window sums are integers")
        fix = ("put the branch through the shortcut's quantizer (the same Brevitas QuantIdentity, "
               "or one with the same power-of-two scale) before the " + node.op)
        raise StreamlineError(
            f"node {node.name!r} ({node.op}): {'adds' if node.op == 'Add' else 'joins'} the float tensor "
            f"{tensor!r} (not the output of a quantizer) to a quantized one, so the float reference "
            f"cannot be reproduced exactly; {fix}")

    def fold_standalone(self, node: Node) -> None:
        """A quantizer (after an optional float chain) applied to an integer tensor."""
        x = node.inputs[0]
        info = self.q[x]
        C = self.tensors[x].channels
        s = np.broadcast_to(np.asarray(info.scale, np.float64), (C,))
        off = np.broadcast_to(np.asarray(info.zeropt, np.float64), (C,))
        src = Source(np.full(C, info.dtype.min), np.full(C, info.dtype.max), s, off)
        # the chain starts at this node (x may feed other readers too)
        pre, pool, post, qnode = self.collect_chain(x, first=node)
        if qnode is None:
            self.fail(node, "a float op on quantized values that does not end in a quantizer")
        folded = fold_chain(src, pre, post, qnode, can_flip=False, where=f"node {qnode.name!r}")
        shape = self.tensors[pre[-1].outputs[0] if pre else x].shape
        self.emit_thresholds(x, folded, pre, pool, post, qnode, shape)

    def fold_linear(self, node: Node) -> None:
        x = node.inputs[0]
        info = self.q[x]
        where = f"node {node.name!r} ({node.op})"
        if "weight_int" not in node.params:
            self.fail(node, "the weights are not quantized (a float layer); use a Brevitas quantized "
                            "layer (e.g. QuantLinear/QuantConv2d with a binary weight quantizer)")
        s_x = _scalar(info.scale, "input scale", where)
        zp_x = _scalar(info.zeropt, "input zero point", where)
        w_int = node.params["weight_int"].astype(np.int64)
        if node.op == "MatMul":
            w_rows = w_int.T  # (M, K)
        else:
            w_rows = w_int.reshape(w_int.shape[0], -1)  # (OC, KH*KW*IC)
        C = w_rows.shape[0]
        s_w = np.broadcast_to(np.asarray(node.params["weight_scale"], np.float64), (C,))
        if not (_power_of_two(s_x) and all(_power_of_two(v) for v in s_w)):
            self.inexact.append(node.name)
        xlo, xhi = info.dtype.min, info.dtype.max
        lo = np.minimum(w_rows * xlo, w_rows * xhi).sum(1)
        hi = np.maximum(w_rows * xlo, w_rows * xhi).sum(1)
        pad_int = 0
        if node.op == "Conv":
            pad_int = self._pad_code(node, info, s_x, zp_x)
        src = Source(lo, hi, np.float64(s_x) * s_w, np.float64(zp_x) * w_rows.sum(1).astype(np.float64))
        pre, pool, post, qnode = self.collect_chain(node.outputs[0])
        acc = f"{node.outputs[0]}_acc"
        wdtype = BIPOLAR if np.all(np.abs(w_int) == 1) else DataType.smallest(int(w_int.min()), int(w_int.max()))
        bound = int(np.abs(w_rows).sum(1).max() * max(abs(xlo), abs(xhi)))
        out_shape = self.tensors[node.outputs[0]].shape
        if qnode is None:
            return self.no_activation(node, src, acc, w_int, wdtype, bound, pad_int, pre, pool, post, out_shape)
        folded = fold_chain(src, pre, post, qnode, can_flip=True, where=where)
        sign = np.where(folded.flipped, -1, 1)
        w_flipped = (w_int.T * sign).T if node.op == "Conv" else w_int * sign
        lo_f = np.where(folded.flipped, -hi, lo)
        hi_f = np.where(folded.flipped, -lo, hi)
        acc_dtype = DataType.smallest(int(lo_f.min()), int(hi_f.max()))
        self._emit_linear(node, x, acc, w_flipped, wdtype, acc_dtype, bound, pad_int, out_shape)
        # fold_chain already expressed the thresholds against the flipped accumulator
        self.emit_thresholds(acc, folded, pre, pool, post, qnode, out_shape)

    def emit_thresholds(self, acc, folded, pre, pool, post, qnode, shape):
        """MultiThreshold (and the pool moved after it) replacing a folded chain."""
        out = qnode.outputs[0]
        info = quantizer_info(qnode)
        dtype = info.dtype
        th = folded.thresholds
        th_dtype = DataType.smallest(int(th.min()), int(th.max()))
        thr_out = out if pool is None else f"{out}_prepool"
        self.tensors[thr_out] = Tensor(thr_out, shape, dtype)
        self.nodes.append(Node(
            "MultiThreshold", qnode.name, (acc,), (thr_out,),
            {"out_base": folded.out_base, "out_step": folded.out_step, "out_dtype": str(dtype),
             "threshold_dtype": str(th_dtype)},
            {"thresholds": th},
        ))
        if pool is not None:
            min_mask = folded.pre_pool_increasing == folded.flipped
            self.nodes.append(Node("MaxPool", pool.name, (thr_out,), (out,), dict(pool.attrs),
                                   {"min_mask": min_mask} if min_mask.any() else {}))
            self.tensors[out] = Tensor(out, self.tensors[pool.outputs[0]].shape, dtype)
        for n in pre + (post or []) + ([pool] if pool else []) + [qnode]:
            self.done.add(n.name)
        self.q[out] = info

    def _pad_code(self, node: Node, info: QInfo, s_x: float, zp_x: float) -> int:
        if not any(node.attrs["pads"]):
            return 0
        v = np.float32(node.attrs["pad_value"])
        code = float(v / np.float32(s_x) + np.float32(zp_x))
        if info.dtype == BIPOLAR and code not in (-1.0, 1.0):
            self.fail(node, f"pads a bipolar (+-1) input with {float(v)}: a 1-bit signal cannot carry "
                            "that value, so the hardware cannot reproduce the trained model; train "
                            "with padding value -1 or +1 (explicit constant Pad before the conv) or "
                            "use valid convolutions (padding=0)")
        if code != round(code) or not info.dtype.min <= code <= info.dtype.max:
            self.fail(node, f"padding value {float(v)} is not representable in the input's {info.dtype} "
                            "codes; pad with a value on the quantization grid (usually 0)")
        return int(code)

    def _emit_linear(self, node, x, acc, w, wdtype, acc_dtype, bound, pad_int, out_shape):
        self.tensors[acc] = Tensor(acc, out_shape, acc_dtype)
        attrs = {"acc_bound": bound, "weight_dtype": str(wdtype), "acc_dtype": str(acc_dtype)}
        if node.op == "Conv":
            attrs.update(kernel=node.attrs["kernel"], stride=node.attrs["stride"],
                         pads=node.attrs["pads"], pad_value=pad_int)
            self.nodes.append(Node("IntConv", node.name, (x,), (acc,), attrs, {"weight": w}))
        else:
            self.nodes.append(Node("IntMatMul", node.name, (x,), (acc,), attrs, {"weight": w}))

    def no_activation(self, node, src, acc, w_int, wdtype, bound, pad_int, pre, pool, post, out_shape):
        """The last layer: integer accumulator out; the float chain after it runs on the host."""
        acc_dtype = DataType.smallest(int(src.lo.min()), int(src.hi.max()))
        x = node.inputs[0]
        self._emit_linear(node, x, acc, w_int, wdtype, acc_dtype, bound, pad_int, out_shape)
        chain = pre + ([pool] if pool else []) + (post or [])
        end = chain[-1].outputs[0] if chain else node.outputs[0]
        select = self.only_consumer(end)
        if (select is not None and select.op in ("ArgMax", "TopK") and pool is None
                and not (select.op == "TopK" and select.outputs[0] in self.g.outputs)
                and increasing_same_function(src, pre)):
            # an argmax over one strictly increasing function of the accumulators: select in hardware
            for n in chain:
                self.done.add(n.name)
            self.done.add(select.name)
            self._emit_select(select, acc)
            return
        self.nodes.append(Node("Dequant", f"{node.name}_dequant", (acc,), (node.outputs[0],),
                               {"host": True}, {"scale": src.scale, "offset": src.offset}))
        self.host.add(node.outputs[0])
        self.tail.add(node.outputs[0])
        for n in chain:
            self.nodes.append(n.with_attrs(host=True))
            self.host.update(n.outputs)
            self.tail.update(n.outputs)
            self.done.add(n.name)

    def _emit_select(self, select: Node, acc: str) -> None:
        if select.op == "ArgMax":
            out = select.outputs[0]
            self.nodes.append(Node("ArgMax", select.name, (acc,), (out,), dict(select.attrs)))
        else:
            self.nodes.append(Node("TopK", select.name, (acc,), select.outputs, dict(select.attrs)))
            v = select.outputs[0]
            self.tensors[v] = Tensor(v, self.tensors[v].shape, DataType.int(32))

    def int_select(self, node: Node) -> None:
        """ArgMax/TopK directly on quantized codes: one positive scale for all classes keeps the order."""
        info = self.q[node.inputs[0]]
        where = f"node {node.name!r} ({node.op})"
        _scalar(info.scale, "scale of the class scores", where)
        _scalar(info.zeropt, "zero point of the class scores", where)
        self.nodes.append(node.with_attrs(host=False))


def streamline(graph: Graph) -> Graph:
    """The integer graph equivalent to the float-semantics ``graph`` (see module docstring)."""
    g = merge_pads(bypass_identities(graph))
    g = _Streamliner(g).run()
    return absorb_flatten_order(g)


def bypass_identities(g: Graph) -> Graph:
    """Remove Identity nodes (the graph input's own Identity stays: it names the input)."""
    for n in g.nodes:
        if n.op == "Identity" and n.inputs[0] not in g.inputs and n.outputs[0] not in g.outputs:
            g = g.with_nodes([m for m in g.nodes if m is not n]).rename_tensor(n.outputs[0], n.inputs[0])
            return bypass_identities(g)
    return g


def merge_pads(g: Graph) -> Graph:
    """Fold a constant Pad that feeds only convolutions (one, or several branches) into their
    pads and pad value."""
    for n in g.nodes:
        if n.op != "Pad":
            continue
        cons = g.consumers(n.outputs[0])
        if not cons or any(c.op != "Conv" or any(c.attrs["pads"]) for c in cons) or n.outputs[0] in g.outputs:
            raise StreamlineError(
                f"node {n.name!r} (Pad): padding must feed convolutions that have no padding of their own"
            )
        t, l, b, r = n.attrs["pads"]
        new = {c.name: c.evolve(inputs=(n.inputs[0],) + c.inputs[1:]).with_attrs(
            pads=(t, l, b, r), pad_value=float(n.attrs["value"])) for c in cons}
        nodes = [new.get(m.name, m) for m in g.nodes if m is not n]
        return merge_pads(g.with_nodes(nodes))
    return g


def absorb_flatten_order(g: Graph) -> Graph:
    """Turn a channels-first Flatten of an (H, W, C) map feeding an IntMatMul into a plain
    NHWC flatten by permuting the weight rows, so the hardware stream order needs no reorder."""
    for n in g.nodes:
        if n.op != "Flatten" or not n.attrs.get("channels_first"):
            continue
        shape = g.tensors[n.inputs[0]].shape
        cons = g.consumers(n.outputs[0])
        if len(shape) != 3 or shape[0] * shape[1] == 1:
            g = g.replace_node(n, [n.with_attrs(channels_first=False)])
            return absorb_flatten_order(g)
        if len(cons) == 1 and cons[0].op == "IntMatMul":
            h, w, c = shape
            mm = cons[0]
            wt = mm.params["weight"]  # rows in (c, h, w) order -> reorder to (h, w, c)
            new_w = wt.reshape(c, h, w, -1).transpose(1, 2, 0, 3).reshape(h * w * c, -1)
            g = g.replace_node(mm, [mm.with_params(weight=new_w)])
            g = g.replace_node(g.node(n.name), [n.with_attrs(channels_first=False)])
            return absorb_flatten_order(g)
    return g


@step("streamline")
def _streamline_step(state: FlowState) -> FlowState:
    return state.with_stage("integer", streamline(state.graph))
