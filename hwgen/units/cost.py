"""Cost model: LUT / FF / BRAM18 / URAM / DSP of every hardware unit and of what joins them.

Each formula names its source. "FINN" means the analytical estimates in FINN's
``finn/custom_op/fpgadataflow/*.py`` (``lut_estimation`` / ``bram_estimation``), themselves from
the FINN-R paper (Blott et al., 2018); "own" means our reasoning about the finn-hlslib-style
implementation the templates generate. FINN leaves out sliding-window buffers, FIFOs, width
converters and the DMA shell; we add them so the total is comparable to a whole-design report.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from hwgen.core.datatypes import DataType

if TYPE_CHECKING:
    from hwgen.core.boards import Board
    from hwgen.core.ir import Graph, Node

RESOURCES = ("lut", "ff", "bram18", "uram", "dsp")
BUDGETED = ("lut", "bram18", "dsp")  # what the optimizer's budget constrains

# own: a memory this shallow wastes most of a BRAM18 (>= 512 words deep in every aspect
# ratio but the widest), so it goes to LUTRAM (RAM64X1 / RAM32M); deeper ones go to BRAM18.
LUTRAM_MAX_DEPTH = 32
# own: the widest AXI stream between units we generate (``AP_INT_MAX_W`` in the HLS top).
MAX_STREAM_BITS = 4096
# own: the depth of the FIFO between two units until a FIFO-sizing pass sets ``fifo_depth``.
DEFAULT_FIFO_DEPTH = 32
# own approximation of the block design around the accelerator: AXI DMA in simple mode
# (Xilinx PG021 utilisation tables: ~1.7k LUT, ~2.7k FF, 2-4 BRAM18 for its data FIFOs), AXI
# SmartConnect/interconnect for the HP and GP ports (~1.3k LUT, ~1.8k FF) and the reset block.
# own, calibrated on BNN-PYNQ CNV-W1A1 and LFC-W1A1 (see tests/cost/test_calibration.py)
XNOR_LANE_LUTS = 3.0
SHELL = {"lut": 3000, "ff": 4500, "bram18": 4, "uram": 0, "dsp": 0}


def zero() -> dict[str, int]:
    return dict.fromkeys(RESOURCES, 0)


def add(*parts: dict[str, float]) -> dict[str, int]:
    """Element-wise sum of resource dicts, rounded to whole primitives."""
    out = dict.fromkeys(RESOURCES, 0.0)
    for p in parts:
        for k in RESOURCES:
            out[k] += p.get(k, 0)
    return {k: int(math.ceil(v - 1e-9)) for k, v in out.items()}


def bits(dt: str | DataType) -> int:
    return (DataType.parse(dt) if isinstance(dt, str) else dt).bits


def bram18_blocks(depth: int, width: int) -> int:
    """BRAM18 primitives for one ``depth`` x ``width`` memory.

    FINN ``bram_estimation`` (MVAU): a BRAM18 is 16Kx1, 8Kx2, 4Kx4, 2Kx9, 1Kx18 or 512x36.
    """
    if depth <= 0 or width <= 0:
        return 0
    if width == 1:
        return math.ceil(depth / 16384)
    if width == 2:
        return math.ceil(depth / 8192)
    if width <= 4:
        return math.ceil(depth / 4096) * math.ceil(width / 4)
    if width <= 9:
        return math.ceil(depth / 2048) * math.ceil(width / 9)
    if width <= 18 or depth > 512:
        return math.ceil(depth / 1024) * math.ceil(width / 18)
    return math.ceil(depth / 512) * math.ceil(width / 36)


def memory(depth: int, width: int, count: int = 1) -> dict[str, int]:
    """``count`` independent ``depth`` x ``width`` memories, in LUTRAM or BRAM18 by depth.

    LUTRAM cost: one LUT6 holds 64x1 (FINN MVAU ``lut_estimation`` term c2 = P*Q*W*ceil(WMEM/64)).
    """
    if depth <= 0 or width <= 0 or count <= 0:
        return zero()
    if depth <= LUTRAM_MAX_DEPTH:
        return {**zero(), "lut": count * width * math.ceil(depth / 64)}
    return {**zero(), "bram18": count * bram18_blocks(depth, width)}


def fifo(width: int, depth: int = DEFAULT_FIFO_DEPTH) -> dict[str, int]:
    """An AXI-stream FIFO between two units (own: Vivado HLS/FINN FIFOs are SRL-based up to a
    few hundred words: one SRLC32E per bit per 32 words, registered output, ~12 LUT control)."""
    if width <= 0:
        return zero()
    if depth <= 256:
        return {**zero(), "lut": width * math.ceil(depth / 32) + 12, "ff": width + 16}
    return {**zero(), "lut": 40, "ff": width + 40, "bram18": bram18_blocks(depth, width)}


def width_converter(inw: int, outw: int) -> dict[str, int]:
    """A stream data-width converter (own; FINN's StreamingDataWidthConverter has no BRAM).

    Down-conversion is an ratio:1 multiplexer per output bit (a LUT6 is a 4:1 mux) over a
    buffered input word; up-conversion shifts narrow words into a wide register. When one width
    does not divide the other, the converter buffers lcm(inw, outw) bits.
    """
    if inw == outw or inw <= 0 or outw <= 0:
        return zero()
    lo, hi = min(inw, outw), max(inw, outw)
    buf = hi if hi % lo == 0 else math.lcm(inw, outw)
    if inw > outw:
        lut = outw * math.ceil((buf // outw) / 4) + 20
    else:
        lut = inw + math.ceil(buf / 8) + 20
    return {**zero(), "lut": lut, "ff": buf + outw + 16}


# -- per-unit formulas ---------------------------------------------------------------------------
def mvau_resources(u: Any, board: Board) -> dict[str, int]:
    """MVAU (FINN ``MatrixVectorActivation.lut_estimation`` / ``bram_estimation`` / ``dsp_estimation``).

    LUT = c0 + c1 * P * (mult + adder tree + accumulator + thresholds + comparators) + weight
    LUTRAM, with FINN's c0 = 300, c1 = 1.1; mult = Q*(2*ceil((W+A)/6)-1)*(W+A), adder tree =
    (W+A)*(2Q-1), accumulator = acc bits. Weight memory: one WMEM x (Q*W) memory per PE, in
    LUTRAM or BRAM18 by depth (FINN's ``bram_estimation`` block shapes). Threshold memory: one
    TMEM x (n*acc) memory per PE (FINN counts it only as LUTs; we also place deep ones in BRAM).
    DSP: one DSP48 per lane when both operands are multi-bit and W*A > 16 (FINN's
    ``dsp_estimation`` ignores the split); binary weights are a conditional negation in LUTs.
    FF is our own: pipeline registers of half the adder tree plus two accumulators per PE.
    """
    P, Q = u.pe, u.simd
    W = 1 if u.binary_weights else bits(u.wdt)
    A = bits(u.idt)
    acc = bits(u.acc_dt)
    alpha = math.log2(max(u.mw, 2)) + W + A - 1  # FINN: minimal accumulator bound (arXiv 2301.13376)
    acc = int(min(acc, math.ceil(alpha + 1)))
    use_dsp = u.mode == "int" and not u.binary_weights and W * A > 16
    if u.mode == "xnor":
        # own, calibrated: FINN's formula gives 6 LUT per XNOR lane at W=A=1, about twice what
        # BNN-PYNQ's CNV/LFC reports imply; an XNOR merges into the first popcount compressor
        # level, so we charge XNOR_LANE_LUTS per lane for XNOR + popcount tree together.
        mult, adder = 0, XNOR_LANE_LUTS * Q
    else:
        mult = 0 if use_dsp else Q * (2 * math.ceil((W + A) / 6) - 1) * (W + A)
        adder = (W + A) * (2 * Q - 1)
    n_thr = 0 if u.thresholds is None else int(u.thresholds.shape[1])
    comp = n_thr * acc
    lanes = 300 + 1.1 * P * (mult + adder + acc + comp)
    wmem = (u.mw // Q) * (u.mh // P)
    weights = memory(wmem, Q * W, P)
    tmem = u.mh // P
    thresholds = memory(tmem, n_thr * acc, P) if n_thr else zero()
    ff = P * ((W + A) * Q / 2 + 2 * acc + n_thr) + Q * A + 150
    dsp = P * Q if use_dsp else 0
    return add({"lut": lanes, "ff": ff, "dsp": dsp}, weights, thresholds)


def sliding_window_resources(u: Any, board: Board) -> dict[str, int]:
    """SlidingWindow (templates/hls/lib/sliding_window.hpp; finn-hlslib's ConvolutionInputGenerator
    has the same shape, and FINN's MVAU estimate leaves it out).

    Buffer: a ring of KH + SH input rows, each IFM_W*C/SIMD_IN words of SIMD_IN*bits (our HLS);
    a wide SIMD (whole pixels per word) reads SIMD/SIMD_IN words per cycle, so the ring is split
    into that many banks. LUT: FINN's ConvolutionInputGenerator ``lut_estimation`` constant 300
    for address/control, plus an output multiplexer over the ring rows (own) and LUTRAM when shallow.
    """
    rows = u.kernel[0] + u.stride[0]
    banks = u.simd // u.in_simd
    depth = u.ifm_dim[1] * (u.channels // u.in_simd)
    width = u.in_simd * bits(u.idt)
    buf = memory(math.ceil(depth / banks), width, rows * banks)
    out_w = u.simd * bits(u.idt)
    mux = out_w * math.ceil(rows / 4)
    return add({"lut": 300 + mux, "ff": 2 * out_w + 120}, buf)


def maxpool_resources(u: Any, board: Board) -> dict[str, int]:
    """StreamingMaxPool (templates/hls/lib/maxpool.hpp): a ring of KH + SH input rows
    (IFM_W * C/PE words of PE*bits each) and a comparator + mux per lane (an OR for binary)."""
    b = bits(u.idt)
    rows = u.kernel[0] + u.stride[0]
    buf = memory(u.ifm_dim[1] * (u.channels // u.pe), u.pe * b, rows)
    lanes = u.pe * (1 if b == 1 else 2 * b)
    return add({"lut": 60 + lanes, "ff": u.pe * b + 60}, buf)


def thresholding_resources(u: Any, board: Board) -> dict[str, int]:
    """Thresholding (FINN ``Thresholding`` estimate shape: per PE a C/PE x (n*bits) threshold
    memory and n comparators of the input width; control constant own)."""
    b = bits(u.idt)
    n = 0 if u.thresholds is None else int(u.thresholds.shape[1])
    mem = memory(u.channels // u.pe, n * b, u.pe)
    return add({"lut": 100 + u.pe * n * b, "ff": u.pe * (b + bits(u.odt)) + 60}, mem)


def label_select_resources(u: Any, board: Board) -> dict[str, int]:
    """LabelSelect (own, after finn-hlslib ``LabelSelect_Batch``): k (value, index) registers
    kept sorted by an insertion network, one compare-and-swap per slot and lane."""
    b = bits(u.idt)
    ib = max(1, (u.labels - 1).bit_length())
    slot = b + ib
    return add({"lut": 80 + u.pe * u.k * (b + slot), "ff": u.k * slot + u.pe * b + 40})


# -- streams -------------------------------------------------------------------------------------
def stream_widths(u: Any) -> tuple[int, int]:
    """(input, output) stream widths in bits of a unit under its folding."""
    name = type(u).__name__
    if name == "MVAU":
        return u.simd * bits(u.idt), u.pe * bits(u.odt)
    if name == "SlidingWindow":
        return u.in_simd * bits(u.idt), u.simd * bits(u.idt)
    if name == "StreamingMaxPool":
        w = u.pe * bits(u.idt)
        return w, w
    if name == "Thresholding":
        return u.pe * bits(u.idt), u.pe * bits(u.odt)
    if name == "LabelSelect":
        return u.pe * bits(u.idt), bits(u.odt)
    raise TypeError(f"no stream widths for {name}")


def unit_nodes(g: Graph) -> list[Node]:
    """The nodes that become hardware (everything not marked ``host``)."""
    from hwgen.units import UNITS

    return [n for n in g.nodes if not n.attrs.get("host") and n.op in UNITS]
