"""StreamingMaxPool: k x k max pooling on a stream; OR on binary data, max on integers.

Channels in ``min_mask`` take the minimum instead (AND on binary data): streamlining flips
decreasing channels into the weights, which turns their max-pool into a min-pool.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from hwgen.core.datatypes import DataType
from hwgen.kernels.windows import out_size, pool
from hwgen.units.base import Port, Run, Unit
from hwgen.units.cost import add, array_cost, bits, memory
from hwgen.units.sliding_window import ring_cycles, ring_idle_cycles, ring_schedule, window_start_fraction


@dataclass(frozen=True, eq=False)
class StreamingMaxPool(Unit):
    ifm_dim: tuple[int, int] = (1, 1)
    channels: int = 1
    kernel: tuple[int, int] = (2, 2)
    stride: tuple[int, int] = (2, 2)
    pads: tuple[int, int, int, int] = (0, 0, 0, 0)
    ceil_mode: bool = False
    pe: int = 1
    idt: str = "binary"
    min_mask: np.ndarray | None = None  # (C,) bool
    PARAMS: ClassVar[tuple[str, ...]] = ("min_mask",)
    KNOBS: ClassVar[dict[str, str]] = {"pe": "channels"}
    template: ClassVar[str] = "maxpool"
    # FINN lowers a max-pool to a window generator feeding Pool_hls (one PE for both here)
    FINN_OPS: ClassVar[dict[str, dict[str, str]]] = {"ConvolutionInputGenerator_rtl": {"SIMD": "pe"},
                                                     "Pool_hls": {"PE": "pe"}}

    @property
    def ofm_dim(self) -> tuple[int, int]:
        t, l, b, r = self.pads
        return (
            out_size(self.ifm_dim[0], self.kernel[0], self.stride[0], t, b, self.ceil_mode),
            out_size(self.ifm_dim[1], self.kernel[1], self.stride[1], l, r, self.ceil_mode),
        )

    def simulate(self, x: np.ndarray) -> np.ndarray:
        out = pool(x, self.kernel, self.stride, self.pads, self.ceil_mode)
        if self.min_mask is not None and self.min_mask.any():
            low = pool(x, self.kernel, self.stride, self.pads, self.ceil_mode, np.min)
            out = np.where(self.min_mask.astype(bool), low, out)
        return out

    def cycles(self) -> int:
        oh, ow = self.ofm_dim
        kh, kw = self.kernel
        cf = self.channels // self.pe
        return ring_cycles(self.ifm_dim, cf, kh, self.stride[0], self.pads[0], oh, ow * cf * kh * kw)

    def schedule_runs(self) -> list[Run]:
        """maxpool.hpp: the ring loop nest, one window element per step, a word out every KH*KW."""
        oh, ow = self.ofm_dim
        kh, kw = self.kernel
        cf = self.channels // self.pe
        return ring_schedule(self.ifm_dim, cf, kh, self.stride[0], self.pads[0], oh, ow * cf * kh * kw, kh * kw)

    def frame_schedule_runs(self, backend: str = "hls") -> list[Run]:
        """A fill and drain after the ring fill and after every output row's loop."""
        if self.ii_bound() != 1 or backend == "rtl":
            return super().frame_schedule_runs(backend)
        from hwgen.units.hls_memory import FILL_DRAIN_CYCLES

        oh, ow = self.ofm_dim
        kh, kw = self.kernel
        cf = self.channels // self.pe
        return ring_schedule(self.ifm_dim, cf, kh, self.stride[0], self.pads[0], oh, ow * cf * kh * kw, kh * kw,
                             FILL_DRAIN_CYCLES)

    def in_ports(self) -> tuple[Port, ...]:
        ih, iw = self.ifm_dim
        return (Port(ih * iw * self.channels, self.pe, self.idt),)

    def out_ports(self) -> tuple[Port, ...]:
        oh, ow = self.ofm_dim
        return (Port(oh * ow * self.channels, self.pe, self.idt),)

    def idle_cycles(self, i: int = 0) -> int:
        cf = self.channels // self.pe
        return ring_idle_cycles(self.ifm_dim, self.ofm_dim, self.kernel, self.stride[0], self.pads[0], cf,
                                self.kernel[0] * self.kernel[1] * cf)

    def start_fraction(self) -> float:
        return window_start_fraction(self.ifm_dim, self.kernel, self.pads)

    def tail(self) -> int:
        return 1

    def shape(self) -> str:
        return f"{self.ifm_dim[0]}x{self.ifm_dim[1]}x{self.channels} k{self.kernel[0]}"

    def context(self) -> dict:
        """Template values for templates/hls (see hwgen/backends/hls)."""
        from hwgen.units.hls_pack import cname, hls_type, require, word_array

        require(self.channels % self.pe == 0, self, f"PE={self.pe} does not divide C={self.channels}")
        (ih, iw), (oh, ow) = self.ifm_dim, self.ofm_dim
        (kh, kw), (sh, sw) = self.kernel, self.stride
        t, l, _, _ = self.pads
        cf = self.channels // self.pe
        mask = np.zeros(self.channels, np.int64) if self.min_mask is None else self.min_mask.astype(np.int64)
        arr = word_array(f"{cname(self.name)}_min_mask", mask.reshape(cf, self.pe), 1,
                         f"{self.name}: StreamingMaxPool min-channels, [C/PE={cf}] words of PE={self.pe} bits "
                         "(1 = min/AND)")
        return {
            "func": "maxpool",
            "targs": [ih, iw, self.channels, kh, kw, sh, sw, t, l, oh, ow, self.pe, hls_type(self.idt)],
            "args": [arr.name], "params": [arr],
            "summary": f"StreamingMaxPool {ih}x{iw}x{self.channels} k={kh}x{kw} s={sh}x{sw} pe={self.pe}",
        }

    def loop_entries(self) -> int:
        """Pipelined loops entered per frame: the ring's fill plus one per output row."""
        return 1 + self.ofm_dim[0]

    def hls_arrays(self) -> tuple:
        """The ring of lib/maxpool.hpp (one bank per row: 1 read + 1 write per cycle), the
        min-mask ROM (one word per cycle) and the per-lane best values (registers)."""
        from hwgen.units.cost import LUTRAM_MAX_DEPTH
        from hwgen.units.hls_memory import ONE, UNROLLED, ArraySpec, Dim, memory_impl
        from hwgen.units.hls_pack import cname

        b = DataType.parse(self.idt).bits
        cf = self.channels // self.pe
        row = self.ifm_dim[1] * cf
        return (ArraySpec("ring", (Dim(self.kernel[0] + self.stride[0], ONE, "complete"), Dim(row, ONE)),
                          self.pe * b, reads=1, writes=1, storage="auto", where="lib"),
                ArraySpec(f"{cname(self.name)}_min_mask", (Dim(cf, ONE),), self.pe,
                          storage=memory_impl(cf, self.pe, LUTRAM_MAX_DEPTH), rom=True),
                ArraySpec("best", (Dim(self.pe, UNROLLED, "complete"),), b, reads=1, writes=1, where="lib"))

    def resources(self, board) -> dict[str, int]:
        """StreamingMaxPool (templates/hls/lib/maxpool.hpp): a ring of KH + SH input rows
        (IFM_W * C/PE words of PE*bits each) and a comparator + mux per lane (an OR for binary)."""
        if getattr(board, "backend", "hls") == "rtl":
            return self.rtl_resources(board)
        b = bits(self.idt)
        rows = self.kernel[0] + self.stride[0]
        buf = memory(self.ifm_dim[1] * (self.channels // self.pe), self.pe * b, rows)
        mask = [array_cost(a) for a in self.hls_arrays() if a.rom]
        lanes = self.pe * (1 if b == 1 else 2 * b)
        return add({"lut": 60 + lanes, "ff": self.pe * b + 60}, buf, *mask)

    # -- rtl backend (templates/rtl/lib) ---------------------------------------------------------
    def rtl_context(self):
        """Every value its Verilog module needs (hwgen.units.rtl)."""
        from hwgen.units.rtl import maxpool_rtl

        return maxpool_rtl(self)

    def rtl_resources(self, board) -> dict[str, int]:
        """LUT, FF, BRAM18, URAM, DSP of its Verilog module, measured with Yosys (hwgen.units.cost_rtl)."""
        from hwgen.units.cost_rtl import maxpool_rtl_resources

        return maxpool_rtl_resources(self, board)
