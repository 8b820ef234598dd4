"""FIFO sizing: the depth of every FIFO node (inserted by the ``insert`` pass).

A unit that stops reading for a while (an MVAU reuses one input vector for all NF row folds; a
SlidingWindow or max-pool reads the next rows only during part of each output row) makes its
producer stall unless the FIFO in front of it holds what the producer emits meanwhile. The
depth is that burst, from the units' own schedules (``idle_cycles``, ports, ``cycles``), so a
producer never waits on a consumer that will catch up (own analysis; FINN sizes FIFOs by RTL
simulation instead, which needs Vivado). The estimate and the generated stream depth both read
the FIFO node's ``depth``.

That burst rule looks at one edge. What it cannot see — a fork whose shortcut must hold what the
long branch consumes before it emits (window rows, an MVAU's fill), or a bottleneck starved at a
frame boundary because the units before it wait for rows of the next frame — the cycle-level run
(``hwgen.sim.dataflow``) shows. ``refine_depths`` replays the graph with the burst depths; if the
interval is worse than the slowest unit's cycles (or it deadlocks), it runs again with unbounded
FIFOs, takes each FIFO's peak occupancy (a depth at which that run is unchanged), and shrinks
the FIFOs that grew, one at a time, to the smallest depth at which the interval is still the
slowest unit's (bisection: more depth never slows a blocking dataflow graph). So every depth
it sets is tight: one word less and the check reports a worse interval or a deadlock. Where even
unbounded FIFOs do not reach the slowest unit's cycles (the schedules themselves lose cycles at
frame boundaries), the goal is the unbounded run's interval, and the check reports the gap.
"""

from __future__ import annotations

import math
import time
from typing import Any

from hwgen.core.flow import FlowState, step
from hwgen.core.ir import Graph, Node
from hwgen.passes.insert import MIN_DEPTH
from hwgen.sim.dataflow import build_network, run_network
from hwgen.units import Unit, hardware_nodes, unit_of

MAX_DEPTH = 4096
SIZING_FRAMES = 4  # frames each sizing run replays (the interval is the last two's distance)


def out_rate(u: Unit, elems_per_word: int) -> float:
    """Words of ``elems_per_word`` elements that ``u`` emits per cycle, averaged over its frame."""
    port = u.out_ports()[0]
    return min(1.0, port.elems / elems_per_word / max(1, u.cycles()))


def depth_for(consumer: Unit, producer: Unit | None, i: int = 0) -> int:
    """FIFO depth in front of input ``i`` of ``consumer`` fed by ``producer`` (None: a producer
    at one word a cycle, such as the DMA — the deepest the FIFO ever needs)."""
    port = consumer.in_ports()[i]
    rate = 1.0 if producer is None else out_rate(producer, port.epw)
    burst = math.ceil(consumer.idle_cycles(i) * rate)
    if producer is not None:
        burst = min(burst, port.words)  # never more than a whole frame
    return int(min(MAX_DEPTH, burst + MIN_DEPTH))


def _through(g: Graph, tensor: str, hw: set[str]) -> Node | None:
    """Walk from ``tensor`` past converters/FIFOs (upstream); the first real unit, or None."""
    while True:
        p = g.producer(tensor)
        if p is None or p.name not in hw:
            return None
        if not getattr(unit_of(p), "infrastructure", False):
            return p
        tensor = p.inputs[0]


def size_fifos(g: Graph) -> Graph:
    """Set ``depth`` on every FIFO node from its consumer's schedule and its producer's rate."""
    hw = {n.name for n in hardware_nodes(g)}
    for n in list(g.nodes):
        if n.name not in hw or not hasattr(unit_of(n), "depth"):
            continue
        readers = [c for c in g.consumers(n.outputs[0]) if c.name in hw]
        if not readers:
            continue  # the FIFO toward the output DMA: the DMA reads every cycle
        c = readers[0]
        producer = _through(g, n.inputs[0], hw)
        d = depth_for(unit_of(c), unit_of(producer) if producer is not None else None,
                      c.inputs.index(n.outputs[0]))
        g = g.replace_node(g.node(n.name), [g.node(n.name).with_attrs(depth=d)])
    return g


def refine_depths(g: Graph, axi_bits: int, frames: int = SIZING_FRAMES) -> tuple[Graph, dict[str, Any]]:
    """``g`` with FIFO depths grown until the cycle-level run reaches the slowest unit's interval
    (see the module docstring), and what the search did."""
    t0 = time.perf_counter()
    net = build_network(g, axi_bits)
    base = {name: int(g.node(name).attrs["depth"]) for name in net.fifo_nodes}
    runs = 1
    first = run_network(net, frames)
    info: dict[str, Any] = {"target": first.slowest_cycles, "burst_interval": first.interval,
                            "burst_deadlock": first.deadlock, "grown": {}}
    depths = dict(base)
    if not first.ok:
        free = run_network(net, frames, unbounded=set(base))
        runs += 1
        # the best interval any depths give; above the slowest unit's cycles when the schedules
        # themselves lose cycles (units at the bottleneck rate around a window unit, say)
        goal = free.intervals[-1] if not free.deadlock and free.intervals else None
        info["reachable_interval"] = goal
        if goal is not None and not first.reaches(goal):
            depths = {k: max(base[k], free.peak[k]) for k in base}
            for name in sorted(depths, key=lambda k: depths[k] - base[k], reverse=True):
                lo, hi = base[name], depths[name]  # hi reaches the target, lo may not
                while lo < hi:
                    mid = (lo + hi) // 2
                    runs += 1
                    if run_network(net, frames, {**depths, name: mid}).reaches(goal):
                        hi = mid
                    else:
                        lo = mid + 1
                depths[name] = hi
    for name, d in depths.items():
        if d != base[name]:
            info["grown"][name] = [base[name], d]
            g = g.replace_node(g.node(name), [g.node(name).with_attrs(depth=d)])
    info.update(runs=runs, seconds=round(time.perf_counter() - t0, 3))
    return g, info


def sized(g: Graph, axi_bits: int) -> tuple[Graph, dict[str, Any]]:
    """What the ``fifo`` step does: burst depths, then the ones the cycle-level run proves."""
    return refine_depths(size_fifos(g), axi_bits)


@step("fifo")
def _fifo_step(state: FlowState) -> FlowState:
    g, info = sized(state.graph, state.options["board"].axi_port_bits)
    if state.options.get("backend", "hls") == "rtl":  # the Verilog's pipeline registers
        from hwgen.passes.rtl_slack import rtl_fifo_slack

        g, slack = rtl_fifo_slack(g)
        info = {**info, "rtl_slack": slack["grown"]}
    return state.with_stage("fifo", g).with_artifact(fifo_sizing=info)
