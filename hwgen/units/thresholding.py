"""Thresholding: standalone multi-threshold activation (where no MVAU precedes it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from hwgen.core.datatypes import DataType
from hwgen.kernels.intops import multithreshold
from hwgen.units.base import Port, Run, Unit
from hwgen.units.cost import add, array_cost, bits


@dataclass(frozen=True, eq=False)
class Thresholding(Unit):
    channels: int = 1
    pixels: int = 1  # values per channel per frame (H*W)
    pe: int = 1
    idt: str = "int8"
    odt: str = "binary"
    out_base: int = 0
    out_step: int = 1
    thresholds: np.ndarray | None = None  # (C, n)
    PARAMS: ClassVar[tuple[str, ...]] = ("thresholds",)
    KNOBS: ClassVar[dict[str, str]] = {"pe": "channels"}
    template: ClassVar[str] = "thresholding"
    FINN_OPS: ClassVar[dict[str, dict[str, str]]] = {"Thresholding_rtl": {"PE": "pe"}}

    def simulate(self, x: np.ndarray) -> np.ndarray:
        out = multithreshold(x, self.thresholds, self.out_base, self.out_step)
        return out.astype(DataType.parse(self.odt).compact_numpy)

    def cycles(self) -> int:
        return self.pixels * self.channels // self.pe

    def schedule_runs(self) -> list[Run]:
        """thresholding.hpp: one word in and one out every cycle."""
        return [(self.cycles(), (1,), (1,))]

    def in_ports(self) -> tuple[Port, ...]:
        return (Port(self.pixels * self.channels, self.pe, self.idt),)

    def out_ports(self) -> tuple[Port, ...]:
        return (Port(self.pixels * self.channels, self.pe, self.odt),)

    def idle_cycles(self, i: int = 0) -> int:
        return 0  # reads a word every cycle it runs

    def start_fraction(self) -> float:
        return 1.0 / self.pixels

    def tail(self) -> int:
        return 1

    def shape(self) -> str:
        return f"{self.pixels}x{self.channels}"

    def context(self) -> dict:
        """Template values for templates/hls (see hwgen/backends/hls)."""
        from hwgen.units.hls_pack import cname, hls_type, int_array, require

        require(self.channels % self.pe == 0, self, f"PE={self.pe} does not divide C={self.channels}")
        cf, nt = self.channels // self.pe, int(self.thresholds.shape[1])
        t = self.thresholds.reshape(cf, self.pe, nt).transpose(1, 0, 2)
        arr = int_array(f"{cname(self.name)}_thresholds", t,
                        f"{self.name}: Thresholding thresholds, [PE={self.pe}][C/PE={cf}][{nt}]")
        return {
            "func": "thresholding",
            "targs": [self.channels, self.pixels, self.pe, hls_type(self.idt), hls_type(self.odt), nt,
                      self.out_base, self.out_step],
            "args": [arr.name], "params": [arr],
            "summary": f"Thresholding c={self.channels} pixels={self.pixels} pe={self.pe} {nt} threshold(s)",
        }

    def loop_entries(self) -> int:
        """Pipelined loops entered per frame (each fills and drains once)."""
        return 1

    def hls_arrays(self) -> tuple:
        """Thresholds [PE][C/PE][NT], split on PE and level: each bank read once per cycle."""
        from hwgen.units.cost import LUTRAM_MAX_DEPTH
        from hwgen.units.hls_memory import ONE, UNROLLED, ArraySpec, Dim, memory_impl
        from hwgen.units.hls_pack import cname, int_ctype

        cf, t = self.channels // self.pe, np.asarray(self.thresholds)
        tbits = int(int_ctype(int(t.min()), int(t.max()))[3:-2])
        return (ArraySpec(f"{cname(self.name)}_thresholds",
                          (Dim(self.pe, UNROLLED, "complete"), Dim(cf, ONE), Dim(int(t.shape[1]), UNROLLED, "complete")),
                          tbits, storage=memory_impl(cf, tbits, LUTRAM_MAX_DEPTH), rom=True),)

    def resources(self, board) -> dict[str, int]:
        """Thresholding (FINN ``Thresholding`` estimate shape: n comparators of the input width per
        PE; control constant own). The thresholds as hls_arrays() declares them: split per PE and
        level, C/PE words per bank, in the memory the one storage decision chose."""
        if getattr(board, "backend", "hls") == "rtl":
            return self.rtl_resources(board)
        b = bits(self.idt)
        n = 0 if self.thresholds is None else int(self.thresholds.shape[1])
        mem = [array_cost(a) for a in self.hls_arrays() if a.rom]
        return add({"lut": 100 + self.pe * n * b, "ff": self.pe * (b + bits(self.odt)) + 60}, *mem)

    # -- rtl backend (templates/rtl/lib) ---------------------------------------------------------
    def rtl_context(self):
        """Every value its Verilog module needs (hwgen.units.rtl)."""
        from hwgen.units.rtl import thresholding_rtl

        return thresholding_rtl(self)

    def rtl_resources(self, board) -> dict[str, int]:
        """LUT, FF, BRAM18, URAM, DSP of its Verilog module, measured with Yosys (hwgen.units.cost_rtl)."""
        from hwgen.units.cost_rtl import thresholding_rtl_resources

        return thresholding_rtl_resources(self, board)
