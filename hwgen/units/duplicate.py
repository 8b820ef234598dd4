"""DuplicateStreams: fork one stream to ``n`` consumers (a tensor read by several units).

The lower pass puts one in front of every tensor that more than one hardware unit reads, so
each stream of the hardware graph has exactly one reader. The HLS function
(templates/hls/lib/duplicate.hpp) reads one word per cycle and writes it to every output in the
same cycle: a frame takes elems/pe cycles, and the slowest consumer paces all of them (the
FIFOs on the outputs absorb the skew between a short and a long branch).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from hwgen.units.base import Port, Unit
from hwgen.units.cost import bits

MAX_OUTPUTS = 4  # the HLS library has overloads for 2..4 outputs


@dataclass(frozen=True, eq=False)
class DuplicateStreams(Unit):
    channels: int = 1
    pixels: int = 1  # elements per channel per frame (H*W)
    n: int = 2  # outputs
    pe: int = 1
    dt: str = "binary"
    KNOBS: ClassVar[dict[str, str]] = {"pe": "channels"}
    template: ClassVar[str] = "duplicate"

    def simulate(self, x: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(x for _ in range(self.n))

    def _port(self) -> Port:
        return Port(self.pixels * self.channels, self.pe, self.dt)

    def in_ports(self) -> tuple[Port, ...]:
        return (self._port(),)

    def out_ports(self) -> tuple[Port, ...]:
        return tuple(self._port() for _ in range(self.n))

    def cycles(self) -> int:
        return self.pixels * self.channels // self.pe

    def schedule(self) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
        # duplicate.hpp: one read and n writes in every iteration of its one pipelined loop
        step = ((1,), (1,) * self.n)
        for _ in range(self.cycles()):
            yield step

    def loop_entries(self) -> int:
        return 1  # duplicate.hpp: one pipelined loop per frame

    def hls_arrays(self) -> tuple:
        return ()  # no arrays: stream words and registers only

    def idle_cycles(self, i: int = 0) -> int:
        return 0

    def start_fraction(self) -> float:
        return 1.0 / self._port().words

    def tail(self) -> int:
        return 1

    def shape(self) -> str:
        return f"{self.pixels}x{self.channels} x{self.n}"

    def resources(self, board) -> dict[str, int]:
        """Own: the word fans out as wires; each output keeps its own valid/ready handshake (a
        register stage of the word per output, ~10 LUT of control each), as FINN's
        ``DuplicateStreams_Batch`` synthesizes (no memory)."""
        if getattr(board, "backend", "hls") == "rtl":
            return self.rtl_resources(board)
        w = self.pe * bits(self.dt)
        return {"lut": 20 + 10 * self.n, "ff": self.n * (w + 2), "bram18": 0, "uram": 0, "dsp": 0}

    def context(self) -> dict:
        from hwgen.units.hls_pack import require

        require(2 <= self.n <= MAX_OUTPUTS, self, f"{self.n} outputs; the library forks 2..{MAX_OUTPUTS}")
        require(self.channels % self.pe == 0, self, f"PE={self.pe} does not divide C={self.channels}")
        p = self._port()
        return {"func": "duplicate", "targs": [p.words, p.width], "args": [], "params": [],
                "summary": f"DuplicateStreams {self.pixels}x{self.channels} -> {self.n} pe={self.pe}"}

    # -- rtl backend (templates/rtl/lib) ---------------------------------------------------------
    def rtl_context(self):
        """Every value its Verilog module needs (hwgen.units.rtl)."""
        from hwgen.units.rtl import duplicate_rtl

        return duplicate_rtl(self)

    def rtl_resources(self, board) -> dict[str, int]:
        """LUT, FF, BRAM18, URAM, DSP of its Verilog module, measured with Yosys (hwgen.units.cost_rtl)."""
        from hwgen.units.cost_rtl import duplicate_rtl_resources

        return duplicate_rtl_resources(self, board)
