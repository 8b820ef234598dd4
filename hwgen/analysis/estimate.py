"""Estimate a folded hardware graph: cycles, throughput, latency, resources, board fit.

``estimate(graph, board)`` returns the plain dict written to report/estimate.json.
"""

from __future__ import annotations

import math
from typing import Any

from hwgen.core.boards import Board
from hwgen.core.flow import FlowState, step
from hwgen.core.ir import Graph, Node
from hwgen.passes.fifo import fifo_depth
from hwgen.units import unit_of
from hwgen.units.cost import (
    BUDGETED,
    DEFAULT_FIFO_DEPTH,
    RESOURCES,
    SHELL,
    add,
    fifo,
    stream_widths,
    unit_nodes,
    width_converter,
)


def unit_shape(u: Any) -> str:
    """A short human description of a unit's problem size."""
    name = type(u).__name__
    if name == "MVAU":
        return f"{u.mw}x{u.mh}" + (f" x{u.reps}" if u.reps > 1 else "")
    if name == "SlidingWindow":
        return f"{u.ifm_dim[0]}x{u.ifm_dim[1]}x{u.channels} k{u.kernel[0]}"
    if name == "StreamingMaxPool":
        return f"{u.ifm_dim[0]}x{u.ifm_dim[1]}x{u.channels} k{u.kernel[0]}"
    if name == "Thresholding":
        return f"{u.pixels}x{u.channels}"
    if name == "LabelSelect":
        return f"{u.labels} top{u.k}"
    return ""


def folding_of(u: Any) -> tuple[int | None, int | None]:
    """(PE, SIMD) of a unit; None where the unit has no such knob."""
    return getattr(u, "pe", None), getattr(u, "simd", None)


def _unit_producer(g: Graph, node: Node, units: dict[str, Node]) -> Node | None:
    p = g.producer(node.inputs[0])
    return p if p is not None and p.name in units else None


def _start_fraction(u: Any) -> float:
    """Fraction of its input a unit must receive before it can emit its first output (own)."""
    name = type(u).__name__
    if name == "MVAU":
        return 1.0 / u.reps
    if name in ("SlidingWindow", "StreamingMaxPool"):
        t, l, b, r = u.pads
        h, w = u.ifm_dim[0] + t + b, u.ifm_dim[1] + l + r
        return min(1.0, ((u.kernel[0] - 1) * w + u.kernel[1]) / (h * w))
    if name == "Thresholding":
        return 1.0 / u.pixels
    return 1.0  # LabelSelect needs every score


def _tail(u: Any) -> int:
    """Cycles a unit still needs after its last input word arrived (own)."""
    name = type(u).__name__
    if name == "MVAU":
        return (u.mh // u.pe) * (u.mw // u.simd) - (u.mw // u.simd) + 1
    if name == "SlidingWindow":
        oh = u.ofm_dim[0]
        return math.ceil(u.cycles() / oh)
    if name == "LabelSelect":
        return u.k
    return 1


def dma_cycles(g: Graph, axi_bits: int) -> dict[str, int]:
    """Cycles the DMA needs per frame to stream each accelerator input/output over ``axi_bits``."""
    nodes = unit_nodes(g)
    units = {n.name for n in nodes}
    out: dict[str, int] = {}
    for n in nodes:
        p = g.producer(n.inputs[0])
        if p is None or p.name not in units:
            t = g.tensors[n.inputs[0]]
            out["dma_in"] = out.get("dma_in", 0) + math.ceil(t.size * t.dtype.bits / axi_bits)
        if not any(c.name in units for c in g.consumers(n.outputs[0])):
            t = g.tensors[n.outputs[0]]
            out["dma_out"] = out.get("dma_out", 0) + math.ceil(t.size * t.dtype.bits / axi_bits)
    return out


def performance(g: Graph, clock_mhz: float, input_words: int | None = None,
                axi_bits: int | None = None) -> dict[str, Any]:
    """Throughput, initiation interval and pipeline latency of the unit graph.

    Throughput = clock / slowest unit's cycles (the dataflow pipeline's initiation interval).
    Latency: each unit starts once its producer emitted the share of the frame it needs first
    (one vector for an MVAU, K-1 rows + K pixels for a window) and ends no earlier than its own
    cycles after starting nor than its tail after its producer ended.
    """
    nodes = unit_nodes(g)
    units = {n.name: n for n in nodes}
    cyc = {n.name: unit_of(n).cycles() for n in nodes}
    if not nodes:
        return {"max_cycles": 0, "bottleneck": None, "fps": math.inf, "ii_cycles": 0,
                "latency_cycles": 0, "latency_us": 0.0, "clock_mhz": clock_mhz}
    stages = dict(cyc)
    if axi_bits:  # the DMA streams each frame in and out too (it cannot be folded)
        dma = dma_cycles(g, axi_bits)
        stages.update(dma)
        input_words = dma.get("dma_in", input_words)
    bottleneck = max(stages, key=lambda k: stages[k])
    mx = stages[bottleneck]
    start: dict[str, float] = {}
    finish: dict[str, float] = {}
    for n in nodes:
        u = unit_of(n)
        p = _unit_producer(g, n, units)
        if p is None:
            ps, pf = 0.0, float(input_words if input_words is not None else 0)
        else:
            ps, pf = start[p.name], finish[p.name]
        s = ps + _start_fraction(u) * (pf - ps)
        start[n.name] = s
        finish[n.name] = max(s + cyc[n.name], pf + _tail(u))
    lat = max(finish.values())
    return {
        "clock_mhz": clock_mhz,
        "max_cycles": int(mx),
        "bottleneck": bottleneck,
        "ii_cycles": int(mx),
        "fps": clock_mhz * 1e6 / mx,
        "latency_cycles": int(math.ceil(lat)),
        "latency_us": lat / clock_mhz,
        "sum_cycles": int(sum(cyc.values())),
    }


def infrastructure(g: Graph, board: Board) -> list[dict[str, Any]]:
    """FIFOs, width converters and the DMA shell: what FINN's per-layer estimate leaves out."""
    nodes = unit_nodes(g)
    units = {n.name: n for n in nodes}
    rows: list[dict[str, Any]] = []
    consumed: set[str] = set()
    axi = board.axi_port_bits

    def link(src: str, dst: str, outw: int, inw: int, depth: int) -> None:
        if outw != inw:
            rows.append({"name": f"dwc:{src}->{dst}", "kind": "DWC", "in_bits": outw, "out_bits": inw,
                         **width_converter(outw, inw)})
        rows.append({"name": f"fifo:{src}->{dst}", "kind": "FIFO", "in_bits": inw, "out_bits": inw,
                     "depth": depth, **fifo(inw, depth)})

    for n in nodes:
        u = unit_of(n)
        inw, _ = stream_widths(u)
        p = _unit_producer(g, n, units)
        depth = fifo_depth(n, DEFAULT_FIFO_DEPTH)
        if p is None:
            link("dma_in", n.name, axi, inw, depth)
        else:
            consumed.add(p.name)
            link(p.name, n.name, stream_widths(unit_of(p))[1], inw, depth)
    for n in nodes:
        if n.name not in consumed:
            link(n.name, "dma_out", stream_widths(unit_of(n))[1], axi, 32)
    rows.append({"name": "shell", "kind": "shell", **SHELL})
    return rows


def estimate(g: Graph, board: Board, budget: float | None = None) -> dict[str, Any]:
    """Per-unit cycles and resources, infrastructure, totals, board utilisation, performance."""
    nodes = unit_nodes(g)
    perf = performance(g, board.clock_mhz, axi_bits=board.axi_port_bits)
    rows = []
    for n in nodes:
        u = unit_of(n)
        pe, simd = folding_of(u)
        res = u.resources(board)
        c = u.cycles()
        rows.append({
            "name": n.name, "op": n.op, "shape": unit_shape(u), "PE": pe, "SIMD": simd, "cycles": c,
            "pipeline_utilisation": c / perf["max_cycles"] if perf["max_cycles"] else 0.0,
            **{k: int(res[k]) for k in RESOURCES},
        })
    infra = infrastructure(g, board)
    totals = add(*[{k: r[k] for k in RESOURCES} for r in rows + infra])
    units_only = add(*[{k: r[k] for k in RESOURCES} for r in rows])
    cap = board.capacity()
    util = {k: (totals[k] / cap[k] if cap[k] else (0.0 if totals[k] == 0 else math.inf)) for k in RESOURCES}
    return {
        "model": g.name,
        "board": {"name": board.name, "part": board.part, "clock_mhz": board.clock_mhz, "capacity": cap},
        "budget": budget,
        "units": rows,
        "infrastructure": infra,
        "totals_units": units_only,
        "totals": totals,
        "utilisation": util,
        "fits": all(util[k] <= 1.0 for k in RESOURCES),
        "fits_budget": None if budget is None else all(util[k] <= budget for k in BUDGETED),
        "performance": perf,
    }


@step("estimate")
def _estimate_step(state: FlowState) -> FlowState:
    """Estimate the folded graph on the board; writes the JSON reports when out_dir is set."""
    board: Board = state.options["board"]
    est = estimate(state.graph, board, state.options.get("budget"))
    out = state.options.get("out_dir")
    if out is not None:
        from hwgen.analysis.report import write_json_reports

        write_json_reports(est, state.artifacts.get("folding_config") or {}, out)
    return state.with_artifact(estimate=est)
