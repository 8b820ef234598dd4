"""Folding configs in FINN's JSON format: read (apply) and write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hwgen.core.ir import Graph
from hwgen.fold.common import FoldingError
from hwgen.fold.optimizer import tied_producer
from hwgen.units import hardware_nodes, unit_of
from hwgen.units.cost import MAX_STREAM_BITS

FINN_HINTS = ("ram_style", "resType", "mem_mode", "ram_style_thresholds")  # not ours to choose


def folding_config(g: Graph) -> dict[str, Any]:
    """FINN's folding-config JSON of ``g``: {node: {"PE": .., "SIMD": ..}, "Defaults": {}}."""
    cfg: dict[str, Any] = {"Defaults": {}}
    for n in hardware_nodes(g):
        u = unit_of(n)
        if u.KNOBS:
            cfg[n.name] = {k.upper(): v for k, v in u.folding().items()}
    return cfg


def _read(cfg: dict[str, Any] | str | Path) -> tuple[dict[str, Any], str]:
    if isinstance(cfg, dict):
        return cfg, "folding config"
    src = str(cfg)
    try:
        data = json.loads(Path(cfg).read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise FoldingError(f"{src}: cannot read folding config ({e})") from None
    if not isinstance(data, dict):
        raise FoldingError(f"{src}: expected a JSON object {{\"<node>\": {{\"PE\": .., \"SIMD\": ..}}}}")
    return data, src


def apply_folding_config(g: Graph, cfg: dict[str, Any] | str | Path) -> Graph:
    """Apply a FINN-format folding config; unknown nodes and illegal values are errors.

    A unit that ties to its consumer (a window generator) takes the consumer's folding unless the
    config sets its own; where the two differ, the ``insert`` pass puts a width converter between.
    """
    cfg, src = _read(cfg)
    units = {n.name: n for n in hardware_nodes(g) if unit_of(n).KNOBS}
    requested: dict[str, dict[str, int]] = {}
    defaults = cfg.get("Defaults", {}) or {}
    for key, spec in defaults.items():  # FINN: "Defaults": {"PE": [1, ["MVAU", ...]]}
        if not (isinstance(spec, list) and len(spec) == 2 and isinstance(spec[1], list)):
            raise FoldingError(f"{src}: Defaults.{key} must be [value, [op, ...]]")
        for n in units.values():
            if n.op in spec[1] and key.lower() in unit_of(n).KNOBS:
                requested.setdefault(n.name, {})[key.lower()] = spec[0]
    explicit: dict[str, set[str]] = {}
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
        u = unit_of(units[name])
        for k, v in spec.items():
            if k in FINN_HINTS:
                continue
            if k.lower() not in u.KNOBS:
                raise FoldingError(f"{src}: {name!r} ({op}) {u.folding_error(k.lower(), 1)}")
            if not isinstance(v, int) or isinstance(v, bool) or v < 1:
                raise FoldingError(f"{src}: {name!r} {k} must be a positive integer, got {v!r}")
            requested.setdefault(name, {})[k.lower()] = v
            explicit.setdefault(name, set()).add(k.lower())
    # a unit tied to its consumer follows the consumer's folding unless set explicitly
    for name in list(requested):
        tied = tied_producer(g, units[name])
        if tied is None:
            continue
        follow = unit_of(tied).tied_folding({**unit_of(units[name]).folding(), **requested[name]}) or {}
        for k, v in follow.items():
            if k not in explicit.get(tied.name, set()):
                requested.setdefault(tied.name, {})[k] = v
    for name, spec in requested.items():
        n = units[name]
        u = unit_of(n)
        for knob, v in spec.items():
            why = u.folding_error(knob, v)
            if why is not None:
                raise FoldingError(f"{src}: {name!r} ({n.op}) {why}")
        new = n.with_attrs(**spec)
        nu = unit_of(new)
        wide = max(p.width for p in (*nu.in_ports(), *nu.out_ports()))
        if wide > MAX_STREAM_BITS:
            raise FoldingError(f"{src}: {name!r} ({n.op}) streams {wide} bits wide, over the "
                               f"{MAX_STREAM_BITS}-bit limit; lower PE/SIMD")
        g = g.replace_node(g.node(name), [new])
    return g
