"""Cost-model primitives shared by the units (each unit's own formula lives in its module).

Each formula names its source. "FINN" means the analytical estimates in FINN's
``finn/custom_op/fpgadataflow/*.py`` (``lut_estimation`` / ``bram_estimation``), themselves from
the FINN-R paper (Blott et al., 2018); "own" means our reasoning about the finn-hlslib-style
implementation the templates generate. FINN leaves out sliding-window buffers, FIFOs, width
converters and the DMA shell; we add them so the total is comparable to a whole-design report.
"""

from __future__ import annotations

import math

from hwgen.core.datatypes import DataType
from hwgen.units.hls_memory import ArraySpec, memory_impl

RESOURCES = ("lut", "ff", "bram18", "uram", "dsp")
BUDGETED = ("lut", "bram18", "dsp")  # what the optimizer's budget constrains

# own: a memory this shallow wastes most of a BRAM18 (>= 512 words deep in every aspect
# ratio but the widest), so it goes to LUTRAM (RAM64X1 / RAM32M); deeper ones go to BRAM18.
LUTRAM_MAX_DEPTH = 32
# own: the widest AXI stream between units we generate (``AP_INT_MAX_W`` in the HLS top).
MAX_STREAM_BITS = 4096
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


def memory(depth: int, width: int, count: int = 1, impl: str | None = None) -> dict[str, int]:
    """``count`` independent ``depth`` x ``width`` memories built as ``impl`` (default: the one
    storage rule, ``hls_memory.memory_impl``: LUTRAM up to LUTRAM_MAX_DEPTH words, else BRAM18).

    LUTRAM cost: one LUT6 holds 64x1 (FINN MVAU ``lut_estimation`` term c2 = P*Q*W*ceil(WMEM/64)).
    """
    if depth <= 0 or width <= 0 or count <= 0:
        return zero()
    if impl in (None, "auto"):  # "auto": the library leaves the choice to this rule
        impl = memory_impl(depth, width, LUTRAM_MAX_DEPTH)
    if impl in ("lutram", "registers"):
        return {**zero(), "lut": count * width * math.ceil(depth / 64)}
    return {**zero(), "bram18": count * bram18_blocks(depth, width)}


def array_cost(a: ArraySpec) -> dict[str, int]:
    """One array of a unit's HLS code as its spec builds it (banks x depth x width in the memory
    its ``storage`` names, the same value BIND_STORAGE prints): the one storage decision, read by
    the estimate and by codegen. A parameter ROM split into registers is constants in logic."""
    if a.registers():
        return zero() if a.rom else {**zero(), "ff": a.banks() * a.depth() * a.width}
    return memory(a.depth(), a.width, a.banks(), a.storage)
