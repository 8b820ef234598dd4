"""LabelSelect: indices of the k largest of ``labels`` integer scores (ties: lower index first)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from hwgen.units.base import Port, Run, Unit
from hwgen.units.cost import add, bits


@dataclass(frozen=True, eq=False)
class LabelSelect(Unit):
    labels: int = 10
    k: int = 1
    pe: int = 1
    idt: str = "int32"
    odt: str = "uint8"
    keepdims: bool = True  # ArgMax(keepdims=0) gives (N,) rather than (N, 1)
    KNOBS: ClassVar[dict[str, str]] = {"pe": "labels"}
    template: ClassVar[str] = "label_select"
    FINN_OPS: ClassVar[dict[str, dict[str, str]]] = {"LabelSelect_hls": {"PE": "pe"}}

    def simulate(self, x: np.ndarray) -> np.ndarray:
        scores = x.reshape(x.shape[0], self.labels)
        top = np.argsort(-scores, axis=-1, kind="stable")[:, : self.k].astype(np.int64)
        return top if self.keepdims or self.k > 1 else top[:, 0]

    def cycles(self) -> int:
        # label_select.hpp: N/PE cycles reading scores, then a second loop emits the K indices
        return self.labels // self.pe + self.k

    def schedule_runs(self) -> list[Run]:
        return [(self.labels // self.pe, (1,), (0,)), (self.k, (0,), (1,))]

    def in_ports(self) -> tuple[Port, ...]:
        return (Port(self.labels, self.pe, self.idt),)

    def out_ports(self) -> tuple[Port, ...]:
        return (Port(self.k, 1, self.odt),)

    def idle_cycles(self, i: int = 0) -> int:
        return 0

    def start_fraction(self) -> float:
        return 1.0  # needs every score

    def tail(self) -> int:
        return self.k

    def shape(self) -> str:
        return f"{self.labels} top{self.k}"

    def context(self) -> dict:
        """Template values for templates/hls (see hwgen/backends/hls)."""
        from hwgen.units.hls_pack import hls_type, require

        require(self.labels % self.pe == 0, self, f"PE={self.pe} does not divide labels={self.labels}")
        require(1 <= self.k <= self.labels, self, f"k={self.k} outside 1..{self.labels}")
        return {
            "func": "label_select",
            "targs": [self.labels, self.k, self.pe, hls_type(self.idt), hls_type(self.odt)],
            "args": [], "params": [],
            "summary": f"LabelSelect labels={self.labels} k={self.k} pe={self.pe}",
        }

    def loop_entries(self) -> int:
        """Pipelined loops entered per frame: the scan, then the K outputs."""
        return 2

    def hls_arrays(self) -> tuple:
        """The sorted top-K list of lib/label_select.hpp: registers (split completely)."""
        from hwgen.units.hls_memory import UNROLLED, ArraySpec, Dim

        return tuple(ArraySpec(n, (Dim(self.k, UNROLLED, "complete"),), 1, reads=self.pe, writes=self.pe,
                               where="lib") for n in ("best", "index", "valid"))

    def resources(self, board) -> dict[str, int]:
        """LabelSelect (own, after finn-hlslib ``LabelSelect_Batch``): k (value, index) registers
        kept sorted by an insertion network, one compare-and-swap per slot and lane."""
        if getattr(board, "backend", "hls") == "rtl":
            return self.rtl_resources(board)
        b = bits(self.idt)
        ib = max(1, (self.labels - 1).bit_length())
        slot = b + ib
        return add({"lut": 80 + self.pe * self.k * (b + slot), "ff": self.k * slot + self.pe * b + 40})

    # -- rtl backend (templates/rtl/lib) ---------------------------------------------------------
    def rtl_context(self):
        """Every value its Verilog module needs (hwgen.units.rtl)."""
        from hwgen.units.rtl import label_select_rtl

        return label_select_rtl(self)

    def rtl_resources(self, board) -> dict[str, int]:
        """LUT, FF, BRAM18, URAM, DSP of its Verilog module, measured with Yosys (hwgen.units.cost_rtl)."""
        from hwgen.units.cost_rtl import label_select_rtl_resources

        return label_select_rtl_resources(self, board)
