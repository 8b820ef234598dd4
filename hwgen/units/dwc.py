"""DataWidthConverter: re-cut a stream of ``in_epw``-element words into ``out_epw``-element words.

Inserted by the ``insert`` pass wherever a producer's word differs from its consumer's (an
MVAU's PE against the next MVAU's SIMD, the DMA port against the first unit). Element order is
kept. The HLS functions (templates/hls/lib/dwc.hpp) convert integer ratios, reading or writing
one word per cycle: max(words in, words out) cycles per frame. A ratio that is not an integer is
two converters in a dataflow region through an intermediate width (``stages``): lcm(in, out)
when its word fits 4,096 bits (the same cycles), else gcd(in, out) (TOTAL/gcd cycles).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from hwgen.units.base import Port, Run, Runs, Unit
from hwgen.units.cost import MAX_STREAM_BITS as MAX_WORD_BITS
from hwgen.units.cost import zero


@dataclass(frozen=True, eq=False)
class DataWidthConverter(Unit):
    elems: int = 1  # elements per frame
    in_epw: int = 1
    out_epw: int = 1
    dt: str = "binary"
    infrastructure: ClassVar[bool] = True
    template: ClassVar[str] = "dwc"

    def simulate(self, x: np.ndarray) -> np.ndarray:
        return x

    def in_ports(self) -> tuple[Port, ...]:
        return (Port(self.elems, self.in_epw, self.dt),)

    def out_ports(self) -> tuple[Port, ...]:
        return (Port(self.elems, self.out_epw, self.dt),)

    def stages(self) -> list[tuple[int, int]]:
        """The integer-ratio conversions (in, out) the HLS code chains, in order."""
        a, b = self.in_epw, self.out_epw
        if a % b == 0 or b % a == 0:
            return [(a, b)]
        lcm = math.lcm(a, b)
        mid = lcm if lcm * self.in_ports()[0].bits <= MAX_WORD_BITS else math.gcd(a, b)
        return [(a, mid), (mid, b)]

    def stage_cycles(self) -> list[int]:
        """Loop iterations of each stage per frame: one read or write per cycle."""
        return [self.elems // min(a, b) for a, b in self.stages()]

    def cycles(self) -> int:
        return max(self.stage_cycles())  # the stages overlap (dataflow)

    def loop_entries(self) -> int:
        return len(self.stages())

    def hls_arrays(self) -> tuple:
        return ()  # a shift register of one stream word (registers)

    def schedule_runs(self) -> list[Run]:
        """One word a cycle on the narrow side: a down-converter writes every cycle and
        reads a wide word when the next output needs elements it does not hold yet; an
        up-converter reads every cycle and writes when a wide word is complete (dwc.hpp on the
        ``hls`` branch does this for integer ratios: read at k == 0, write at k == R-1)."""
        a, b = self.in_epw, self.out_epw
        runs = Runs()
        if a % b == 0:
            runs.extend([(1, (1,), (1,)), (a // b - 1, (0,), (1,))], self.elems // a)
        elif b % a == 0:
            runs.extend([(b // a - 1, (1,), (0,)), (1, (1,), (1,))], self.elems // b)
        elif a > b:  # cycle c writes output word c: elements [c*b, (c+1)*b)
            for c in range(self.elems // b):
                runs.add(1, (-(-(c + 1) * b // a) - -(-c * b // a),), (1,))
        else:  # cycle c reads input word c; a word leaves when (c+1)*a crosses a multiple of b
            for c in range(self.elems // a):
                runs.add(1, (1,), ((c + 1) * a // b - c * a // b,))
        return runs.runs

    def idle_cycles(self, i: int = 0) -> int:
        # down-conversion reads one wide word, then writes ratio narrow ones
        return max(0, math.ceil(self.in_epw / self.out_epw) - 1)

    def start_fraction(self) -> float:
        return min(1.0, max(self.in_epw, self.out_epw) / self.elems)

    def tail(self) -> int:
        return math.ceil(self.in_epw / self.out_epw)

    def shape(self) -> str:
        return f"{self.in_epw}->{self.out_epw} x{self.dt}"

    def resources(self, board) -> dict[str, int]:
        """Own (FINN's StreamingDataWidthConverter has no BRAM): down-conversion is a ratio:1
        multiplexer per output bit (a LUT6 is a 4:1 mux) over a buffered input word;
        up-conversion shifts narrow words into a wide register. When one width does not divide
        the other, the converter buffers lcm(inw, outw) bits."""
        if getattr(board, "backend", "hls") == "rtl":
            return self.rtl_resources(board)
        inw, outw = self.in_ports()[0].width, self.out_ports()[0].width
        if inw == outw:
            return zero()
        lo, hi = min(inw, outw), max(inw, outw)
        buf = hi if hi % lo == 0 else math.lcm(inw, outw)
        lut = outw * math.ceil((buf // outw) / 4) + 20 if inw > outw else inw + math.ceil(buf / 8) + 20
        return {**zero(), "lut": lut, "ff": buf + outw + 16}

    def context(self) -> dict:
        bits = self.in_ports()[0].bits
        st = self.stages()
        func, widths = ("dwc", [self.in_epw, self.out_epw]) if len(st) == 1 else \
            ("dwc_chain", [self.in_epw, st[0][1], self.out_epw])
        return {"func": func, "targs": [*widths, self.elems, bits], "args": [], "params": [],
                "summary": "width conversion " + " -> ".join(str(w) for w in widths) + " elements"}

    # -- rtl backend (templates/rtl/lib) ---------------------------------------------------------
    def rtl_context(self):
        """Every value its Verilog module needs (hwgen.units.rtl)."""
        from hwgen.units.rtl import dwc_unit_rtl

        return dwc_unit_rtl(self)

    def rtl_resources(self, board) -> dict[str, int]:
        """LUT, FF, BRAM18, URAM, DSP of its Verilog module, measured with Yosys (hwgen.units.cost_rtl)."""
        from hwgen.units.cost_rtl import dwc_unit_rtl_resources

        return dwc_unit_rtl_resources(self, board)
