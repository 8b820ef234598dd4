"""hwgen's intermediate representation: small, frozen, typed. ONNX is only the edge format.

Shapes are per sample (no batch dimension); activations are NHWC after the frontend, so a
feature map is ``(H, W, C)`` and a vector is ``(C,)``. Every pass returns a new ``Graph``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import numpy as np

from hwgen.core.datatypes import DataType


def _frozen_array(a: Any) -> np.ndarray:
    arr = np.array(a, copy=True)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True)
class Tensor:
    """A named value flowing between nodes; ``shape`` excludes the batch dimension."""

    name: str
    shape: tuple[int, ...]
    dtype: DataType

    @property
    def channels(self) -> int:
        return int(self.shape[-1]) if self.shape else 1

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))


@dataclass(frozen=True, eq=False)
class Node:
    """One operation. ``attrs`` are plain Python values, ``params`` read-only numpy arrays."""

    op: str
    name: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    attrs: Mapping[str, Any] = field(default_factory=dict)
    params: Mapping[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", tuple(self.inputs))
        object.__setattr__(self, "outputs", tuple(self.outputs))
        object.__setattr__(self, "attrs", MappingProxyType(dict(self.attrs)))
        frozen = {k: _frozen_array(v) for k, v in self.params.items()}
        object.__setattr__(self, "params", MappingProxyType(frozen))

    def with_attrs(self, **attrs: Any) -> Node:
        return replace(self, attrs={**self.attrs, **attrs})

    def with_params(self, **params: np.ndarray) -> Node:
        return replace(self, params={**self.params, **params})

    def evolve(self, **changes: Any) -> Node:
        return replace(self, **changes)


@dataclass(frozen=True, eq=False)
class Graph:
    """Nodes in topological order plus the tensors they read and write."""

    nodes: tuple[Node, ...]
    tensors: Mapping[str, Tensor]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    name: str = "model"
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "nodes", tuple(self.nodes))
        object.__setattr__(self, "inputs", tuple(self.inputs))
        object.__setattr__(self, "outputs", tuple(self.outputs))
        object.__setattr__(self, "tensors", MappingProxyType(dict(self.tensors)))
        object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))

    # -- look-ups ---------------------------------------------------------------------------
    def producer(self, tensor: str) -> Node | None:
        for n in self.nodes:
            if tensor in n.outputs:
                return n
        return None

    def consumers(self, tensor: str) -> list[Node]:
        return [n for n in self.nodes if tensor in n.inputs]

    def node(self, name: str) -> Node:
        for n in self.nodes:
            if n.name == name:
                return n
        raise KeyError(name)

    def tensor(self, name: str) -> Tensor:
        return self.tensors[name]

    def input_tensors(self, node: Node) -> list[Tensor]:
        return [self.tensors[t] for t in node.inputs]

    def output_tensors(self, node: Node) -> list[Tensor]:
        return [self.tensors[t] for t in node.outputs]

    # -- rewriting (always returns a new graph) -------------------------------------------
    def evolve(self, **changes: Any) -> Graph:
        return replace(self, **changes)

    def with_nodes(self, nodes: Iterable[Node], tensors: Mapping[str, Tensor] | None = None) -> Graph:
        """A graph with these nodes; tensors no node or port uses are dropped."""
        nodes = tuple(nodes)
        pool = dict(self.tensors if tensors is None else tensors)
        used = set(self.inputs) | set(self.outputs)
        for n in nodes:
            used.update(n.inputs)
            used.update(n.outputs)
        return replace(self, nodes=nodes, tensors={k: v for k, v in pool.items() if k in used})

    def replace_node(self, old: Node, new: Iterable[Node], tensors: Mapping[str, Tensor] = {}) -> Graph:
        """Replace ``old`` by the nodes ``new`` (in order) and add/overwrite ``tensors``."""
        out: list[Node] = []
        for n in self.nodes:
            out.extend(new if n is old else (n,))
        return self.with_nodes(out, {**self.tensors, **tensors})

    def rename_tensor(self, old: str, new: str) -> Graph:
        """Make every reader of ``old`` read ``new`` instead (used to bypass a node)."""
        nodes = [
            n.evolve(inputs=tuple(new if t == old else t for t in n.inputs)) for n in self.nodes
        ]
        outputs = tuple(new if t == old else t for t in self.outputs)
        return replace(self, outputs=outputs).with_nodes(nodes)

    def ops(self) -> list[str]:
        return [n.op for n in self.nodes]


class IRError(AssertionError):
    """A broken invariant: always a bug in a pass, never the user's fault."""


def verify(graph: Graph) -> Graph:
    """Check the IR invariants and return the graph unchanged (so it chains in flows)."""
    known = set(graph.inputs)
    producers: dict[str, str] = {}
    names: set[str] = set()
    for t in graph.inputs:
        if t not in graph.tensors:
            raise IRError(f"graph input {t!r} has no tensor")
    for n in graph.nodes:
        if n.name in names:
            raise IRError(f"duplicate node name {n.name!r}")
        names.add(n.name)
        for t in n.inputs:
            if t not in known:
                raise IRError(f"node {n.name!r} reads {t!r} before it is produced")
            if t not in graph.tensors:
                raise IRError(f"node {n.name!r} reads unknown tensor {t!r}")
        for t in n.outputs:
            if t in producers or t in graph.inputs:
                raise IRError(f"tensor {t!r} has two producers ({producers.get(t)}, {n.name})")
            if t not in graph.tensors:
                raise IRError(f"node {n.name!r} writes unknown tensor {t!r}")
            producers[t] = n.name
            known.add(t)
        for k, v in n.params.items():
            if not isinstance(v, np.ndarray) or v.flags.writeable:
                raise IRError(f"param {k!r} of {n.name!r} is not a read-only array")
    for t in graph.outputs:
        if t not in known:
            raise IRError(f"graph output {t!r} is never produced")
    for name, t in graph.tensors.items():
        if name != t.name:
            raise IRError(f"tensor key {name!r} differs from its name {t.name!r}")
        if not all(isinstance(d, int) and d > 0 for d in t.shape):
            raise IRError(f"tensor {name!r} has a bad shape {t.shape}")
    return graph
