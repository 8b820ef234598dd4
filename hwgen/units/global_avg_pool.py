"""GlobalAveragePool: the integer sum of every channel over all pixels of a frame.

The division by the pixel count and the requantizer that follows fold into the next thresholds
(DESIGN §3). The HLS function (templates/hls/lib/global_avg_pool.hpp) reads one word per cycle,
adds it into C/PE running sums, and writes each sum while it reads the last pixel:
pixels*C/PE cycles per frame.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from hwgen.core.datatypes import DataType
from hwgen.units.base import Port, Unit
from hwgen.units.cost import add, array_cost, bits


@dataclass(frozen=True, eq=False)
class GlobalAveragePool(Unit):
    channels: int = 1
    pixels: int = 1
    pe: int = 1
    idt: str = "int8"
    odt: str = "int16"  # the sum
    KNOBS: ClassVar[dict[str, str]] = {"pe": "channels"}
    template: ClassVar[str] = "global_avg_pool"

    def simulate(self, x: np.ndarray) -> np.ndarray:
        n = x.shape[0]
        s = x.reshape(n, self.pixels, self.channels).astype(np.int64).sum(axis=1)
        return s.reshape(n, 1, 1, self.channels).astype(DataType.parse(self.odt).compact_numpy)

    def in_ports(self) -> tuple[Port, ...]:
        return (Port(self.pixels * self.channels, self.pe, self.idt),)

    def out_ports(self) -> tuple[Port, ...]:
        return (Port(self.channels, self.pe, self.odt),)

    def cycles(self) -> int:
        return self.pixels * (self.channels // self.pe)

    def schedule(self) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
        # global_avg_pool.hpp: one read per iteration; the last pixel's iterations also write
        cf = self.channels // self.pe
        for p in range(self.pixels):
            for _ in range(cf):
                yield (1,), (int(p == self.pixels - 1),)

    def idle_cycles(self, i: int = 0) -> int:
        return 0

    def start_fraction(self) -> float:
        return 1.0  # a sum is ready only at the last pixel

    def tail(self) -> int:
        return 1

    def shape(self) -> str:
        return f"{self.pixels}x{self.channels}"

    def loop_entries(self) -> int:
        return 1  # one pipelined loop per frame

    def hls_arrays(self) -> tuple:
        """The C/PE running sums of lib/global_avg_pool.hpp, read again C/PE iterations after
        they are written (hls_memory.rmw_buffer: registers when that is too close for a memory)."""
        from hwgen.units.hls_memory import rmw_buffer

        cf = self.channels // self.pe
        return (rmw_buffer("acc", cf, self.pe * DataType.parse(self.odt).bits, cf),)

    def resources(self, board) -> dict[str, int]:
        """Own: the C/PE running sums as hls_arrays builds them (cost.array_cost), one adder of
        the sum width per lane (one LUT per bit on the carry chain), ~40 LUT control."""
        if getattr(board, "backend", "hls") == "rtl":
            return self.rtl_resources(board)
        o = bits(self.odt)
        return add({"lut": 40 + self.pe * o, "ff": self.pe * o + 40}, *map(array_cost, self.hls_arrays()))

    def context(self) -> dict:
        from hwgen.units.hls_pack import hls_type, require

        require(self.channels % self.pe == 0, self, f"PE={self.pe} does not divide C={self.channels}")
        return {"func": "global_avg_pool",
                "targs": [self.pixels, self.channels, self.pe, hls_type(self.idt), hls_type(self.odt)],
                "args": [], "params": [],
                "summary": f"GlobalAveragePool (sums) {self.shape()} pe={self.pe}"}

    # -- rtl backend (templates/rtl/lib) ---------------------------------------------------------
    def rtl_context(self):
        """Every value its Verilog module needs (hwgen.units.rtl)."""
        from hwgen.units.rtl import global_avg_pool_rtl

        return global_avg_pool_rtl(self)

    def rtl_resources(self, board) -> dict[str, int]:
        """LUT, FF, BRAM18, URAM, DSP of its Verilog module, measured with Yosys (hwgen.units.cost_rtl)."""
        from hwgen.units.cost_rtl import global_avg_pool_rtl_resources

        return global_avg_pool_rtl_resources(self, board)
