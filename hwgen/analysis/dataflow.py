"""The ``check`` flow step: a cycle-level dataflow run of the folded graph with its FIFO depths.

It replays every unit's schedule (hwgen.sim.dataflow) for ``CHECK_FRAMES`` frames and stores
the initiation interval, latency, peak occupancy of every FIFO and, at a deadlock, the full and
empty FIFOs as the ``dataflow`` artifact; the report step writes it into report/estimate.json
and index.html. A deadlock fails the build in one line naming the FIFOs.
"""

from __future__ import annotations

from typing import Any

from hwgen.analysis.estimate import backend_of, performance
from hwgen.core.errors import HwgenError
from hwgen.core.flow import FlowState, step
from hwgen.core.ir import Graph
from hwgen.core.log import say
from hwgen.passes.insert import insert_stream_nodes
from hwgen.sim.dataflow import DataflowResult, simulate_dataflow

CHECK_FRAMES = 6  # the interval is the distance of the last two; the first ones fill the pipeline


class DeadlockError(HwgenError):
    """The folded graph stops: every unit waits on a full or an empty FIFO."""


def check(g: Graph, axi_bits: int, frames: int = CHECK_FRAMES, backend: str = "hls") -> DataflowResult:
    """Replay ``g`` with its FIFO depths, each unit's schedule as ``backend``'s code runs it."""
    return simulate_dataflow(insert_stream_nodes(g, axi_bits), axi_bits, frames, backend=backend)


def summary(r: DataflowResult, max_cycles: int | None = None) -> dict[str, Any]:
    """The artifact: the run's numbers, and how its interval compares with the estimate's."""
    d = r.to_dict()
    d["estimate_max_cycles"] = max_cycles
    d["matches_estimate"] = (r.interval == max_cycles) if max_cycles is not None else None
    d["steady"] = len(r.intervals) >= 2 and r.intervals[-1] == r.intervals[-2]
    return d


def deadlock_message(g: Graph, r: DataflowResult) -> str:
    full = ", ".join(r.full) or "none"
    empty = ", ".join(r.empty) or "none"
    return (f"graph {g.name!r}: dataflow check deadlocks after {r.cycles_run} cycles (full FIFOs: {full}; "
            f"empty: {empty}); deepen the full FIFOs (run the 'fifo' step after 'insert') or fix the folding")


@step("check")
def _check_step(state: FlowState) -> FlowState:
    board = state.options["board"]
    backend = backend_of(board)
    r = check(state.graph, board.axi_port_bits, backend=backend)
    if r.deadlock:
        raise DeadlockError(deadlock_message(state.graph, r))
    g = insert_stream_nodes(state.graph, board.axi_port_bits)
    mx = performance(g, board.clock_mhz, board.axi_port_bits, backend=backend)["max_cycles"]
    d = summary(r, mx)
    d["backend"] = backend
    say(f"check ({backend} schedules): interval {r.interval} cycles ({'=' if d['matches_estimate'] else '!='} estimate {mx}), "
        f"latency {r.latency} cycles, {r.cycles_run} cycles replayed in {r.seconds:.2f} s")
    return state.with_artifact(dataflow=d)
