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
        return [unit_of(node).simulate(*inputs)]
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


def simulate(graph: Graph, x: np.ndarray, batch: int = 256) -> list[np.ndarray]:
    """The graph's outputs for ``x`` (any batch size), computed ``batch`` samples at a time."""
    x = np.asarray(x)
    chunks = [execute(graph, x[i : i + batch]) for i in range(0, max(len(x), 1), batch)]
    return [np.concatenate([c[t] for c in chunks]) for t in graph.outputs]


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
