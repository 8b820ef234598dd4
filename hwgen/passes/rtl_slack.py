"""FIFO slack for the rtl backend: the pipeline latency of the Verilog modules, which the
cycle-level check of the schedules does not model.

The ``fifo`` pass sizes every FIFO from the units' schedules, tight for the cycle-level check
(``hwgen.passes.fifo``). The Verilog modules add a few pipeline registers beyond those schedules
(``hwgen.units.rtl.PIPELINE_LATENCY``, measured). On a chain this only delays the stream; at a join
(AddStreams, StreamingConcat) the input whose branch has fewer registers waits longer for the
other one, so the FIFO in front of it must hold that many more words, or the fork upstream
stalls and the whole design slows (Bi-Real at hwgen's PYNQ-Z1 folding: 11,024 cycles per frame
in Verilator instead of 5,408). Each join input's FIFO grows by the difference between the
slowest branch's accumulated latency and its own (cycles, so words at up to one a cycle).
And a hwgen_fifo hands a word to its reader two cycles after it was written (memory, then output
register), where the check's streams have none: a FIFO that drains in a burst runs empty for
those cycles unless it holds as many more words, so every FIFO grows by that latency (CNV-style
window-to-MVAU edges; the residual block at hwgen's folding: 41 cycles per frame for its 37).
"""

from __future__ import annotations

from typing import Any

from hwgen.core.ir import Graph
from hwgen.units import hardware_nodes, unit_of


def branch_latency(g: Graph) -> dict[str, int]:
    """Each tensor's accumulated pipeline latency: the most along any path from the graph input."""
    lat: dict[str, int] = {}
    for n in hardware_nodes(g):
        start = max((lat.get(t, 0) for t in n.inputs), default=0)
        own = unit_of(n).rtl_context().latency
        for t in n.outputs:
            lat[t] = start + own
    return lat


def rtl_fifo_slack(g: Graph) -> tuple[Graph, dict[str, Any]]:
    """``g`` with every FIFO deeper by its own latency, and a FIFO in front of a join input also
    by its branch's latency deficit; returns what grew (node -> [depth before, after])."""
    lat = branch_latency(g)
    extra: dict[str, int] = {}
    for n in hardware_nodes(g):
        u = unit_of(n)
        if hasattr(u, "depth"):
            extra[n.name] = extra.get(n.name, 0) + u.rtl_context().latency
        if len(n.inputs) < 2:
            continue
        most = max(lat.get(t, 0) for t in n.inputs)
        for t in n.inputs:
            p = g.producer(t)
            if p is not None and hasattr(unit_of(p), "depth"):
                extra[p.name] = extra.get(p.name, 0) + most - lat.get(t, 0)
    grown: dict[str, list[int]] = {}
    for name, k in extra.items():
        d = int(g.node(name).attrs["depth"])
        if k > 0:
            grown[name] = [d, d + k]
            g = g.replace_node(g.node(name), [g.node(name).with_attrs(depth=d + k)])
    return g, {"grown": grown}
