"""Cost model of the rtl backend (templates/rtl/lib): figures measured with Yosys, not guessed.

Every coefficient below was fitted to Yosys 0.23 counts (``synth_xilinx -family xc7 -flatten``,
each unit in a keep_hierarchy wrapper, counted as ``hwgen.backends.rtl.yosys`` counts: LUT1-6 and
LUTRAM primitives by the LUTs they occupy, FDxE flip-flops, RAMB18 (RAMB36 = 2), DSP48) of the
whole CNV-W1A1 design at hwgen's rtl folding for PYNQ-Z1 (``python bench/rtl_synth.py --folding
hwgen``, 2026-12-01: 9 MVAUs, 6 SlidingWindows, 2 StreamingMaxPools, 19 FIFOs/converters), plus
a 16 x 64 XNOR MVAU synthesized alone (3,344 LUT). ``bench/rtl_calibrate.py`` re-measures a
grid of single units. The memory shapes are the Verilog's own: an MVAU keeps its weights in ONE memory of
NF*SF words of PE*SIMD*WB bits (hwgen_mvau.v), a window unit keeps its ring of KH+SH rows in one
(KH+SH)*ROW-word memory per read port.
"""

from __future__ import annotations

import math
from typing import Any

from hwgen.core.datatypes import DataType
from hwgen.units.cost import LUTRAM_MAX_DEPTH, RESOURCES, add, bram18_blocks, zero

# measured (CNV at hwgen's folding, XNOR MVAUs of 512..3,072 lanes: 3.2-3.6 LUT per lane once the
# weight/threshold ROM LUTs are taken out): LUT of the XNOR-popcount datapath per lane, per
# accumulator bit and PE (accumulate; each threshold compare), and control
XNOR_LANE_LUTS_RTL = 3.3
XNOR_ACC_BIT_LUTS_RTL = 1.0
MVAU_CONTROL_LUTS_RTL = 100
# measured (CNV's first layer, int8 x binary weights, 8 x 27 lanes: 7,517 LUT, 32.7 per lane
# without its ROMs): conditional negation + adder tree, LUT per lane and (input bit + 1)
INT_BIN_LANE_BIT_LUTS_RTL = 3.6
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
    """hwgen_sliding_window (ring of KH + SH rows; measured on CNV's two narrow windows: 740-870
    LUT) or hwgen_sliding_window_wide (line buffers, register window and snapshot; fitted to CNV's
    four wide windows: 400 + 0.6 LUT per window bit + 2.5 per output bit, 1.8 FF per window bit,
    and one DSP48 that Yosys infers for the snapshot word select)."""
    b = bits(u.idt)
    out_w = u.simd * b
    if u.simd > u.in_simd:
        win = u.kernel[0] * u.kernel[1] * u.channels * b
        return {**zero(), "lut": int(400 + 0.6 * win + 2.5 * out_w), "ff": int(1.8 * win + out_w + 100), "dsp": 1}
    ring = _window_ring(u.ifm_dim[1], u.channels // u.in_simd, u.in_simd * b, u.kernel[0] + u.stride[0], 1)
    return add({"lut": 650 + out_w, "ff": 200 + out_w}, ring)


def maxpool_rtl_resources(u: Any, board: Any) -> dict[str, int]:
    """hwgen_maxpool: the ring, a compare-and-select per lane (OR/AND per lane for bits); control
    measured on CNV's two pools (807 and 862 LUT)."""
    b = bits(u.idt)
    ring = _window_ring(u.ifm_dim[1], u.channels // u.pe, u.pe * b, u.kernel[0] + u.stride[0], 1)
    lanes = u.pe * (2 if b == 1 else 3 * b)
    return add({"lut": 780 + lanes, "ff": 200 + 3 * u.pe * b}, ring)


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
    """hwgen_fifo: the memory (LUTRAM up to LUTRAM_MAX_DEPTH, else BRAM) plus the output register
    (control fitted to CNV's 19 FIFOs and converters: 1.35 x the first guess)."""
    mem = memory_rtl(depth, width, rom=False)
    return add({"lut": 60, "ff": width + 2 * max(1, depth).bit_length() + 8}, mem)


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


# -- the branching units (hwgen_duplicate, hwgen_add_streams, hwgen_concat, hwgen_avg_pool) ------
# Fitted to ``python bench/rtl_branch_calibrate.py`` (Yosys 0.23, synth_xilinx -family xc7: 28
# configurations of the five units in one 18 s run, 2026-12-01); the residuals are in the
# docstrings.
# hwgen_duplicate: the all-taken AND and a next-valid LUT per output; measured 4 LUT at N = 2
# (4 configurations, widths 1..192 bits), 11 / 13 / 17 at N = 3 / 4 / 5
DUP_LUTS_2, DUP_LUTS, DUP_OUT_LUTS = 4, 2, 3
# hwgen_add_streams: LUT per lane and adder bit (the bits where both shifted addends overlap, up
# to the output width; the bits below the larger shift are wiring), fitted 0.80 + 7.7 (5 configs,
# within 4 LUT or 4 %)
ADD_BIT_LUTS, ADD_LUTS = 0.8, 8
# hwgen_concat: control (word and input counters, the handshake) beside one LUT per data bit per
# 4:1 of the input multiplexer; measured 11..21, mean 16 (5 configurations)
CAT_LUTS = 16
# hwgen_avg_pool / hwgen_global_avg_pool: 2 LUT per sum bit (the adder with its first-addend
# select, the forwarding select), control 25 + 5 per address bit (counters, address adder,
# forwarding compare), FF 16 + 2.4 per address bit beside the data registers: fitted to 10
# configurations, LUT within 11 %, FF within 5 %
POOL_BIT_LUTS, POOL_LUTS, POOL_ADDR_LUTS = 2, 25, 5
POOL_FFS, POOL_ADDR_FFS = 16, 2.4


def duplicate_rtl_resources(u: Any, board: Any) -> dict[str, int]:
    """hwgen_duplicate: one shared word register, a valid bit per output (FF exact on 8 configs)."""
    w = u.in_ports()[0].width
    lut = DUP_LUTS_2 if u.n == 2 else DUP_LUTS + DUP_OUT_LUTS * u.n
    return {**zero(), "lut": lut, "ff": w + u.n}


def add_streams_rtl_resources(u: Any, board: Any) -> dict[str, int]:
    """hwgen_add_streams: one carry-chain adder per lane over the overlapping bits, the output
    register of the bits that are not copies of the sign (FF exact on 5 configs)."""
    a, b = bits(u.idt_a) + u.shift_a, bits(u.idt_b) + u.shift_b
    live = min(bits(u.odt), max(a, b) + 1)
    adder = live - max(u.shift_a, u.shift_b)
    return {**zero(), "lut": int(ADD_BIT_LUTS * u.pe * adder) + ADD_LUTS, "ff": u.pe * live + 1}


def concat_rtl_resources(u: Any, board: Any) -> dict[str, int]:
    """hwgen_concat: an N:1 word multiplexer (a LUT6 selects among 4 inputs per bit), counters,
    the output register (FF = word + valid + input and word counters: exact on 5 configs)."""
    w = u.in_ports()[0].width
    n = len(u.channels)
    most = max(c // u.pe for c in u.channels)
    ff = w + 1 + max(1, (n - 1).bit_length()) + max(1, (most - 1).bit_length())
    return {**zero(), "lut": w * math.ceil((n - 1) / 3) + CAT_LUTS, "ff": ff}


def _sums_rtl(lanes: int, ib: int, ob: int, depth: int) -> dict[str, int]:
    """hwgen_avg_pool's datapath over ``depth`` partial sums of ``lanes`` x ``ob`` bits: the adder
    and selects, the input, forwarded-sum and output registers, the sums' memory (a LUTRAM's
    registered read is ``lanes*ob`` FFs; a BRAM's is inside the block)."""
    w = lanes * ob
    aw = max(1, (depth - 1).bit_length())
    mem = memory_rtl(depth, w)
    read = w if depth <= LUTRAM_MAX_DEPTH else 0
    return add({"lut": POOL_BIT_LUTS * w + POOL_LUTS + POOL_ADDR_LUTS * aw,
                "ff": int(lanes * (ib + 2 * ob) + read + POOL_FFS + POOL_ADDR_FFS * aw)}, mem)


def avg_pool_rtl_resources(u: Any, board: Any) -> dict[str, int]:
    """hwgen_avg_pool: the window sums of a row of OW*C/PE partial sums."""
    return _sums_rtl(u.pe, bits(u.idt), bits(u.odt), u.ofm_dim[1] * (u.channels // u.pe))


def global_avg_pool_rtl_resources(u: Any, board: Any) -> dict[str, int]:
    """hwgen_global_avg_pool: hwgen_avg_pool over one window of every pixel, C/PE running sums."""
    return _sums_rtl(u.pe, bits(u.idt), bits(u.odt), u.channels // u.pe)
