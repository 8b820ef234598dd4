"""Folding configs in FINN's JSON format: read (apply) and write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hwgen.core.ir import Graph, Node
from hwgen.fold.common import FoldingError, divisors, sliding_window_of
from hwgen.units import unit_of
from hwgen.units.cost import MAX_STREAM_BITS, stream_widths, unit_nodes
from hwgen.units.sliding_window import SlidingWindow

# -- folding config JSON (FINN format) -------------------------------------------------------------
KNOBS = {"MVAU": ("PE", "SIMD"), "SlidingWindow": ("SIMD",), "StreamingMaxPool": ("PE",),
         "Thresholding": ("PE",), "LabelSelect": ("PE",)}


def folding_config(g: Graph) -> dict[str, Any]:
    """FINN's folding-config JSON of ``g``: {node: {"PE": .., "SIMD": ..}, "Defaults": {}}."""
    cfg: dict[str, Any] = {"Defaults": {}}
    for n in unit_nodes(g):
        u = unit_of(n)
        cfg[n.name] = {k: int(getattr(u, k.lower())) for k in KNOBS.get(n.op, ())}
    return cfg


def apply_folding_config(g: Graph, cfg: dict[str, Any] | str | Path) -> Graph:
    """Apply a FINN-format folding config; unknown nodes and illegal values are errors."""
    src = "folding config"
    if not isinstance(cfg, dict):
        src = str(cfg)
        try:
            cfg = json.loads(Path(cfg).read_text())
        except (OSError, json.JSONDecodeError) as e:
            raise FoldingError(f"{src}: cannot read folding config ({e})") from None
        if not isinstance(cfg, dict):
            raise FoldingError(f"{src}: expected a JSON object {{\"<node>\": {{\"PE\": .., \"SIMD\": ..}}}}")
    units = {n.name: n for n in unit_nodes(g)}
    requested: dict[str, dict[str, int]] = {}
    defaults = cfg.get("Defaults", {}) or {}
    for key, spec in defaults.items():  # FINN: "Defaults": {"PE": [1, ["MVAU", ...]]}
        if not (isinstance(spec, list) and len(spec) == 2 and isinstance(spec[1], list)):
            raise FoldingError(f"{src}: Defaults.{key} must be [value, [op, ...]]")
        for n in units.values():
            if n.op in spec[1] and key in KNOBS.get(n.op, ()):
                requested.setdefault(n.name, {})[key] = spec[0]
    for name, spec in cfg.items():
        if name == "Defaults":
            continue
        if name not in units:
            known = ", ".join(list(units)[:6])
            raise FoldingError(f"{src}: unknown node {name!r}; hardware units are: {known}, ... "
                               "(see `hwgen estimate` for every name)")
        if not isinstance(spec, dict):
            raise FoldingError(f"{src}: {name!r} needs an object like {{\"PE\": 1, \"SIMD\": 1}}")
        op = units[name].op
        for k, v in spec.items():
            if k not in KNOBS.get(op, ()):
                if k in ("ram_style", "resType", "mem_mode", "ram_style_thresholds"):
                    continue  # FINN implementation hints: not ours to choose
                raise FoldingError(f"{src}: {name!r} ({op}) has no {k!r}; it takes {', '.join(KNOBS[op])}")
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise FoldingError(f"{src}: {name!r} {k} must be a positive integer, got {v!r}")
            requested.setdefault(name, {})[k] = v
    # a SlidingWindow takes the SIMD of the MVAU it feeds
    for name, spec in list(requested.items()):
        n = units[name]
        if n.op == "MVAU" and "SIMD" in spec and (swu := sliding_window_of(g, n)) is not None:
            given = requested.get(swu.name, {}).get("SIMD")
            if given is not None and given != spec["SIMD"]:
                raise FoldingError(f"{src}: {swu.name!r} SIMD {given} differs from its MVAU {name!r} SIMD {spec['SIMD']}")
            requested.setdefault(swu.name, {})["SIMD"] = spec["SIMD"]
    for name, spec in requested.items():
        n = units[name]
        attrs = {k.lower(): v for k, v in spec.items()}
        new = n.with_attrs(**attrs)
        u = unit_of(new)
        _check_legal(g, new, u, src)
        g = g.replace_node(g.node(name), [new])
    return g


def _check_legal(g: Graph, n: Node, u: Any, src: str) -> None:
    limits = {"MVAU": (("pe", "mh"), ("simd", "mw")), "SlidingWindow": (("simd", "channels"),),
              "StreamingMaxPool": (("pe", "channels"),), "Thresholding": (("pe", "channels"),),
              "LabelSelect": (("pe", "labels"),)}[n.op]
    for knob, dim in limits:
        v, d = getattr(u, knob), getattr(u, dim)
        if n.op == "SlidingWindow" and SlidingWindow.legal_simd(v, u.channels, u.kernel):
            continue
        if d % v:
            legal = ", ".join(map(str, divisors(d)))
            raise FoldingError(f"{src}: {n.name!r} ({n.op}) {knob.upper()}={v} does not divide "
                               f"{dim.upper()}={d}; legal values: {legal}")
    inw, outw = stream_widths(u)
    if max(inw, outw) > MAX_STREAM_BITS:
        raise FoldingError(f"{src}: {n.name!r} ({n.op}) streams {max(inw, outw)} bits wide, over the "
                           f"{MAX_STREAM_BITS}-bit limit; lower PE/SIMD")


