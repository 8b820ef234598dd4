"""FINN's names for the layers of a hardware graph, and the folding written for FINN.

FINN names a node ``<op type>_<index>``, counting per op type in graph order (its
``GiveUniqueNodeNames``). Walking our hardware graph in stream order and asking each unit which
FINN layers it stands for (``Unit.FINN_OPS``; a max-pool is a window generator plus ``Pool_hls``
in FINN) gives FINN's names. FINN's input ``Thresholding`` is our host-side input quantizer.
The report step writes ``folding_config.finn.json`` from here; fold/config.py reads FINN's files.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from hwgen.core.ir import Graph, Node
from hwgen.units import hardware_nodes, unit_of


def unit_nodes(g: Graph) -> list[Node]:
    """The hardware units FINN would make layers of (converters and FIFOs are FINN's own too)."""
    return [n for n in hardware_nodes(g) if unit_of(n).FINN_OPS]
# FINN's input quantizer (a MultiThreshold on the graph input) becomes this layer
FINN_INPUT_THRESHOLDING = "Thresholding_rtl"
# older FINN op names (before the _hls/_rtl split) -> today's
FINN_ALIASES = {"MatrixVectorActivation": "MVAU", "Thresholding_Batch": "Thresholding",
                "StreamingMaxPool_Batch": "StreamingMaxPool", "Pool_Batch": "Pool",
                "LabelSelect_Batch": "LabelSelect"}
_FINN_NAME = re.compile(r"^(?P<op>[A-Za-z][A-Za-z0-9_]*?)_(?P<idx>\d+)$")


def finn_base(op_type: str) -> str:
    """FINN's op type without its implementation suffix: ``MVAU_hls`` -> ``MVAU``."""
    base = re.sub(r"_(hls|rtl)$", "", op_type)
    return FINN_ALIASES.get(base, base)


@dataclass(frozen=True)
class FinnLayer:
    """One layer FINN would create: its op type and name, and our unit node it stands for
    (None: our host-side input quantizer) with FINN attribute -> our attribute."""

    op: str
    name: str
    node: str | None
    attrs: dict[str, str] = field(default_factory=dict)


def _input_quantized_on_host(g: Graph, units: list[Node]) -> bool:
    # a float graph input reaching the first unit as integers: the host quantized it, where
    # FINN puts a Thresholding layer
    if not units:
        return False
    src = g.tensors[g.inputs[0]].dtype
    first = g.tensors[units[0].inputs[0]].dtype
    return not src.is_integer and first.is_integer


def finn_layers(g: Graph) -> list[FinnLayer]:
    """The layers FINN makes of ``g``, in graph order, named as FINN names them."""
    units = unit_nodes(g)
    raw: list[tuple[str, str | None, dict[str, str]]] = []
    if _input_quantized_on_host(g, units):
        raw.append((FINN_INPUT_THRESHOLDING, None, {}))
    for n in units:
        for op, attrs in type(unit_of(n)).FINN_OPS.items():
            raw.append((op, n.name, dict(attrs)))
    count: dict[str, int] = {}
    out = []
    for op, node, attrs in raw:
        i = count.get(op, 0)
        count[op] = i + 1
        out.append(FinnLayer(op, f"{op}_{i}", node, attrs))
    return out


def finn_folding_config(g: Graph) -> dict[str, Any]:
    """The same folding named and shaped for FINN's ``ApplyConfig`` (``folding_config.finn.json``).

    A value FINN's layer cannot take (a window unit emitting whole pixels, SIMD > C) is written
    as the largest value it can take that divides ours; FINN then inserts its own width converter.
    """
    cfg: dict[str, Any] = {"Defaults": {}}
    nodes = {n.name: n for n in unit_nodes(g)}
    first_simd = None
    for layer in finn_layers(g):
        if layer.node is None:
            continue
        n = nodes[layer.node]
        u = unit_of(n)
        spec: dict[str, int] = {}
        for finn_attr, ours in layer.attrs.items():
            v = int(getattr(u, ours))
            dim = u.KNOBS.get(ours)
            d = int(getattr(u, dim)) if dim else v
            spec[finn_attr] = v if d % v == 0 else math.gcd(v, d)
        cfg[layer.name] = spec
        if first_simd is None:
            first_simd = spec.get("SIMD", spec.get("PE"))
    layers = finn_layers(g)
    if layers and layers[0].node is None and first_simd:
        # the input Thresholding keeps pace with the first layer: FINN's own BNN-PYNQ flow does so
        first = nodes[layers[1].node] if len(layers) > 1 and layers[1].node else None
        ch = g.tensors[first.inputs[0]].shape[-1] if first is not None else 1
        cfg = {"Defaults": {}, layers[0].name: {"PE": math.gcd(int(first_simd), int(ch))},
               **{k: v for k, v in cfg.items() if k != "Defaults"}}
    return cfg


