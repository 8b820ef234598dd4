"""Run any hwgen graph (float, integer or hardware-unit level) on a batch."""

from __future__ import annotations

import weakref
from collections.abc import Callable

import numpy as np

from hwgen.core.ir import Graph, Node
from hwgen.sim.kernels import KERNELS


def run_node(node: Node, inputs: list[np.ndarray]) -> list[np.ndarray]:
    from hwgen.units import UNITS, unit_of

    if node.op in UNITS:
        out = unit_of(node).simulate(*inputs)
        return list(out) if isinstance(out, tuple) else [out]  # a fork returns one array per output
    fn = KERNELS.get(node.op)
    if fn is None:
        raise KeyError(f"no simulator kernel for op {node.op!r} (node {node.name!r})")
    return fn(node, inputs)


def execute(graph: Graph, x: np.ndarray, keep: bool = False) -> dict[str, np.ndarray]:
    """Outputs (or, with ``keep``, every tensor) of ``graph`` for the batch ``x``."""
    x = np.asarray(x)
    inp = graph.tensors[graph.inputs[0]]
    if inp.dtype.kind == "float" and x.dtype != np.float32:
        x = x.astype(np.float32)  # per chunk: a memory-mapped file of any dtype is never copied whole
    expected = inp.shape
    if tuple(x.shape[1:]) != tuple(expected):
        if tuple(x.shape) == tuple(expected):
            x = x[None]
        else:
            raise ValueError(f"input has shape {x.shape}, the model expects (N, {', '.join(map(str, expected))})")
    env: dict[str, np.ndarray] = {graph.inputs[0]: x}
    # a unit feeding only a unit that reads its output in place (a window unit and its MVAU) runs
    # as one step with it (same bits, no im2col copy)
    fused = {} if keep else _fused_pairs(graph)  # consumer name -> (producer node, fused step)
    skip = {p.name for p, _ in fused.values()}
    reads = {n.name: (fused[n.name][0].inputs if n.name in fused else n.inputs) for n in graph.nodes}
    last_use: dict[str, int] = {}
    for i, n in enumerate(graph.nodes):
        for t in reads[n.name]:
            last_use[t] = i
    for i, n in enumerate(graph.nodes):
        if n.name in skip:
            continue
        if n.name in fused:
            producer, step = fused[n.name]
            outs = [step(env[producer.inputs[0]])]
        else:
            outs = run_node(n, [env[t] for t in n.inputs])
        for name, val in zip(n.outputs, outs):
            env[name] = val
        if not keep:
            for t in reads[n.name]:
                if last_use.get(t) == i and t not in graph.outputs:
                    env.pop(t, None)
    if keep:
        return env
    return {t: env[t] for t in graph.outputs}


# working memory one batch may take: with it, memory stays bounded for any number of inputs
BATCH_BYTES = 64 << 20
MAX_BATCH = 4096


def simulate(graph: Graph, x: np.ndarray, batch: int | None = None) -> list[np.ndarray]:
    """The graph's outputs for ``x`` (any batch size), computed ``batch`` samples at a time
    (default: as many as ``BATCH_BYTES`` of working memory allow, see ``auto_batch``)."""
    outs: list[np.ndarray] = []
    for start, part in simulate_chunks(graph, x, batch):
        if not outs:  # outputs filled in place: no list of chunks plus a concatenated copy
            outs = [np.empty((len(x), *p.shape[1:]), p.dtype) for p in part]
        for o, p in zip(outs, part):
            o[start : start + len(p)] = p
    return outs


def simulate_chunks(graph: Graph, x: np.ndarray, batch: int | None = None):
    """Yield (start, outputs of x[start : start + batch]) chunk by chunk; ``x`` may be a memory
    map or any sliceable array (each chunk is read only when it is simulated)."""
    batch = batch or auto_batch(graph)
    for i in range(0, max(len(x), 1), batch):
        res = execute(graph, x[i : i + batch])
        yield i, [res[t] for t in graph.outputs]


def auto_batch(graph: Graph, budget: int = BATCH_BYTES) -> int:
    """Samples per batch so that the largest step's working set stays within ``budget`` bytes."""
    return int(max(1, min(MAX_BATCH, budget // max(sample_bytes(graph), 1))))


def sample_bytes(graph: Graph) -> int:
    """Upper estimate of the bytes one sample needs in the most demanding step: inputs (times the
    kernel area: window copies) plus outputs; units stream compact integers, the float/integer
    kernels work on 4-byte copies (im2col, a cast) and keep up to three such arrays at once."""
    from hwgen.units import UNITS

    fused = _fused_pairs(graph)
    in_place = {p.name for p, _ in fused.values()}  # windows read in place, never cut
    worst = 0
    for n in graph.nodes:
        if n.name in in_place:
            continue
        unit = n.op in UNITS
        inputs, area = n.inputs, int(np.prod(n.attrs.get("kernel", (1, 1))))
        if n.name in fused:  # reads its producer's input (padded, packed or widened to int16)
            inputs, area = fused[n.name][0].inputs, 2
        need = (area * sum(_tensor_bytes(graph, t, unit) for t in inputs)
                + sum(_tensor_bytes(graph, t, unit) for t in n.outputs))
        worst = max(worst, need * (2 if unit else 3))
    return worst


def _tensor_bytes(graph: Graph, name: str, unit: bool) -> int:
    """Bytes of one sample of tensor ``name``: compact integers in units, at least 4 bytes elsewhere."""
    if name not in graph.tensors:
        return 0
    t = graph.tensors[name]
    isz = np.dtype(t.dtype.compact_numpy).itemsize
    return int(np.prod(t.shape, dtype=np.int64)) * (isz if unit else max(4, isz))


_FUSED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _fused_pairs(graph: Graph) -> dict[str, tuple[Node, Callable[[np.ndarray], np.ndarray]]]:
    """Consumer name -> (producer node, one step for both), for each unit whose ``fused_with``
    accepts the single unit reading its output (computed once per graph: simulate() calls
    execute() once per batch chunk)."""
    if graph not in _FUSED:
        _FUSED[graph] = _find_fused_pairs(graph)
    return _FUSED[graph]


def _find_fused_pairs(graph: Graph) -> dict[str, tuple[Node, Callable[[np.ndarray], np.ndarray]]]:
    from hwgen.units import UNITS, unit_of

    pairs = {}
    for n in graph.nodes:
        if n.op not in UNITS or len(n.inputs) != 1 or n.outputs[0] in graph.outputs:
            continue
        fuse = getattr(unit_of(n), "fused_with", None)
        cons = graph.consumers(n.outputs[0])
        if fuse is None or len(cons) != 1 or cons[0].op not in UNITS or len(cons[0].inputs) != 1:
            continue
        step = fuse(unit_of(cons[0]))
        if step is not None:
            pairs[cons[0].name] = (n, step)
    return pairs
