"""StreamingConcat: channel concatenation of N streams (NHWC: per pixel, the channels of input
0, then input 1, ...), any channel counts (DESIGN §3: a Concat of tensors with one scale is
wiring).

Every port carries words of ``pe`` elements, so ``pe`` divides every input's channel count (the
insert pass puts converters where a producer writes other words). The HLS function
(templates/hls/lib/concat.hpp) copies, per pixel, C_0/pe words of input 0, then C_1/pe words of
input 1, ...: one word read and one written per cycle, pixels * sum(C_i)/pe cycles per frame.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from hwgen.units.base import Port, Unit, divisors
from hwgen.units.cost import bits

MAX_INPUTS = 4  # the HLS library has overloads for 2..4 inputs


@dataclass(frozen=True, eq=False)
class StreamingConcat(Unit):
    channels: tuple[int, ...] = (1, 1)  # per input
    pixels: int = 1
    pe: int = 1
    dt: str = "binary"
    KNOBS: ClassVar[dict[str, str]] = {"pe": "channels"}
    template: ClassVar[str] = "concat"

    def simulate(self, *xs: np.ndarray) -> np.ndarray:
        return np.concatenate(xs, axis=-1)

    @property
    def total(self) -> int:
        return int(sum(self.channels))

    def in_ports(self) -> tuple[Port, ...]:
        return tuple(Port(self.pixels * c, self.pe, self.dt) for c in self.channels)

    def out_ports(self) -> tuple[Port, ...]:
        return (Port(self.pixels * self.total, self.pe, self.dt),)

    def cycles(self) -> int:
        return self.pixels * self.total // self.pe

    def schedule(self) -> Iterator[tuple[tuple[int, ...], tuple[int, ...]]]:
        # concat.hpp: per pixel, C_i/PE iterations reading input i, in input order
        n = len(self.channels)
        steps = [(tuple(int(j == i) for j in range(n)), (1,)) for i in range(n)]
        for _ in range(self.pixels):
            for i, c in enumerate(self.channels):
                for _ in range(c // self.pe):
                    yield steps[i]

    def loop_entries(self) -> int:
        return 1  # concat.hpp: one pipelined loop per frame

    def hls_arrays(self) -> tuple:
        return ()  # no arrays: stream words and registers only

    def idle_cycles(self, i: int = 0) -> int:
        # between two pixels' words of input i, the other inputs' words pass
        return (self.total - self.channels[i]) // self.pe

    def start_fraction(self) -> float:
        return 1.0 / self.pixels

    def tail(self) -> int:
        return 1

    # folding: one word size on every port, so PE divides every input's channel count
    def legal_foldings(self) -> list[dict[str, int]]:
        return [{"pe": d} for d in divisors(math.gcd(*self.channels))]

    def folding_error(self, knob: str, value: int) -> str | None:
        if knob != "pe":
            return f"has no {knob.upper()}; it takes PE"
        g = math.gcd(*self.channels)
        if value < 1 or g % value:
            return (f"PE={value} does not divide every input's channel count {list(self.channels)}; "
                    f"legal values: {', '.join(map(str, divisors(g)))}")
        return None

    def shape(self) -> str:
        return f"{self.pixels}x({'+'.join(map(str, self.channels))})"

    def resources(self, board) -> dict[str, int]:
        """Own (FINN ``StreamingConcat`` has no LUT estimate): an N:1 word multiplexer (a LUT6 is
        a 4:1 mux per bit) driven by a channel counter, an output register, no memory."""
        if getattr(board, "backend", "hls") == "rtl":
            return self.rtl_resources(board)
        w = self.pe * bits(self.dt)
        n = len(self.channels)
        return {"lut": 30 + w * math.ceil((n - 1) / 3), "ff": w + 30, "bram18": 0, "uram": 0, "dsp": 0}

    def context(self) -> dict:
        from hwgen.units.hls_pack import require

        require(2 <= len(self.channels) <= MAX_INPUTS, self,
                f"{len(self.channels)} inputs; the library concatenates 2..{MAX_INPUTS}")
        require(self.folding_error("pe", self.pe) is None, self, str(self.folding_error("pe", self.pe)))
        words = [c // self.pe for c in self.channels]
        return {"func": "concat", "targs": [self.pixels, self.pe * bits(self.dt), *words], "args": [], "params": [],
                "summary": f"StreamingConcat {self.shape()} pe={self.pe}"}

    # -- rtl backend (templates/rtl/lib) ---------------------------------------------------------
    def rtl_context(self):
        """Every value its Verilog module needs (hwgen.units.rtl)."""
        from hwgen.units.rtl import concat_rtl

        return concat_rtl(self)

    def rtl_resources(self, board) -> dict[str, int]:
        """LUT, FF, BRAM18, URAM, DSP of its Verilog module, measured with Yosys (hwgen.units.cost_rtl)."""
        from hwgen.units.cost_rtl import concat_rtl_resources

        return concat_rtl_resources(self, board)
