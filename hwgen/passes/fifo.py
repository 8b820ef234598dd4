"""FIFO sizing: the depth of every FIFO node (inserted by the ``insert`` pass).

A unit that stops reading for a while (an MVAU reuses one input vector for all NF row folds; a
SlidingWindow or max-pool reads the next rows only during part of each output row) makes its
producer stall unless the FIFO in front of it holds what the producer emits meanwhile. The
depth is that burst, from the units' own schedules (``idle_cycles``, ports, ``cycles``), so a
producer never waits on a consumer that will catch up (own analysis; FINN sizes FIFOs by RTL
simulation instead, which needs Vivado). The estimate and the generated stream depth both read
the FIFO node's ``depth``.
"""

from __future__ import annotations

import math

from hwgen.core.flow import FlowState, step
from hwgen.core.ir import Graph, Node
from hwgen.passes.insert import MIN_DEPTH
from hwgen.units import Unit, hardware_nodes, unit_of

MAX_DEPTH = 4096


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


def _through(g: Graph, tensor: str, hw: set[str], passthrough: bool) -> tuple[Node | None, str]:
    """Walk from ``tensor`` past converters/FIFOs (upstream); the first real unit, or None."""
    while True:
        p = g.producer(tensor)
        if p is None or p.name not in hw:
            return None, tensor
        u = unit_of(p)
        if not getattr(u, "infrastructure", False):
            return p, tensor
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
        producer, _ = _through(g, n.inputs[0], hw, True)
        d = depth_for(unit_of(c), unit_of(producer) if producer is not None else None,
                      c.inputs.index(n.outputs[0]))
        g = g.replace_node(g.node(n.name), [g.node(n.name).with_attrs(depth=d)])
    return g


@step("fifo")
def _fifo_step(state: FlowState) -> FlowState:
    return state.with_stage("fifo", size_fifos(state.graph))
