"""Lower: integer graph -> hardware-unit graph (DESIGN §4).

IntConv -> SlidingWindow + MVAU; IntMatMul -> MVAU (thresholds of a following MultiThreshold
fused in); standalone MultiThreshold -> Thresholding; MaxPool -> StreamingMaxPool;
ArgMax/TopK -> LabelSelect; IntAdd -> AddStreams; Concat -> StreamingConcat; WindowSum ->
AveragePool / GlobalAveragePool; Flatten disappears (an NHWC stream is already flat). A tensor
read by several units gets a DuplicateStreams (one reader per stream). Bipolar
tensors become binary (bit 1 = +1): XNOR-popcount MVAUs get thresholds in the popcount domain.
Host nodes (input quantizer, output affine) stay as they are.
"""

from __future__ import annotations

import numpy as np

from hwgen.core.datatypes import BINARY, BIPOLAR, DataType
from hwgen.core.errors import LoweringError
from hwgen.core.flow import FlowState, step
from hwgen.core.ir import Graph, Node, Tensor, verify
from hwgen.units import (
    MVAU,
    AddStreams,
    AveragePool,
    DuplicateStreams,
    GlobalAveragePool,
    LabelSelect,
    SlidingWindow,
    StreamingConcat,
    StreamingMaxPool,
    Thresholding,
    is_unit,
)
from hwgen.units.duplicate import MAX_OUTPUTS


def _hw_dtype(dt: DataType) -> DataType:
    return BINARY if dt == BIPOLAR else dt


def popcount_thresholds(thresholds: np.ndarray, k: int) -> np.ndarray:
    """acc = 2*p - k, so acc >= T  <=>  p >= ceil((T + k) / 2)."""
    return -((-(thresholds + k)) // 2)


class _Lowerer:
    def __init__(self, g: Graph):
        self.g = g
        self.nodes: list[Node] = []
        self.tensors: dict[str, Tensor] = {n: Tensor(n, t.shape, _hw_dtype(t.dtype)) for n, t in g.tensors.items()}
        self.done: set[str] = set()
        self.alias: dict[str, str] = {}

    def src(self, t: str) -> str:
        return self.alias.get(t, t)

    def fail(self, node: Node, msg: str):
        raise LoweringError(f"node {node.name!r} ({node.op}): {msg}")

    def run(self) -> Graph:
        for n in self.g.nodes:
            if n.name in self.done:
                continue
            if n.attrs.get("host"):
                self.host(n)
                continue
            handler = getattr(self, f"lower_{n.op}", None)
            if handler is None:
                self.fail(n, "no hardware unit implements this op")
            handler(n)
        outputs = tuple(self.src(o) for o in self.g.outputs)
        g = self.g.evolve(outputs=outputs, meta={**self.g.meta, "stage": "hardware"})
        return verify(insert_forks(g.with_nodes(self.nodes, self.tensors)))

    def host(self, n: Node) -> None:
        n = n.evolve(inputs=tuple(self.src(t) for t in n.inputs))
        if n.op == "QuantInt" and n.attrs["bipolar"]:
            n = n.with_attrs(as_bits=True)
        self.nodes.append(n)

    def fused_threshold(self, acc: str) -> Node | None:
        cons = self.g.consumers(acc)
        if len(cons) == 1 and cons[0].op == "MultiThreshold" and acc not in self.g.outputs:
            return cons[0]
        return None

    def mvau(self, n: Node, x: str, w_rows: np.ndarray, reps: int, in_shape) -> None:
        idt = self.g.tensors[n.inputs[0]].dtype
        wdt = DataType.parse(n.attrs["weight_dtype"])
        binary_w = wdt == BIPOLAR
        if idt == BIPOLAR and not binary_w:
            self.fail(n, "bipolar activations with multi-bit weights are not supported; use binary weights or unsigned activations")
        mode = "xnor" if idt == BIPOLAR else "int"
        mh, mw = w_rows.shape
        weights = (w_rows > 0).astype(np.int8) if binary_w else w_rows.astype(np.int64)
        mt = self.fused_threshold(n.outputs[0])
        acc_dt = n.attrs["acc_dtype"]
        if mt is None:
            out, thresholds, odt, base, step = n.outputs[0], None, acc_dt, 0, 1
        else:
            self.done.add(mt.name)
            out = mt.outputs[0]
            thresholds = mt.params["thresholds"]
            if mode == "xnor":
                thresholds = popcount_thresholds(thresholds, mw)
            odt = str(_hw_dtype(DataType.parse(mt.attrs["out_dtype"])))
            base, step = mt.attrs["out_base"], mt.attrs["out_step"]
            if mt.attrs["out_dtype"] == "bipolar":
                base, step = 0, 1  # the bit itself
        unit = MVAU(
            name=n.name, mw=mw, mh=mh, reps=reps, mode=mode, binary_weights=binary_w,
            idt=str(_hw_dtype(idt)), wdt="binary" if binary_w else str(wdt), acc_dt=acc_dt,
            odt=odt, out_base=base, out_step=step, weights=weights, thresholds=thresholds,
        )
        self.nodes.append(unit.to_node((x,), (out,)))

    def lower_IntMatMul(self, n: Node) -> None:
        w = n.params["weight"]  # (K, M)
        self.mvau(n, self.src(n.inputs[0]), np.ascontiguousarray(w.T), 1, None)

    def lower_IntConv(self, n: Node) -> None:
        a = n.attrs
        x = self.src(n.inputs[0])
        h, w_, c = self.g.tensors[n.inputs[0]].shape
        idt = self.g.tensors[n.inputs[0]].dtype
        pad = a["pad_value"]
        if idt == BIPOLAR:
            pad = 1 if pad > 0 else 0
        swu = SlidingWindow(name=f"{n.name}_swu", ifm_dim=(h, w_), channels=c, kernel=tuple(a["kernel"]),
                            stride=tuple(a["stride"]), pads=tuple(a["pads"]), pad_value=int(pad),
                            idt=str(_hw_dtype(idt)))
        oh, ow = swu.ofm_dim
        cols = f"{n.outputs[0]}_windows"
        k = a["kernel"][0] * a["kernel"][1] * c
        self.tensors[cols] = Tensor(cols, (oh, ow, k), _hw_dtype(idt))
        self.nodes.append(swu.to_node((x,), (cols,)))
        wt = n.params["weight"]
        self.mvau(n, cols, wt.reshape(wt.shape[0], -1), oh * ow, (oh, ow))

    def lower_MultiThreshold(self, n: Node) -> None:
        x = self.src(n.inputs[0])
        shape = self.g.tensors[n.inputs[0]].shape
        idt = self.g.tensors[n.inputs[0]].dtype
        if idt == BIPOLAR:
            self.fail(n, "a standalone threshold on bipolar data; fold it into the preceding layer")
        bip = n.attrs["out_dtype"] == "bipolar"
        unit = Thresholding(
            name=n.name, channels=shape[-1], pixels=int(np.prod(shape[:-1], dtype=np.int64)),
            idt=str(idt), odt=str(_hw_dtype(DataType.parse(n.attrs["out_dtype"]))),
            out_base=0 if bip else n.attrs["out_base"], out_step=1 if bip else n.attrs["out_step"],
            thresholds=n.params["thresholds"],
        )
        self.nodes.append(unit.to_node((x,), n.outputs))

    def lower_MaxPool(self, n: Node) -> None:
        a = n.attrs
        h, w, c = self.g.tensors[n.inputs[0]].shape
        mask = n.params.get("min_mask")
        unit = StreamingMaxPool(
            name=n.name, ifm_dim=(h, w), channels=c, kernel=tuple(a["kernel"]), stride=tuple(a["stride"]),
            pads=tuple(a["pads"]), ceil_mode=bool(a.get("ceil_mode", False)),
            idt=str(self.tensors[n.inputs[0]].dtype), min_mask=mask,
        )
        self.nodes.append(unit.to_node((self.src(n.inputs[0]),), n.outputs))

    def _pixels_channels(self, t: str) -> tuple[int, int]:
        shape = self.tensors[t].shape
        return int(np.prod(shape[:-1], dtype=np.int64)), int(shape[-1])

    def lower_IntAdd(self, n: Node) -> None:
        a, b = (self.src(t) for t in n.inputs)
        pixels, c = self._pixels_channels(n.outputs[0])
        sa, sb = n.attrs["shifts"]
        unit = AddStreams(name=n.name, channels=c, pixels=pixels, idt_a=str(self.tensors[a].dtype),
                          idt_b=str(self.tensors[b].dtype), shift_a=int(sa), shift_b=int(sb),
                          odt=str(self.tensors[n.outputs[0]].dtype))
        self.nodes.append(unit.to_node((a, b), n.outputs))

    def lower_Concat(self, n: Node) -> None:
        ins = tuple(self.src(t) for t in n.inputs)
        pixels, _ = self._pixels_channels(n.outputs[0])
        unit = StreamingConcat(name=n.name, channels=tuple(self.tensors[t].shape[-1] for t in ins), pixels=pixels,
                               dt=str(self.tensors[n.outputs[0]].dtype))
        self.nodes.append(unit.to_node(ins, n.outputs))

    def lower_WindowSum(self, n: Node) -> None:
        x = self.src(n.inputs[0])
        h, w, c = self.tensors[x].shape
        idt, odt = str(self.tensors[x].dtype), str(self.tensors[n.outputs[0]].dtype)
        if n.attrs.get("global"):
            unit = GlobalAveragePool(name=n.name, channels=c, pixels=h * w, idt=idt, odt=odt)
        else:
            unit = AveragePool(name=n.name, ifm_dim=(h, w), channels=c, kernel=tuple(n.attrs["kernel"]),
                               idt=idt, odt=odt)
        self.nodes.append(unit.to_node((x,), n.outputs))

    def lower_Flatten(self, n: Node) -> None:
        if n.attrs.get("channels_first"):
            self.fail(n, "a channels-first flatten that does not feed a fully connected layer")
        self.alias[n.outputs[0]] = self.src(n.inputs[0])

    def _select(self, n: Node, k: int, keepdims: bool) -> None:
        x = self.g.tensors[n.inputs[0]]
        labels = x.size
        unit = LabelSelect(name=n.name, labels=labels, k=k, idt=str(_hw_dtype(x.dtype)),
                           odt=str(DataType.smallest(0, labels - 1)), keepdims=keepdims)
        out = n.outputs[-1]  # TopK: indices
        self.tensors[out] = Tensor(out, self.g.tensors[out].shape, DataType.smallest(0, labels - 1))
        self.nodes.append(unit.to_node((self.src(n.inputs[0]),), (out,)))

    def lower_ArgMax(self, n: Node) -> None:
        self._select(n, 1, bool(n.attrs.get("keepdims", True)))

    def lower_TopK(self, n: Node) -> None:
        if n.outputs[0] in self.g.outputs:
            self.fail(n, "TopK values are a graph output; hardware returns the indices only")
        self._select(n, int(n.attrs["k"]), True)


def insert_forks(g: Graph) -> Graph:
    """A DuplicateStreams after every tensor that several hardware units read, so that every
    stream has one reader (host readers and graph outputs keep the original tensor)."""
    nodes = list(g.nodes)
    tensors = dict(g.tensors)
    for t in list(g.tensors):
        readers = [n for n in nodes if t in n.inputs and is_unit(n)]
        if len(readers) < 2:
            continue
        if len(readers) > MAX_OUTPUTS:
            raise LoweringError(f"tensor {t!r} is read by {len(readers)} units; a fork feeds at most {MAX_OUTPUTS}")
        tt = tensors[t]
        copies = tuple(f"{t}__fork{i}" for i in range(len(readers)))
        for c in copies:
            tensors[c] = Tensor(c, tt.shape, tt.dtype)
        dup = DuplicateStreams(name=f"{t}__fork", channels=int(tt.shape[-1]),
                               pixels=int(np.prod(tt.shape[:-1], dtype=np.int64)), n=len(readers), dt=str(tt.dtype))
        for r, c in zip(readers, copies):
            i = nodes.index(r)
            nodes[i] = r.evolve(inputs=tuple(c if x == t else x for x in r.inputs))
        first = min(nodes.index(n) for n in nodes if any(c in n.inputs for c in copies))
        nodes.insert(first, dup.to_node((t,), copies))
    return g.with_nodes(nodes, tensors)


def lower(graph: Graph) -> Graph:
    """The hardware-unit graph of an integer ``graph`` (see module docstring)."""
    return _Lowerer(graph).run()


@step("lower")
def _lower_step(state: FlowState) -> FlowState:
    return state.with_stage("hardware", lower(state.graph))
