"""The AXI-stream port layout of the accelerator's DMA side (shared by codegen, the insert pass,
C-simulation and the driver description)."""

from __future__ import annotations

from typing import Any

from hwgen.core.datatypes import DataType


def axi_port(total: int, dt: DataType, axi_bits: int) -> dict[str, Any]:
    """AXI-stream port layout: EPW elements per word (largest divisor of total fitting the bus).

    TDATA (``axi`` bits) is the next power of two >= 8 bits, the widths an AXI DMA accepts; the
    bits above EPW x B are zero.
    """
    epw = max([d for d in range(1, total + 1) if total % d == 0 and d * dt.bits <= axi_bits] or [1])
    width = 8
    while width < epw * dt.bits:  # AXI DMA stream widths are powers of two from 8 to 1024 bits
        width *= 2
    return {"elems": total, "epw": epw, "words": total // epw, "bits": dt.bits, "axi": width,
            "signed": dt.kind == "int", "dtype": str(dt)}
