"""Run any hwgen graph (float, integer or hardware-unit level) on a batch."""

from __future__ import annotations

import weakref

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
    expected = graph.tensors[graph.inputs[0]].shape
    if tuple(x.shape[1:]) != tuple(expected):
        if tuple(x.shape) == tuple(expected):
            x = x[None]
        else:
            raise ValueError(f"input has shape {x.shape}, the model expects (N, {', '.join(map(str, expected))})")
    env: dict[str, np.ndarray] = {graph.inputs[0]: x}
    # SlidingWindow -> binary MVAU pairs run as one step on packed windows (same bits, less memory)
    fused = {} if keep else _fusable_windows(graph)  # MVAU name -> its SlidingWindow node
    skip = {w.name for w in fused.values()}
    reads = {n.name: (fused[n.name].inputs if n.name in fused else n.inputs) for n in graph.nodes}
    last_use: dict[str, int] = {}
    for i, n in enumerate(graph.nodes):
        for t in reads[n.name]:
            last_use[t] = i
    for i, n in enumerate(graph.nodes):
        if n.name in skip:
            continue
        if n.name in fused:
            outs = [_run_packed(fused[n.name], n, env[fused[n.name].inputs[0]])]
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


def simulate(graph: Graph, x: np.ndarray, batch: int = 256) -> list[np.ndarray]:
    """The graph's outputs for ``x`` (any batch size), computed ``batch`` samples at a time."""
    x = np.asarray(x)
    chunks = [execute(graph, x[i : i + batch]) for i in range(0, max(len(x), 1), batch)]
    return [np.concatenate([c[t] for c in chunks]) for t in graph.outputs]


_FUSABLE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _fusable_windows(graph: Graph) -> dict[str, Node]:
    """MVAU name -> the SlidingWindow node feeding only it, for binary windows that can be packed
    (computed once per graph: simulate() calls execute() once per batch chunk)."""
    if graph not in _FUSABLE:
        _FUSABLE[graph] = _find_fusable_windows(graph)
    return _FUSABLE[graph]


def _find_fusable_windows(graph: Graph) -> dict[str, Node]:
    from hwgen.units import unit_of

    pairs = {}
    for n in graph.nodes:
        if n.op != "SlidingWindow" or n.outputs[0] in graph.outputs:
            continue
        cons = graph.consumers(n.outputs[0])
        if len(cons) == 1 and cons[0].op == "MVAU" and cons[0].attrs.get("mode") == "xnor":
            if unit_of(n).can_pack():
                pairs[cons[0].name] = n
    return pairs


def _run_packed(swu_node: Node, mvau_node: Node, x: np.ndarray) -> np.ndarray:
    from hwgen.units import unit_of

    swu, mvau = unit_of(swu_node), unit_of(mvau_node)
    out = mvau.simulate_packed(swu.packed_windows(x))
    oh, ow = swu.ofm_dim
    return out.reshape(x.shape[0], oh, ow, mvau.mh)
