"""AddStreams: element-wise integer add of two streams, each shifted by the alignment its
scale needs: out = (a << shift_a) + (b << shift_b) (DESIGN §3: an Add of two quantized tensors
whose scales are equal or a power of two apart is exact in integers).

The HLS function (templates/hls/lib/add_streams.hpp) reads one word of each input and writes
one word per cycle: a frame takes pixels*channels/pe cycles.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from hwgen.core.datatypes import DataType
from hwgen.units.base import Port, Unit
from hwgen.units.cost import bits


@dataclass(frozen=True, eq=False)
class AddStreams(Unit):
    channels: int = 1
    pixels: int = 1
    pe: int = 1
    idt_a: str = "int8"
    idt_b: str = "int8"
    shift_a: int = 0
    shift_b: int = 0
    odt: str = "int9"
    KNOBS: ClassVar[dict[str, str]] = {"pe": "channels"}
    template: ClassVar[str] = "add_streams"

    def simulate(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        out = (a.astype(np.int64) << self.shift_a) + (b.astype(np.int64) << self.shift_b)
        return out.astype(DataType.parse(self.odt).compact_numpy)

    def in_ports(self) -> tuple[Port, ...]:
        n = self.pixels * self.channels
        return (Port(n, self.pe, self.idt_a), Port(n, self.pe, self.idt_b))

    def out_ports(self) -> tuple[Port, ...]:
        return (Port(self.pixels * self.channels, self.pe, self.odt),)

    def cycles(self) -> int:
        return self.pixels * self.channels // self.pe

    def schedule(self) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
        # add_streams.hpp: one word of each input in, one word out, every iteration
        for _ in range(self.cycles()):
            yield (1, 1), (1,)

    def loop_entries(self) -> int:
        return 1  # add_streams.hpp: one pipelined loop per frame

    def hls_arrays(self) -> tuple:
        return ()  # no arrays: stream words and registers only

    def idle_cycles(self, i: int = 0) -> int:
        return 0

    def start_fraction(self) -> float:
        return self.pe / (self.pixels * self.channels)

    def tail(self) -> int:
        return 1

    def shape(self) -> str:
        return f"{self.pixels}x{self.channels}"

    def resources(self, board) -> dict[str, int]:
        """FINN ``AddStreams`` (hlslib ``AddStreams_Batch``) has no estimate of its own; own: one
        ripple-carry adder of the output width per lane (one LUT per bit on 7-series carry
        chains; the shifts are wiring), an output register per lane, ~30 LUT of control."""
        if getattr(board, "backend", "hls") == "rtl":
            return self.rtl_resources(board)
        o = bits(self.odt)
        return {"lut": 30 + self.pe * o, "ff": self.pe * o + 20, "bram18": 0, "uram": 0, "dsp": 0}

    def context(self) -> dict:
        from hwgen.units.hls_pack import hls_type, require

        require(self.channels % self.pe == 0, self, f"PE={self.pe} does not divide C={self.channels}")
        n = self.pixels * self.channels
        return {"func": "add_streams",
                "targs": [n // self.pe, self.pe, hls_type(self.idt_a), hls_type(self.idt_b), hls_type(self.odt),
                          self.shift_a, self.shift_b],
                "args": [], "params": [],
                "summary": f"AddStreams {self.pixels}x{self.channels} pe={self.pe} "
                           f"(a<<{self.shift_a}) + (b<<{self.shift_b})"}

    # -- rtl backend (templates/rtl/lib) ---------------------------------------------------------
    def rtl_context(self):
        """Every value its Verilog module needs (hwgen.units.rtl)."""
        from hwgen.units.rtl import add_streams_rtl

        return add_streams_rtl(self)

    def rtl_resources(self, board) -> dict[str, int]:
        """LUT, FF, BRAM18, URAM, DSP of its Verilog module, measured with Yosys (hwgen.units.cost_rtl)."""
        from hwgen.units.cost_rtl import add_streams_rtl_resources

        return add_streams_rtl_resources(self, board)
