"""FIFO: the buffer on one stream between two units (inserted by the ``insert`` pass, sized by
the ``fifo`` pass from the units' schedules).

In HLS the FIFO is the stream itself (``#pragma HLS STREAM depth``): its context names the depth
and the storage, and codegen gives the stream it sits on that depth. A FIFO moves one word per
cycle; it never changes the data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from hwgen.units.base import Port, Unit
from hwgen.units.cost import bram18_blocks, zero

# own: Vivado HLS / FINN FIFOs are shift registers (SRL) up to a few hundred words deep
SRL_MAX_DEPTH = 256


@dataclass(frozen=True, eq=False)
class FIFO(Unit):
    elems: int = 1  # elements per frame
    epw: int = 1
    dt: str = "binary"
    depth: int = 2
    infrastructure: ClassVar[bool] = True
    template: ClassVar[str] = "fifo"

    def simulate(self, x: np.ndarray) -> np.ndarray:
        return x

    def in_ports(self) -> tuple[Port, ...]:
        return (Port(self.elems, self.epw, self.dt),)

    def out_ports(self) -> tuple[Port, ...]:
        return self.in_ports()

    def cycles(self) -> int:
        return self.elems // self.epw

    def idle_cycles(self, i: int = 0) -> int:
        return 0

    def start_fraction(self) -> float:
        return min(1.0, self.epw / self.elems)

    def tail(self) -> int:
        return 1

    def shape(self) -> str:
        return f"{self.depth} x {self.in_ports()[0].width} bit"

    @property
    def storage(self) -> str:
        """The memory the FIFO is built from: ``srl`` (shift registers) or ``bram``."""
        return "srl" if self.depth <= SRL_MAX_DEPTH else "bram"

    def resources(self, board) -> dict[str, int]:
        """Own: an SRL FIFO is one SRLC32E per bit per 32 words, a registered output and ~12 LUT
        of control; deeper ones are BRAM18 with ~40 LUT of control."""
        if getattr(board, "backend", "hls") == "rtl":
            return self.rtl_resources(board)
        width = self.in_ports()[0].width
        if self.storage == "srl":
            return {**zero(), "lut": width * math.ceil(self.depth / 32) + 12, "ff": width + 16}
        return {**zero(), "lut": 40, "ff": width + 40, "bram18": bram18_blocks(self.depth, width)}

    def loop_entries(self) -> int:
        return 0  # not a process: the depth and storage of a stream

    def hls_arrays(self) -> tuple:
        return ()  # the stream's own memory, bound by BIND_STORAGE type=fifo (design.py)

    def context(self) -> dict:
        return {"stream_depth": self.depth, "storage": self.storage,
                "summary": f"FIFO depth {self.depth} ({self.storage})"}

    # -- rtl backend (templates/rtl/lib) ---------------------------------------------------------
    def rtl_context(self):
        """Every value its Verilog module needs (hwgen.units.rtl)."""
        from hwgen.units.rtl import fifo_unit_rtl

        return fifo_unit_rtl(self)

    def rtl_resources(self, board) -> dict[str, int]:
        """LUT, FF, BRAM18, URAM, DSP of its Verilog module, measured with Yosys (hwgen.units.cost_rtl)."""
        from hwgen.units.cost_rtl import fifo_unit_rtl_resources

        return fifo_unit_rtl_resources(self, board)
