"""Estimate a folded hardware graph: cycles, throughput, latency, resources, board fit.

``estimate(graph, board)`` returns the plain dict written to report/estimate.json. Every number
comes from the units' faces (``cycles``, ``resources``, ports, ``start_fraction``, ``tail``);
converters and FIFOs are graph nodes (the ``insert`` pass), priced and timed like any unit.
"""

from __future__ import annotations

import math
from typing import Any

from hwgen.core.axi import axi_port
from hwgen.core.boards import Board
from hwgen.core.flow import FlowState, step
from hwgen.core.ir import Graph
from hwgen.passes.insert import accelerator_outputs, insert_stream_nodes
from hwgen.units import hardware_nodes, unit_of
from hwgen.units.cost import BUDGETED, RESOURCES, SHELL, add


def accelerator_inputs(g: Graph) -> list[str]:
    """Tensors the DMA streams into the hardware (read by a unit, written by the host or no one)."""
    hw = {n.name for n in hardware_nodes(g)}
    ins: list[str] = []
    for n in hardware_nodes(g):
        for t in n.inputs:
            p = g.producer(t)
            if (p is None or p.name not in hw) and t not in ins:
                ins.append(t)
    return ins


def dma_cycles(g: Graph, axi_bits: int) -> dict[str, int]:
    """Cycles the DMA needs per frame to stream the accelerator's inputs/outputs over ``axi_bits``."""
    out: dict[str, int] = {}
    for key, tensors in (("dma_in", accelerator_inputs(g)), ("dma_out", accelerator_outputs(g))):
        for name in tensors:
            t = g.tensors[name]
            # the words the AXI adapters move: EPW whole elements per word (core/axi.py)
            out[key] = out.get(key, 0) + axi_port(t.size, t.dtype, axi_bits)["words"]
    return out


def performance(g: Graph, clock_mhz: float, axi_bits: int | None = None, backend: str = "hls") -> dict[str, Any]:
    """Throughput, initiation interval and pipeline latency of the unit DAG.

    Throughput = clock / slowest stage's cycles (units, converters, FIFOs and the DMA: the
    dataflow pipeline's initiation interval). Latency: each unit starts once every producer
    emitted the share of the frame it needs first (``start_fraction``) and ends no earlier than
    its own cycles after starting nor than its ``tail`` after its last producer ended. A unit's
    cycles per frame are its ``frame_cycles(backend)`` (HLS: with pipeline fill and drain).
    """
    nodes = hardware_nodes(g)
    if not nodes:
        return {"max_cycles": 0, "bottleneck": None, "fps": math.inf, "ii_cycles": 0,
                "latency_cycles": 0, "latency_us": 0.0, "clock_mhz": clock_mhz, "sum_cycles": 0}
    units = {n.name: unit_of(n) for n in nodes}
    cyc = {name: u.frame_cycles(backend) for name, u in units.items()}
    stages = dict(cyc)
    dma = dma_cycles(g, axi_bits) if axi_bits else {}
    stages.update(dma)  # the DMA streams each frame in and out too (it cannot be folded)
    bottleneck = max(stages, key=lambda k: stages[k])
    mx = stages[bottleneck]
    start: dict[str, float] = {}
    finish: dict[str, float] = {}
    dma_in = float(dma.get("dma_in", 0))
    for n in nodes:
        u = units[n.name]
        spans = []
        for t in n.inputs:
            p = g.producer(t)
            spans.append((start[p.name], finish[p.name]) if p is not None and p.name in units else (0.0, dma_in))
        s = max(ps + u.start_fraction() * (pf - ps) for ps, pf in spans)
        start[n.name] = s
        finish[n.name] = max(s + cyc[n.name], max(pf for _, pf in spans) + u.tail())
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


def backend_of(board: Board) -> str:
    return getattr(board, "backend", "hls")


def unit_rows(g: Graph, board: Board, max_cycles: int) -> list[dict[str, Any]]:
    rows = []
    for n in hardware_nodes(g):
        u = unit_of(n)
        fold = u.folding()
        res = u.resources(board)
        c = u.frame_cycles(backend_of(board))
        rows.append({
            "name": n.name, "op": n.op, "shape": u.shape(), "PE": fold.get("pe"), "SIMD": fold.get("simd"),
            "cycles": c, "loop_cycles": u.cycles(), "ii_bound": u.ii_bound(),
            "pipeline_utilisation": c / max_cycles if max_cycles else 0.0,
            "infrastructure": bool(getattr(u, "infrastructure", False)),
            **{k: int(res[k]) for k in RESOURCES},
        })
    return rows


def estimate(g: Graph, board: Board, budget: float | None = None) -> dict[str, Any]:
    """Per-unit cycles and resources, infrastructure, totals, board utilisation, performance.

    ``g`` gets its converters and FIFOs first if the ``insert`` pass has not run yet.
    """
    g = insert_stream_nodes(g, board.axi_port_bits)
    perf = performance(g, board.clock_mhz, axi_bits=board.axi_port_bits, backend=backend_of(board))
    rows = unit_rows(g, board, perf["max_cycles"])
    units = [r for r in rows if not r["infrastructure"]]
    infra = [r for r in rows if r["infrastructure"]] + [{"name": "shell", "op": "shell", **SHELL}]
    totals = add(*[{k: r[k] for k in RESOURCES} for r in rows], SHELL)
    units_only = add(*[{k: r[k] for k in RESOURCES} for r in units])
    cap = board.capacity()
    util = {k: (totals[k] / cap[k] if cap[k] else (0.0 if totals[k] == 0 else math.inf)) for k in RESOURCES}
    return {
        "model": g.name,
        "board": {"name": board.name, "part": board.part, "clock_mhz": board.clock_mhz, "capacity": cap},
        "budget": budget,
        "units": units,
        "infrastructure": infra,
        "totals_units": units_only,
        "totals": totals,
        "utilisation": util,
        "fits": all(util[k] <= 1.0 for k in RESOURCES),
        "fits_budget": None if budget is None else all(util[k] <= budget for k in BUDGETED),
        "performance": perf,
    }


def with_check(perf: dict[str, Any], dataflow: dict[str, Any] | None) -> dict[str, Any]:
    """``perf`` with the cycle-level check's interval where it is slower than the slowest unit.

    The slowest unit's cycles are a lower bound; the check replays every unit's schedule and sees
    what that bound cannot, e.g. a window unit that fills its first rows of a frame only after
    the last output row of the one before (no read-ahead across frames), which starves a
    balanced consumer each frame. The throughput printed is then the check's; the slowest
    unit's cycles stay as ``units_max_cycles``.
    """
    out = {**perf, "units_max_cycles": perf["max_cycles"], "interval_source": "units"}
    interval = (dataflow or {}).get("interval")
    if interval and interval > perf["max_cycles"]:
        latency = max(perf["latency_cycles"], int(dataflow["latency"]))
        out.update(ii_cycles=int(interval), max_cycles=int(interval), interval_source="check",
                   fps=perf["clock_mhz"] * 1e6 / interval,
                   latency_cycles=latency, latency_us=latency / perf["clock_mhz"])
    return out


@step("estimate")
def _estimate_step(state: FlowState) -> FlowState:
    """Estimate the folded graph on the board (the report step writes it); where the cycle-level
    check ran before and found a slower interval, the performance is the check's (``with_check``)."""
    board: Board = state.options["board"]
    est = estimate(state.graph, board, state.options.get("budget"))
    est["performance"] = with_check(est["performance"], state.artifacts.get("dataflow"))
    return state.with_artifact(estimate=est)
