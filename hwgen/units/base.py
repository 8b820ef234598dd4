"""What every hardware unit provides: simulate, cycles, resources, template context."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np

from hwgen.core.ir import Node


@dataclasses.dataclass(frozen=True, eq=False)
class Unit:
    """Base class: a frozen dataclass of a unit's attributes and parameter arrays.

    Subclasses list ``PARAMS`` (field names stored as node params, numpy arrays); every other
    field is a node attribute.
    """

    name: str
    PARAMS: ClassVar[tuple[str, ...]] = ()
    template: ClassVar[str] = ""
    # the layers FINN (finn-plus 1.6) makes of this unit, in stream order: FINN op type ->
    # {FINN attribute: our attribute}; folding files name them <op type>_<index> (fold/config.py)
    FINN_OPS: ClassVar[dict[str, dict[str, str]]] = {}

    @classmethod
    def from_node(cls, node: Node) -> Unit:
        fields = {f.name for f in dataclasses.fields(cls)}
        kw: dict[str, Any] = {k: v for k, v in node.attrs.items() if k in fields}
        kw.update({k: v for k, v in node.params.items() if k in fields})
        return cls(name=node.name, **kw)

    def to_node(self, inputs: tuple[str, ...], outputs: tuple[str, ...]) -> Node:
        attrs, params = {}, {}
        for f in dataclasses.fields(self):
            if f.name == "name":
                continue
            v = getattr(self, f.name)
            (params if f.name in self.PARAMS else attrs)[f.name] = v
        params = {k: v for k, v in params.items() if v is not None}
        return Node(type(self).__name__, self.name, inputs, outputs, attrs, params)

    def evolve(self, **changes: Any) -> Unit:
        return dataclasses.replace(self, **changes)

    # the four faces ---------------------------------------------------------------------
    def simulate(self, *xs: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise TypeError(f"{type(self).__name__} must implement simulate()")

    def cycles(self) -> int:  # pragma: no cover - abstract
        raise TypeError(f"{type(self).__name__} must implement cycles()")
