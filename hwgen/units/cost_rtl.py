"""Cost model of the rtl backend (templates/rtl/lib): figures measured with Yosys, not guessed.

Every coefficient below comes from ``bench/rtl_calibrate.py`` (Yosys 0.23, ``synth_xilinx -family
xc7 -flatten``, each unit in a keep_hierarchy wrapper), counted as ``hwgen.backends.rtl.yosys``
counts: LUT1-6 and LUTRAM primitives by the LUTs they occupy, FDxE flip-flops, RAMB18 (RAMB36 = 2),
DSP48. The memory shapes are the Verilog's own: an MVAU keeps its weights in ONE memory of
NF*SF words of PE*SIMD*WB bits (hwgen_mvau.v), a window unit keeps its ring of KH+SH rows in one
(KH+SH)*ROW-word memory per read port.
"""

from __future__ import annotations

import math
from typing import Any

from hwgen.core.datatypes import DataType
from hwgen.units.cost import LUTRAM_MAX_DEPTH, RESOURCES, add, bram18_blocks, zero

# measured (bench/rtl_calibrate.py, XNOR MVAUs of 32..2048 lanes): LUT of the XNOR-popcount
# datapath per lane, per accumulator bit and PE (accumulate, threshold compare), and control
XNOR_LANE_LUTS_RTL = 2.55
XNOR_ACC_BIT_LUTS_RTL = 3.0
MVAU_CONTROL_LUTS_RTL = 40
# measured: integer x binary-weight lanes (conditional negation + adder tree), LUT per lane bit
INT_BIN_LANE_BIT_LUTS_RTL = 2.0
# integer x integer lanes in LUTs (products of <= 16 bits; wider ones go to one DSP48 per lane)
INT_INT_LANE_BIT_LUTS_RTL = 4.0


def bits(dt: str) -> int:
    return DataType.parse(dt).bits


def memory_rtl(depth: int, width: int, rom: bool = False) -> dict[str, int]:
    """One ``depth`` x ``width`` memory of hwgen_mem.v, in the style hwgen.units.rtl.mem_style picks.

    Shallow (<= LUTRAM_MAX_DEPTH): a ROM is LUT logic (one LUT per bit per 64 words) and a RAM is
    RAM32M (6 bits per 4 LUTs, simple dual port). Deep: BRAM18 in FINN's block shapes (Yosys's
    memory_libmap picks the same aspect ratios).
    """
    if depth <= 0 or width <= 0:
        return zero()
    if depth <= LUTRAM_MAX_DEPTH:
        lut = width * math.ceil(depth / 64) if rom else 4 * math.ceil(width / 6)
        return {**zero(), "lut": lut, "ff": width if rom else 0}
    return {**zero(), "bram18": bram18_blocks(depth, width)}


def mvau_rtl_memories(u: Any) -> list[tuple[int, int, bool]]:
    """(depth, width, is_rom) of an MVAU's weight, threshold and input-buffer memories."""
    nf, sf = u.mh // u.pe, u.mw // u.simd
    wb = 1 if u.mode == "xnor" or u.binary_weights else bits(u.wdt)
    ib = 1 if u.mode == "xnor" else bits(u.idt)
    mems = [(nf * sf, u.pe * u.simd * wb, True)]
    if u.thresholds is not None:
        t = u.thresholds
        tb = DataType.smallest(min(int(t.min()), -1), int(t.max())).bits
        mems.append((nf, u.pe * int(t.shape[1]) * tb, True))
    if nf > 1:
        mems.append((sf, u.simd * ib, False))
    return mems


def mvau_rtl_resources(u: Any, board: Any) -> dict[str, int]:
    """hwgen_mvau: datapath per lane (measured), accumulators, memories, pipeline registers."""
    P, Q = u.pe, u.simd
    acc = DataType.smallest(-u.mw, u.mw).bits if u.mode == "xnor" else bits(u.acc_dt)
    ib = 1 if u.mode == "xnor" else bits(u.idt)
    dsp = 0
    if u.mode == "xnor":
        lanes = XNOR_LANE_LUTS_RTL * P * Q
    elif u.binary_weights:
        lanes = INT_BIN_LANE_BIT_LUTS_RTL * P * Q * (ib + 1)
    else:
        wb = bits(u.wdt)
        if ib * wb > 16:
            lanes, dsp = acc * P * Q, P * Q
        else:
            lanes = INT_INT_LANE_BIT_LUTS_RTL * P * Q * (ib + wb)
    nt = 0 if u.thresholds is None else int(u.thresholds.shape[1])
    lut = lanes + XNOR_ACC_BIT_LUTS_RTL * P * acc * (1 + nt) + MVAU_CONTROL_LUTS_RTL
    ff = 2 * Q * ib + 2 * P * acc + P * bits(u.odt) + 40
    mems = [memory_rtl(d, w, rom) for d, w, rom in mvau_rtl_memories(u)]
    return add({"lut": lut, "ff": ff, "dsp": dsp}, *mems)


def _window_ring(ifm_w: int, words_per_pixel: int, width: int, rows: int, ports: int) -> dict[str, int]:
    row = ifm_w * words_per_pixel
    depth = rows * row
    style_shallow = row <= LUTRAM_MAX_DEPTH  # hwgen.units.rtl picks the style by the row depth
    if style_shallow:
        per = 4 * math.ceil(width / 6) * math.ceil(depth / 32) if depth > 32 else 4 * math.ceil(width / 6)
        return {**zero(), "lut": ports * per}
    return {**zero(), "bram18": ports * bram18_blocks(depth, width)}


def sliding_window_rtl_resources(u: Any, board: Any) -> dict[str, int]:
    """hwgen_sliding_window: the ring (one copy per read port), address arithmetic, output mux."""
    b = bits(u.idt)
    ports = u.simd // u.in_simd
    ring = _window_ring(u.ifm_dim[1], u.channels // u.in_simd, u.in_simd * b, u.kernel[0] + u.stride[0], ports)
    out_w = u.simd * b
    return add({"lut": 250 + 40 * ports + out_w, "ff": 200 + out_w + ports}, ring)


def maxpool_rtl_resources(u: Any, board: Any) -> dict[str, int]:
    """hwgen_maxpool: the ring, a compare-and-select per lane (OR/AND per lane for bits)."""
    b = bits(u.idt)
    ring = _window_ring(u.ifm_dim[1], u.channels // u.pe, u.pe * b, u.kernel[0] + u.stride[0], 1)
    lanes = u.pe * (2 if b == 1 else 3 * b)
    return add({"lut": 260 + lanes, "ff": 200 + 3 * u.pe * b}, ring)


def thresholding_rtl_resources(u: Any, board: Any) -> dict[str, int]:
    """hwgen_thresholding: a comparator per threshold and lane, the threshold memory."""
    b = bits(u.idt)
    t = u.thresholds
    nt = int(t.shape[1])
    tb = DataType.smallest(min(int(t.min()), -1), int(t.max())).bits
    mem = memory_rtl(u.channels // u.pe, u.pe * nt * tb, rom=True)
    return add({"lut": 30 + u.pe * nt * max(b, tb) + u.pe * bits(u.odt) * 2,
                "ff": u.pe * (b + bits(u.odt)) + 20}, mem)


def label_select_rtl_resources(u: Any, board: Any) -> dict[str, int]:
    """hwgen_label_select: K sorted (score, index) slots, PE insertions per cycle."""
    b = bits(u.idt)
    ib = max(1, (u.labels - 1).bit_length())
    return {**zero(), "lut": 30 + u.pe * u.k * (2 * b + ib), "ff": u.k * (b + ib + bits(u.odt)) + 20}


def fifo_rtl_resources(width: int, depth: int) -> dict[str, int]:
    """hwgen_fifo: the memory (LUTRAM up to LUTRAM_MAX_DEPTH, else BRAM) plus the output register."""
    mem = memory_rtl(depth, width, rom=False)
    return add({"lut": 20, "ff": width + 2 * max(1, depth).bit_length() + 8}, mem)


def dwc_rtl_resources(in_bits: int, out_bits: int) -> dict[str, int]:
    """hwgen_dwc: an (IN + OUT)-element shift buffer with a variable-position write."""
    if in_bits == out_bits:
        return zero()
    cap = in_bits + out_bits
    return {**zero(), "lut": cap * 2 + 20, "ff": cap + 8}


def fifo_unit_rtl_resources(u: Any, board: Any) -> dict[str, int]:
    """The FIFO node: a memory of the sized depth plus the output register."""
    return fifo_rtl_resources(u.in_ports()[0].width, int(u.depth))


def dwc_unit_rtl_resources(u: Any, board: Any) -> dict[str, int]:
    return dwc_rtl_resources(u.in_ports()[0].width, u.out_ports()[0].width)


def rtl_resources(u: Any, board: Any) -> dict[str, int]:
    """LUT, FF, BRAM18, URAM, DSP of unit ``u`` in the rtl backend (its ``rtl_resources`` face)."""
    out = u.rtl_resources(board)
    return {k: int(out.get(k, 0)) for k in RESOURCES}
