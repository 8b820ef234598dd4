"""SlidingWindow: im2col on a stream (k x k windows, stride, padding) for a following MVAU.

Emits, per output pixel, the window's ``kh*kw*c`` elements in (kh, kw, c) order, ``simd``
channels at a time; padding inserts ``pad_value`` (the hardware code: bit 0/1 for +-1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from hwgen.sim.windows import im2col, out_size
from hwgen.units.base import Unit


@dataclass(frozen=True, eq=False)
class SlidingWindow(Unit):
    ifm_dim: tuple[int, int] = (1, 1)
    channels: int = 1
    kernel: tuple[int, int] = (1, 1)
    stride: tuple[int, int] = (1, 1)
    pads: tuple[int, int, int, int] = (0, 0, 0, 0)  # top, left, bottom, right
    pad_value: int = 0
    simd: int = 1
    idt: str = "binary"
    template: ClassVar[str] = "sliding_window"

    @property
    def ofm_dim(self) -> tuple[int, int]:
        t, l, b, r = self.pads
        return (
            out_size(self.ifm_dim[0], self.kernel[0], self.stride[0], t, b),
            out_size(self.ifm_dim[1], self.kernel[1], self.stride[1], l, r),
        )

    def simulate(self, x: np.ndarray) -> np.ndarray:
        return im2col(x, self.kernel, self.stride, self.pads, x.dtype.type(self.pad_value))

    def cycles(self) -> int:
        oh, ow = self.ofm_dim
        h, w = self.ifm_dim
        t, l, b, r = self.pads
        # reads the padded input once and writes every window element once (SIMD per cycle)
        read = (h + t + b) * (w + l + r) * self.channels // self.simd
        write = oh * ow * self.kernel[0] * self.kernel[1] * self.channels // self.simd
        return max(read, write)
