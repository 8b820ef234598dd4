"""FIFO sizing: the depth of the stream feeding each hardware unit (attribute ``fifo_depth``).

A unit that stops reading for a while (an MVAU reuses one input vector for all NF row folds; a
SlidingWindow or max-pool reads the next rows only during part of each output row) makes its
producer stall unless the FIFO between them can hold what the producer emits meanwhile. The
depth is that burst, from the units' own schedules, so a producer never waits on a consumer
that will catch up (own analysis; FINN sizes FIFOs by RTL simulation instead, which needs
Vivado). Both the estimate and the generated ``#pragma HLS STREAM depth`` read ``fifo_depth``.
"""

from __future__ import annotations

import math

from hwgen.core.flow import FlowState, step
from hwgen.core.ir import Graph, Node
from hwgen.units import UNITS, unit_of
from hwgen.units.sliding_window import ring_last_row

MIN_DEPTH = 2
MAX_DEPTH = 4096


def idle_cycles(u) -> int:
    """The longest run of cycles in which unit ``u`` reads no input word."""
    kind = type(u).__name__
    if kind == "MVAU":
        sf, nf = u.mw // u.simd, u.mh // u.pe
        return (nf - 1) * sf  # the vector is read during the first row fold only
    if kind in ("SlidingWindow", "StreamingMaxPool"):
        words = u.channels // (u.in_simd if kind == "SlidingWindow" else u.pe)
        (ih, iw), (oh, ow) = u.ifm_dim, u.ofm_dim
        kh, kw = u.kernel
        sh, pt = u.stride[0], u.pads[0]
        per_window = kh * kw * u.channels // (u.simd if kind == "SlidingWindow" else u.pe)
        steps = ow * per_window
        idle = 0
        for oy in range(oh - 1):
            reads = (ring_last_row(oy + 1, ih, kh, sh, pt) - ring_last_row(oy, ih, kh, sh, pt)) * iw * words
            idle = max(idle, steps - reads)
        return idle
    return 0  # Thresholding, LabelSelect: read every cycle they run


def out_words(u) -> int:
    """Output stream words per frame of unit ``u`` under its folding."""
    kind = type(u).__name__
    if kind == "MVAU":
        return u.reps * u.mh // u.pe
    if kind == "SlidingWindow":
        oh, ow = u.ofm_dim
        return oh * ow * u.kernel[0] * u.kernel[1] * u.channels // u.simd
    if kind == "StreamingMaxPool":
        oh, ow = u.ofm_dim
        return oh * ow * u.channels // u.pe
    if kind == "Thresholding":
        return u.pixels * u.channels // u.pe
    return u.k  # LabelSelect


def out_rate(u) -> float:
    """Output words per cycle of ``u`` averaged over its frame."""
    return min(1.0, out_words(u) / max(1, u.cycles()))


def depth_for(consumer, producer) -> int:
    """FIFO depth in front of ``consumer`` fed by ``producer`` (None: the DMA, one word a cycle)."""
    rate = 1.0 if producer is None else out_rate(producer)
    burst = math.ceil(idle_cycles(consumer) * rate)
    if producer is not None:
        burst = min(burst, out_words(producer))  # never more than a whole frame
    return int(min(MAX_DEPTH, burst + MIN_DEPTH))


def size_fifos(g: Graph) -> Graph:
    """Set ``fifo_depth`` on every hardware unit (see module docstring)."""
    units = {n.name: n for n in g.nodes if n.op in UNITS}
    for n in list(g.nodes):
        if n.op not in UNITS:
            continue
        p = g.producer(n.inputs[0])
        producer = unit_of(p) if p is not None and p.name in units else None
        g = g.replace_node(g.node(n.name), [g.node(n.name).with_attrs(fifo_depth=depth_for(unit_of(n), producer))])
    return g


@step("fifo")
def _fifo_step(state: FlowState) -> FlowState:
    return state.with_stage("fifo", size_fifos(state.graph))


def fifo_depth(n: Node, default: int) -> int:
    """The depth sized for the stream into ``n`` (``default`` before the fifo pass ran)."""
    return int(n.attrs.get("fifo_depth", 0)) or default
