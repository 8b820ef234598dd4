"""Cost model of the rtl backend (templates/rtl/lib): figures measured with Yosys, not guessed.

Every coefficient below was fitted to Yosys 0.23 counts (``synth_xilinx -family xc7 -flatten``,
each unit in a keep_hierarchy wrapper, counted as ``hwgen.backends.rtl.yosys`` counts: LUT1-6 and
LUTRAM primitives by the LUTs they occupy, FDxE flip-flops, RAMB18 (RAMB36 = 2), DSP48) of single
units synthesized by ``python bench/rtl_calibrate.py`` (2026-12-01, after the lean library of
docs/notes-lean.md: popcount tree, masked-sum int x binary dot, sized counters, slot-write
converters): 8 XNOR MVAUs, 3 int8 x binary MVAUs, 9 SlidingWindows (CNV's shapes among them),
5 StreamingMaxPools, 4 FIFOs, 6 width converters, a Thresholding and a LabelSelect. The memory
shapes are the Verilog's own: an MVAU keeps its weights in ONE memory of NF*SF words of
PE*SIMD*WB bits (hwgen_mvau.v), a window unit keeps its ring of KH+SH rows in one (KH+SH)*ROW-word
memory per read port. Known gap: Yosys packs a deep, wide weight memory (2,304 x 256 bits) into
fewer BRAMs than FINN's block shapes plus ~1,000 LUT of output muxes; the model keeps FINN's shapes.
"""

from __future__ import annotations

import math
from typing import Any

from hwgen.core.datatypes import DataType
from hwgen.units.cost import LUTRAM_MAX_DEPTH, RESOURCES, add, bram18_blocks, zero

# measured (bench/rtl_calibrate.py: 6 XNOR MVAUs of 128..1,024 lanes, SIMD 16..64; and CNV's
# XNOR MVAUs at hwgen's rtl folding in the three full runs of bench/rtl_synth.py, SIMD 16..576;
# least squares on the whole wrappers less the memories' own LUTs, within -14/+6 %, CNV's within
# -3/+2 %): LUT per XNOR lane (popcount tree with the XNOR in its first LUT level), per
# accumulator bit and PE (accumulate; each threshold compare), and control
XNOR_LANE_LUTS_RTL = 2.11
XNOR_ACC_BIT_LUTS_RTL = 0.47
MVAU_CONTROL_LUTS_RTL = 121
ROM32_COLUMN_LUTS_RTL = 1.61
# measured (int8 x binary weights, 16 x 3 and 8 x 27 lanes: 1,168 and 3,283 LUT without the
# memories): the masked adder tree per lane and input bit (with the shared input sum), and per
# accumulator bit and PE (2*masked - sum, accumulate, threshold compare)
INT_BIN_LANE_BIT_LUTS_RTL = 1.76
INT_BIN_ACC_BIT_LUTS_RTL = 0.96
# measured (int8 x binary, 64 x 27 lanes, one weight word: constant weights, 6,878 LUT): the tree
# of constant-signed inputs per lane and input bit
INT_BIN_CONST_LANE_BIT_LUTS_RTL = 0.36
# integer x integer lanes in LUTs (products of <= 16 bits; wider ones go to one DSP48 per lane);
# not re-measured with the lean library (the first calibration's figure)
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
    if rom and depth == 1:  # a one-word ROM is constants: synthesis folds them into the logic
        return zero()
    if depth <= LUTRAM_MAX_DEPTH:
        # a shallow ROM is one LUT per distinct bit column; a column is a function of the
        # address, so at most 2^depth are distinct and synthesis merges the rest (measured:
        # CNV's 9 x 4,096-bit weight ROM costs ~500 LUT in Yosys, not 4,096)
        # (same fit as XNOR_LANE_LUTS_RTL: a 17..32-word ROM, CNV's conv 8 weights, costs 1.61 LUT
        # per distinct column, a 5-input function in one LUT plus its share of the read logic)
        lut = int(min(width, 2 ** depth) * (ROM32_COLUMN_LUTS_RTL if depth > 16 else 1)) if rom else 4 * math.ceil(width / 6)
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
    nt = 0 if u.thresholds is None else int(u.thresholds.shape[1])
    if u.mode == "xnor":
        lut = XNOR_LANE_LUTS_RTL * P * Q + XNOR_ACC_BIT_LUTS_RTL * P * acc * (1 + nt) + MVAU_CONTROL_LUTS_RTL
    elif u.binary_weights:
        lane = INT_BIN_CONST_LANE_BIT_LUTS_RTL if u.mh // P * (u.mw // Q) == 1 else INT_BIN_LANE_BIT_LUTS_RTL
        lut = lane * P * Q * ib + INT_BIN_ACC_BIT_LUTS_RTL * P * acc
    else:
        wb = bits(u.wdt)
        if ib * wb > 16:
            lanes, dsp = acc * P * Q, P * Q
        else:
            lanes = INT_INT_LANE_BIT_LUTS_RTL * P * Q * (ib + wb)
        lut = lanes + P * acc * (1 + nt) + 100
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
    """hwgen_sliding_window (ring of KH + SH rows; measured on 6 narrow windows, CNV's among them:
    330 LUT of counters and addressing + one per output bit + the ring, within -8/+6 %) or
    hwgen_sliding_window_wide (KH-1 LUTRAM line buffers, register window and snapshot; measured on
    CNV's three wide windows: 125 LUT + one per pixel bit (the padding select) + one per output
    bit when a window leaves in several words (the word select), within -11/+0 %; 1.8 FF per
    window bit)."""
    b = bits(u.idt)
    out_w = u.simd * b
    if u.simd > u.in_simd:
        px = u.channels * b
        win = u.kernel[0] * u.kernel[1] * px
        words = u.kernel[0] * u.kernel[1] * u.channels // u.simd
        pw = u.ifm_dim[1] + u.pads[1] + u.pads[3]
        lbuf = (u.kernel[0] - 1) * 4 * math.ceil(px / 6) * math.ceil(pw / 32)
        return {**zero(), "lut": 125 + px + (out_w if words > 1 else 0) + lbuf,
                "ff": int(1.8 * win + out_w + 100)}
    ring = _window_ring(u.ifm_dim[1], u.channels // u.in_simd, u.in_simd * b, u.kernel[0] + u.stride[0], 1)
    return add({"lut": 330 + out_w, "ff": 110 + out_w}, ring)


def maxpool_rtl_resources(u: Any, board: Any) -> dict[str, int]:
    """hwgen_maxpool: the ring, a compare-and-select per lane (OR/AND per lane for bits), control
    whose counters grow with the ring row (measured on 5 pools, CNV's two among them: 224 LUT +
    33 per bit of the row's word count, within -7/+4 %)."""
    b = bits(u.idt)
    row = u.ifm_dim[1] * (u.channels // u.pe)
    ring = _window_ring(u.ifm_dim[1], u.channels // u.pe, u.pe * b, u.kernel[0] + u.stride[0], 1)
    lanes = u.pe * (2 if b == 1 else 3 * b)
    return add({"lut": 224 + 33 * max(1, row).bit_length() + lanes, "ff": 150 + 3 * u.pe * b}, ring)


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
    """hwgen_fifo: the memory (LUTRAM up to LUTRAM_MAX_DEPTH, else BRAM) plus control whose
    pointers and count grow with the depth (measured on 4 FIFOs of depth 2..512: 5 LUT + 7.5 per
    count bit, within -8/+6 %)."""
    mem = memory_rtl(depth, width, rom=False)
    # (CNV's 6 BRAM FIFOs of depth 50..326 at hwgen's folding: 15 LUT more than that, within +-6 %)
    return add({"lut": int((5 if depth <= LUTRAM_MAX_DEPTH else 20) + 7.5 * max(1, depth + 1).bit_length()),
                "ff": width + 2 * max(1, depth).bit_length() + 8}, mem)


def dwc_rtl_resources(in_bits: int, out_bits: int, elem_bits: int = 1) -> dict[str, int]:
    """hwgen_dwc: an (IN + OUT)-element buffer. When one word size divides the other, each slot
    selects its input element by the write position (measured on 5 widening converters and CNV's
    four: 10 LUT + one per buffer bit + one per write position, within -12/+9 %; narrowing ones
    about two per buffer bit); otherwise a shifter (measured 8 -> 3
    int8 elements: 0.9 LUT per buffer bit per shift stage)."""
    if in_bits == out_bits:
        return zero()
    cap = in_bits + out_bits
    i, o = in_bits // elem_bits, out_bits // elem_bits
    if o % i == 0:
        lut = 10 + cap + (i + o) // i
    elif i % o == 0:  # a word is written at one of two positions: two candidates per slot
        # (measured 16 -> 1, 64 -> 16, 576 -> 64 bits: 44..1,249 LUT, within -10/+11 %; 10 -> 5
        # int11 elements 418 LUT, +23 %)
        lut = 10 + 2 * cap
    else:
        lut = int(0.9 * cap * (i + o).bit_length())
    return {**zero(), "lut": lut, "ff": cap + 8}


def fifo_unit_rtl_resources(u: Any, board: Any) -> dict[str, int]:
    """The FIFO node: a memory of the sized depth plus the output register."""
    return fifo_rtl_resources(u.in_ports()[0].width, int(u.depth))


def dwc_unit_rtl_resources(u: Any, board: Any) -> dict[str, int]:
    return dwc_rtl_resources(u.in_ports()[0].width, u.out_ports()[0].width, u.in_ports()[0].bits)


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
