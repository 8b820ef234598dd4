"""AveragePool: integer window sums of non-overlapping KH x KW windows (stride = kernel, no
padding, floor mode: the rows and columns past the last whole window are read and dropped).

The division by KH*KW and the requantizer that follows fold into the next thresholds
(DESIGN §3), so the unit only sums. The HLS function (templates/hls/lib/avg_pool.hpp) reads one
word per cycle in NHWC order, adds it into a row of OW*C/PE partial sums, and writes a window's
sum in the cycle that reads its last element: IH*IW*C/PE cycles per frame.
The partial sums are read back C/PE (horizontally) and IW*C/PE (vertically) iterations after
they are written; hls_arrays says which buffers that makes registers and which memories.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from hwgen.core.datatypes import DataType
from hwgen.kernels.windows import window_sums
from hwgen.units.base import Port, Unit
from hwgen.units.cost import add, array_cost, bits


@dataclass(frozen=True, eq=False)
class AveragePool(Unit):
    ifm_dim: tuple[int, int] = (2, 2)
    channels: int = 1
    kernel: tuple[int, int] = (2, 2)
    pe: int = 1
    idt: str = "int8"
    odt: str = "int10"  # the window sum
    KNOBS: ClassVar[dict[str, str]] = {"pe": "channels"}
    template: ClassVar[str] = "avg_pool"

    @property
    def ofm_dim(self) -> tuple[int, int]:
        return self.ifm_dim[0] // self.kernel[0], self.ifm_dim[1] // self.kernel[1]

    def simulate(self, x: np.ndarray) -> np.ndarray:
        return window_sums(x, self.kernel).astype(DataType.parse(self.odt).compact_numpy)

    def in_ports(self) -> tuple[Port, ...]:
        ih, iw = self.ifm_dim
        return (Port(ih * iw * self.channels, self.pe, self.idt),)

    def out_ports(self) -> tuple[Port, ...]:
        oh, ow = self.ofm_dim
        return (Port(oh * ow * self.channels, self.pe, self.odt),)

    def cycles(self) -> int:
        ih, iw = self.ifm_dim
        return ih * iw * (self.channels // self.pe)

    def schedule(self) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
        # avg_pool.hpp: one read per iteration over (y, x, cf); the write comes with the last
        # element of a whole window
        (ih, iw), (kh, kw), (oh, ow) = self.ifm_dim, self.kernel, self.ofm_dim
        cf = self.channels // self.pe
        read, write = ((1,), (0,)), ((1,), (1,))
        for y in range(ih):
            for x in range(iw):
                last = y < oh * kh and y % kh == kh - 1 and x < ow * kw and x % kw == kw - 1
                for _ in range(cf):
                    yield write if last else read

    def idle_cycles(self, i: int = 0) -> int:
        return 0  # reads a word every cycle

    def start_fraction(self) -> float:
        (ih, iw), (kh, kw) = self.ifm_dim, self.kernel
        return ((kh - 1) * iw + kw) / (ih * iw)

    def tail(self) -> int:
        return 1

    def shape(self) -> str:
        return f"{self.ifm_dim[0]}x{self.ifm_dim[1]}x{self.channels} k{self.kernel[0]}"

    def loop_entries(self) -> int:
        return 1  # one pipelined loop per frame

    def hls_arrays(self) -> tuple:
        """The read-modify-write buffers of lib/avg_pool.hpp: the horizontal partial sums of the
        C/PE channel words (read again C/PE iterations later) and the vertical partial sums of
        one output row (read again IW*C/PE iterations later); hls_memory.rmw_buffer decides
        registers or memory."""
        from hwgen.units.hls_memory import rmw_buffer

        cf = self.channels // self.pe
        width = self.pe * DataType.parse(self.odt).bits
        return (rmw_buffer("hsum", cf, width, cf),
                rmw_buffer("row", self.ofm_dim[1] * cf, width, self.ifm_dim[1] * cf))

    def resources(self, board) -> dict[str, int]:
        """Own (FINN's ``Pool_Batch`` sums a whole window buffer instead): the partial-sum
        buffers as hls_arrays builds them (cost.array_cost), two adders of the sum width per lane
        (horizontal and vertical; one LUT per bit on the carry chain), ~60 LUT of counters."""
        if getattr(board, "backend", "hls") == "rtl":
            return self.rtl_resources(board)
        o = bits(self.odt)
        return add({"lut": 60 + 2 * self.pe * o, "ff": self.pe * o + 60}, *map(array_cost, self.hls_arrays()))

    def context(self) -> dict:
        from hwgen.units.hls_pack import hls_type, require

        require(self.channels % self.pe == 0, self, f"PE={self.pe} does not divide C={self.channels}")
        (ih, iw), (kh, kw) = self.ifm_dim, self.kernel
        return {"func": "avg_pool",
                "targs": [ih, iw, self.channels, kh, kw, self.pe, hls_type(self.idt), hls_type(self.odt)],
                "args": [], "params": [],
                "summary": f"AveragePool (window sums) {self.shape()} pe={self.pe}"}

    # -- rtl backend (templates/rtl/lib) ---------------------------------------------------------
    def rtl_context(self):
        """Every value its Verilog module needs (hwgen.units.rtl)."""
        from hwgen.units.rtl import avg_pool_rtl

        return avg_pool_rtl(self)

    def rtl_resources(self, board) -> dict[str, int]:
        """LUT, FF, BRAM18, URAM, DSP of its Verilog module, measured with Yosys (hwgen.units.cost_rtl)."""
        from hwgen.units.cost_rtl import avg_pool_rtl_resources

        return avg_pool_rtl_resources(self, board)
