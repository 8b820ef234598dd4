"""Cycle-level dataflow run of a folded, inserted hardware graph (DESIGN §1 ``check``).

Every unit replays its schedule for a number of frames (``frame_schedule_runs``: the HLS loop
nest at its static II bound, plus a pipeline fill and drain per loop entered — the estimate's
``frame_cycles()``); FIFO nodes are not processes but the capacity of the stream they sit on (their
``depth``); a stream without a FIFO node holds 2 words (an hls::stream's default). The DMA is a
source writing one AXI word a cycle into each accelerator input and a sink reading one a cycle
from each output. From the trace: the initiation interval (cycles between the last two frame
completions), the latency of the first frame, the peak occupancy of every FIFO, and at a
deadlock the FIFOs found full and empty.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field

import numpy as np

from hwgen.core.axi import axi_port
from hwgen.core.errors import HwgenError
from hwgen.core.ir import Graph
from hwgen.kernels.dataflow import Process, Trace, run
from hwgen.units import hardware_nodes, unit_of

STREAM_DEPTH = 2  # a stream without a FIFO node (hls::stream default)
UNBOUNDED = 1 << 40


class DataflowGraphError(HwgenError):
    """A hardware graph the dataflow check cannot replay (a stream with two readers)."""


@dataclass
class Network:
    """The graph as processes and FIFOs: ``fifo_names[c]`` names FIFO c (the FIFO node, or the
    tensor of a plain stream); ``fifo_nodes`` maps FIFO-node names to their index."""

    processes: list[Process]
    names: list[str]  # process names: units, "dma_in:<tensor>", "dma_out:<tensor>"
    capacity: list[int]
    fifo_names: list[str]
    fifo_nodes: dict[str, int]
    sinks: list[int]
    cycles: dict[str, int]  # per-frame cycles of every process


@dataclass
class DataflowResult:
    frames: int
    interval: int | None  # cycles between the last two frame completions (None: deadlock)
    intervals: list[int]
    latency: int | None  # cycles from the first input word to the last output word of frame 0
    completions: list[int]
    deadlock: bool
    full: list[str] = field(default_factory=list)  # at a deadlock: FIFOs a writer waits on
    empty: list[str] = field(default_factory=list)  # ... and FIFOs a reader waits on
    waiting: list[str] = field(default_factory=list)  # "unit: full fifo" lines
    peak: dict[str, int] = field(default_factory=dict)  # FIFO node -> most words held
    stalls: dict[str, list[int]] = field(default_factory=dict)  # process -> [cycles on empty, on full]
    depth: dict[str, int] = field(default_factory=dict)  # FIFO node -> capacity
    cycles_run: int = 0
    seconds: float = 0.0
    slowest: str = ""
    slowest_cycles: int = 0

    @property
    def ok(self) -> bool:
        """Every frame completed at the slowest process's interval (see ``reaches``)."""
        return self.reaches(self.slowest_cycles)

    def reaches(self, interval: int) -> bool:
        """Every frame completed, the last two intervals equal to ``interval`` (two: an early
        interval can be shorter than the steady one while FIFOs still fill)."""
        return not self.deadlock and len(self.intervals) > 0 and \
            self.intervals[-2:] == [interval] * min(2, len(self.intervals))

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in (
            "frames", "interval", "intervals", "latency", "completions", "deadlock", "full", "empty", "waiting",
            "peak", "depth", "stalls", "cycles_run", "seconds", "slowest", "slowest_cycles")}


def _runs_array(runs: list[tuple[int, tuple[int, ...], tuple[int, ...]]]) -> np.ndarray:
    return np.array([(n, *r, *w) for n, r, w in runs], np.int64)


def build_network(g: Graph, axi_bits: int, backend: str = "hls") -> Network:
    """Processes and FIFOs of ``g`` (after the ``insert`` pass), each unit spending a frame as the
    ``backend``'s code does (``Unit.frame_schedule_runs``)."""
    nodes = hardware_nodes(g)
    hw = {n.name for n in nodes}
    fifo_of: dict[str, int] = {}  # tensor -> FIFO index
    names: list[str] = []
    cap: list[int] = []
    fifo_nodes: dict[str, int] = {}

    def fifo(tensor: str, name: str, capacity: int) -> int:
        if tensor not in fifo_of:
            fifo_of[tensor] = len(cap)
            names.append(name)
            cap.append(capacity)
        return fifo_of[tensor]

    units = {n.name: unit_of(n) for n in nodes}
    procs: list[Process] = []
    pnames: list[str] = []
    cycles: dict[str, int] = {}
    sinks: list[int] = []
    for n in nodes:  # a FIFO node is the capacity of one stream: its input and output tensors
        d = getattr(units[n.name], "depth", None)
        if d is not None:
            c = fifo(n.inputs[0], n.name, int(d))
            fifo_of[n.outputs[0]] = c
            fifo_nodes[n.name] = c
    for n in nodes:
        for t in n.outputs:
            readers = [c for c in g.consumers(t) if c.name in hw]
            if len(readers) > 1:
                raise DataflowGraphError(f"node {n.name!r}: stream {t!r} has {len(readers)} hardware readers; "
                                         "a fork needs a duplicating unit (run the 'insert' step)")
    dma_in = [t for n in nodes for t in n.inputs if g.producer(t) is None or g.producer(t).name not in hw]
    for t in dict.fromkeys(dma_in):  # the DMA writes one AXI word a cycle
        port = axi_port(g.tensors[t].size, g.tensors[t].dtype, axi_bits)
        procs.append(Process((), (fifo(t, t, STREAM_DEPTH),), np.array([[port["words"], 1]], np.int64)))
        pnames.append(f"dma_in:{t}")
        cycles[pnames[-1]] = port["words"]
    for n in nodes:
        u = units[n.name]
        if n.name in fifo_nodes:
            continue
        ins = tuple(fifo(t, t, STREAM_DEPTH) for t in n.inputs)
        outs = tuple(fifo(t, t, STREAM_DEPTH) for t in n.outputs)
        procs.append(Process(ins, outs, _runs_array(u.frame_schedule_runs(backend))))
        pnames.append(n.name)
        cycles[n.name] = u.frame_cycles(backend)
    for n in nodes:  # the DMA reads what no hardware unit reads
        for t, port in zip(n.outputs, units[n.name].out_ports()):
            if not any(c.name in hw for c in g.consumers(t)):
                c = fifo(t, t, STREAM_DEPTH)
                sinks.append(len(procs))
                procs.append(Process((c,), (), np.array([[port.words, 1]], np.int64)))
                pnames.append(f"dma_out:{t}")
                cycles[pnames[-1]] = port.words
    return Network(procs, pnames, cap, names, fifo_nodes, sinks, cycles)


def simulate_dataflow(g: Graph, axi_bits: int, frames: int = 4, depths: dict[str, int] | None = None,
                      unbounded: set[str] | frozenset[str] = frozenset(), use_c: bool = True,
                      backend: str = "hls") -> DataflowResult:
    """Run ``g`` for ``frames`` frames; FIFO nodes in ``unbounded`` get unlimited capacity."""
    return run_network(build_network(g, axi_bits, backend), frames, depths, unbounded, use_c)


def run_network(net: Network, frames: int = 4, depths: dict[str, int] | None = None,
                unbounded: set[str] | frozenset[str] = frozenset(), use_c: bool = True) -> DataflowResult:
    """Run a built network (the FIFO pass tries many depths on one network)."""
    cap = list(net.capacity)
    for name, d in (depths or {}).items():
        cap[net.fifo_nodes[name]] = int(d)
    for name in unbounded:
        cap[net.fifo_nodes[name]] = UNBOUNDED
    # an upper bound no live pipeline reaches: every process back to back, every frame
    limit = frames * sum(net.cycles.values()) + 1000
    t0 = time.perf_counter()
    tr: Trace = run(net.processes, cap, frames, limit, use_c=use_c)
    secs = time.perf_counter() - t0
    return _result(net, tr, frames, secs, cap)


def _result(net: Network, tr: Trace, frames: int, secs: float, cap: list[int]) -> DataflowResult:
    done = tr.done_at[net.sinks] if net.sinks else tr.done_at
    complete = bool((done >= 0).all())
    comps = [int(c) for c in done.max(0)] if complete else []
    intervals = [b - a for a, b in itertools.pairwise(comps)]
    slowest = max(net.cycles, key=lambda k: net.cycles[k])
    res = DataflowResult(
        frames=frames, interval=intervals[-1] if intervals else None, intervals=intervals,
        latency=comps[0] + 1 if comps else None, completions=comps, deadlock=not complete,
        peak={name: int(tr.peak[c]) for name, c in net.fifo_nodes.items()},
        depth={name: int(cap[c]) for name, c in net.fifo_nodes.items()},
        stalls={name: [int(x) for x in tr.stalls[p]] for p, name in enumerate(net.names) if tr.stalls[p].any()},
        cycles_run=tr.cycles, seconds=secs, slowest=slowest, slowest_cycles=net.cycles[slowest])
    if not complete:
        full = {net.fifo_names[c] for _, c, why in tr.blocked if why == "full"}
        empty = {net.fifo_names[c] for _, c, why in tr.blocked if why == "empty"}
        res.full, res.empty = sorted(full), sorted(empty)
        res.waiting = [f"{net.names[p]} waits on {why} {net.fifo_names[c]}" for p, c, why in tr.blocked]
    return res
