"""Folding configs in FINN's JSON format, both ways: read (apply) and write.

A config names nodes either as hwgen does (the ONNX node names, ``folding_config.json``) or as
FINN does (``MVAU_hls_0``, ``ConvolutionInputGenerator_rtl_3``, ``Pool_hls_0``, ...,
``folding_config.finn.json``). FINN names a node ``<op type>_<index>``, counting per op type in
graph order, so FINN's names are reproduced by walking our hardware graph in stream order and
asking each unit which FINN layers it stands for (``Unit.FINN_OPS``): a max-pool, for one, is a
window generator plus ``Pool_hls`` in FINN. FINN's input ``Thresholding`` is our host-side input
quantizer. ``Defaults`` take FINN's forms: ``{"PE": [1, ["MVAU_hls"]]}``, several value/op-list
pairs, ``"all"``, or an op-type substring (FINN's ``ApplyConfig`` semantics).

Every attribute is applied, translated, or named in one note as ignored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hwgen.analysis.finn_names import (
    _FINN_NAME,
    FinnLayer,
    finn_base,
    finn_folding_config,
    finn_layers,
    unit_nodes,
)
from hwgen.core.ir import Graph, Node
from hwgen.fold.common import FoldingError
from hwgen.fold.optimizer import tied_producer
from hwgen.units import unit_of
from hwgen.units.cost import MAX_STREAM_BITS

# -- folding config JSON (FINN format) -------------------------------------------------------------

# FINN implementation choices hwgen makes itself (memory styles, DSP/LUT, FIFO depths, ...)
FINN_IMPL_ATTRS = frozenset({
    "ram_style", "ram_style_thresholds", "ram_style_mask", "resType", "mac_resource", "mem_mode",
    "runtime_writeable_weights", "depth_trigger_uram", "depth_trigger_bram", "impl_style", "depth",
    "inFIFODepths", "outFIFODepths",
})
# FINN layers with no hardware counterpart here: the host runs them, or hwgen inserts its own
FINN_HOST_OPS = frozenset({"Reshape", "ElementwiseMul", "ElementwiseAdd", "ElementwiseSub",
                           "ElementwiseDiv", "StreamingFIFO", "StreamingDataWidthConverter",
                           "FMPadding", "Transpose", "Shuffle", "IODMA"})
__all__ = ["FinnLayer", "apply_folding_config", "finn_folding_config", "finn_layers", "folding_config"]
# -- writing -----------------------------------------------------------------------------------------
def folding_config(g: Graph) -> dict[str, Any]:
    """hwgen's folding-config JSON of ``g``: {node: {"PE": .., "SIMD": ..}, "Defaults": {}}."""
    cfg: dict[str, Any] = {"Defaults": {}}
    for n in unit_nodes(g):
        u = unit_of(n)
        if u.KNOBS:
            cfg[n.name] = {k.upper(): v for k, v in u.folding().items()}
    return cfg


# -- reading -----------------------------------------------------------------------------------------
def _read(cfg: dict[str, Any] | str | Path) -> tuple[dict[str, Any], str]:
    if isinstance(cfg, dict):
        return cfg, "folding config"
    src = str(cfg)
    try:
        data = json.loads(Path(cfg).read_text())
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as e:
        raise FoldingError(f"{src}: cannot read folding config ({e})") from None
    if not isinstance(data, dict):
        raise FoldingError(f"{src}: expected a JSON object {{\"<node>\": {{\"PE\": .., \"SIMD\": ..}}}}")
    return data, src


def _defaults(defaults: Any, src: str) -> list[tuple[str, Any, Any]]:
    """FINN's Defaults as (attribute, value, ops) triples: ops a list of op types, "all", or a
    substring of op types (ApplyConfig's ``node.op_type in op``)."""
    if not isinstance(defaults, dict):
        raise FoldingError(f"{src}: Defaults must be an object like {{\"PE\": [1, [\"MVAU_hls\"]]}}")
    out = []
    for key, spec in defaults.items():
        if not (isinstance(spec, list) and spec and len(spec) % 2 == 0):
            raise FoldingError(f"{src}: Defaults.{key} must be [value, [op type, ...]] (or several "
                               "value/op-list pairs, or [value, \"all\"])")
        for v, ops in zip(spec[::2], spec[1::2]):
            if not (ops == "all" or isinstance(ops, str)
                    or (isinstance(ops, list) and all(isinstance(o, str) for o in ops))):
                raise FoldingError(f"{src}: Defaults.{key}: {ops!r} is not a list of op types or \"all\"")
            if ops == "all" and len(spec) > 2:
                raise FoldingError(f"{src}: Defaults.{key}: \"all\" must be the only pair (FINN asserts so)")
            out.append((key, v, ops))
    return out


def _default_matches(ops: Any, finn_op: str, our_op: str) -> bool:
    if ops == "all":
        return True
    if isinstance(ops, str):
        return ops in finn_op or ops == our_op
    return any(o == our_op or finn_base(o) == finn_base(finn_op) for o in ops)


def _positive_int(v: Any, src: str, where: str, key: str) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or v < 1:
        raise FoldingError(f"{src}: {where} {key} must be a positive integer, got {v!r}")
    return v


def _match_finn_names(names: list[str], layers: list[FinnLayer], src: str) -> dict[str, FinnLayer]:
    """FINN node names -> our layers, by op type and order (indices within one op type; where a
    file mixes _hls and _rtl of one op, FINN's own write order, which is graph order)."""
    ours: dict[str, list[FinnLayer]] = {}
    for layer in layers:
        ours.setdefault(finn_base(layer.op), []).append(layer)
    by_base: dict[str, list[tuple[str, str, int]]] = {}
    for name in names:
        m = _FINN_NAME.match(name)
        assert m is not None
        by_base.setdefault(finn_base(m["op"]), []).append((name, m["op"], int(m["idx"])))
    out: dict[str, FinnLayer] = {}
    for base, entries in by_base.items():
        if base in FINN_HOST_OPS or base not in ours:
            continue
        if len({op for _, op, _ in entries}) == 1:
            entries = sorted(entries, key=lambda e: e[2])
            positions = [idx for _, _, idx in entries]
        else:
            positions = list(range(len(entries)))
        for (name, _, _), pos in zip(entries, positions):
            if pos >= len(ours[base]):
                have = ", ".join(lay.name for lay in ours[base])
                raise FoldingError(f"{src}: FINN node {name!r} has no counterpart: this model makes "
                                   f"{len(ours[base])} {base} layer(s) in FINN ({have})")
            out[name] = ours[base][pos]
    return out


def apply_folding_config(g: Graph, cfg: dict[str, Any] | str | Path, notes: list[str] | None = None) -> Graph:
    """Apply a folding config in hwgen's or FINN's naming; unknown nodes and illegal values are
    errors. What was translated or ignored is appended to ``notes`` (printed when None)."""
    cfg, src = _read(cfg)
    own_notes: list[str] = []
    units = {n.name: n for n in unit_nodes(g)}
    layers = finn_layers(g)
    finn_names = [k for k in cfg if k != "Defaults" and k not in units and _FINN_NAME.match(k)]
    matched = _match_finn_names(finn_names, layers, src)
    requested: dict[str, dict[str, int]] = {}
    origin: dict[tuple[str, str], str] = {}  # (node, knob) -> the FINN name that set it
    ignored: dict[str, set[str]] = {}
    host: list[str] = []
    translated: list[str] = []

    def put(node: str, knob: str, v: int, by: str) -> None:
        prev = requested.get(node, {}).get(knob)
        if prev is not None and prev != v and (node, knob) in origin and origin[(node, knob)] != by:
            translated.append(f"{origin[(node, knob)]} {knob.upper()}={prev} and {by} {knob.upper()}={v} "
                              f"are one knob of {node!r} here: took {v}")
        requested.setdefault(node, {})[knob] = v
        origin[(node, knob)] = by

    for key, v, ops in _defaults(cfg.get("Defaults") or {}, src):
        if key in FINN_IMPL_ATTRS or key == "parallel_window":
            ignored.setdefault(key, set()).add("Defaults")
            continue
        for layer in layers:
            if layer.node is None:
                continue
            n = units[layer.node]
            if not _default_matches(ops, layer.op, n.op):
                continue
            if key in layer.attrs:
                put(n.name, layer.attrs[key], _positive_int(v, src, "Defaults", key), "Defaults")
    for name, spec in cfg.items():
        if name == "Defaults":
            continue
        if not isinstance(spec, dict):
            raise FoldingError(f"{src}: {name!r} needs an object like {{\"PE\": 1, \"SIMD\": 1}}")
        if name in units:  # hwgen's own names
            n = units[name]
            for k, v in spec.items():
                if k in FINN_IMPL_ATTRS:
                    ignored.setdefault(k, set()).add(name)
                    continue
                if k.lower() not in unit_of(n).KNOBS:
                    raise FoldingError(f"{src}: {name!r} ({n.op}) {unit_of(n).folding_error(k.lower(), 1)}")
                put(name, k.lower(), _positive_int(v, src, repr(name), k), name)
            continue
        m = _FINN_NAME.match(name)
        if m is None:
            known = ", ".join(list(units)[:6])
            raise FoldingError(f"{src}: unknown node {name!r}; hardware units are: {known}, ... "
                               "(see `hwgen estimate` for every name), or FINN's names like MVAU_hls_0")
        layer = matched.get(name)
        if layer is None or layer.node is None:
            base = finn_base(m["op"])
            if layer is None and base not in FINN_HOST_OPS:
                raise FoldingError(f"{src}: FINN node {name!r} ({base}) has no counterpart in this model's "
                                   f"hardware graph (FINN layers here: {', '.join(x.name for x in layers[:8])}, ...)")
            host.append(name + (" (input quantizer)" if layer is not None else ""))
            continue
        n = units[layer.node]
        for k, v in spec.items():
            if k in FINN_IMPL_ATTRS:
                ignored.setdefault(k, set()).add(name)
            elif k == "parallel_window":
                if v not in (0, 1) or isinstance(v, bool):
                    raise FoldingError(f"{src}: {name!r} parallel_window must be 0 or 1, got {v!r}")
                if v == 1:
                    translated.append(f"{name} parallel_window=1: the window unit emits its MVAU's SIMD per cycle")
            elif k in layer.attrs:
                put(n.name, layer.attrs[k], _positive_int(v, src, repr(name), k), name)
            else:
                takes = ", ".join([*layer.attrs, "parallel_window"] if "SIMD" in layer.attrs and
                                  layer.op.startswith("ConvolutionInputGenerator") else list(layer.attrs))
                raise FoldingError(f"{src}: {name!r} ({layer.op}, our {n.name!r}) has no {k!r}; it takes {takes}")
    _tie_windows(g, units, requested, translated, src)
    for name, spec in requested.items():
        n = units[name]
        new = n.with_attrs(**spec)
        _check_legal(g, new, unit_of(new), src)
        g = g.replace_node(g.node(name), [new])
    if host:
        own_notes.append("FINN layers that hwgen runs on the host or inserts itself: " + ", ".join(host))
    if ignored:
        own_notes.append("ignored (hwgen chooses these itself from its cost model): " + ", ".join(
            f"{k} ({len(v)} node{'s' if len(v) > 1 else ''})" for k, v in sorted(ignored.items())))
    if translated:
        own_notes.append("translated: " + "; ".join(translated))
    if notes is None:
        from hwgen.core.log import say

        for line in own_notes:
            say(f"[yellow]folding note:[/] {line}")
    else:
        notes.extend(own_notes)
    return g


def _tie_windows(g: Graph, units: dict[str, Node], requested: dict[str, dict[str, int]],
                 translated: list[str], src: str) -> None:
    """A unit tied to its consumer (a window generator to its MVAU) follows the consumer's
    folding unless the file sets its own. FINN lets the two differ (SetFolding's window SIMD 3
    under an MVAU SIMD 9); so does hwgen: the ``insert`` pass puts a width converter between."""
    for name in list(requested):
        tied = tied_producer(g, units[name])
        if tied is None:
            continue
        mine = {**unit_of(units[name]).folding(), **requested[name]}
        given = requested.get(tied.name, {})
        follow = unit_of(tied).tied_folding(mine) or {}
        for k, v in follow.items():
            if k not in given:
                requested.setdefault(tied.name, {})[k] = v
            elif given[k] != v:
                translated.append(f"{tied.name!r} {k.upper()} {given[k]} under {name!r} {k.upper()} {v}: "
                                  "a width converter joins them")


def _check_legal(g: Graph, n: Node, u: Any, src: str) -> None:
    for knob in u.KNOBS:
        why = u.folding_error(knob, int(getattr(u, knob)))
        if why is not None:
            raise FoldingError(f"{src}: {n.name!r} ({n.op}) {why}")
    wide = max(p.width for p in (*u.in_ports(), *u.out_ports()))
    if wide > MAX_STREAM_BITS:
        raise FoldingError(f"{src}: {n.name!r} ({n.op}) streams {wide} bits wide, over the "
                           f"{MAX_STREAM_BITS}-bit limit; lower PE/SIMD")
