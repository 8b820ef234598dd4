"""Thresholding: standalone multi-threshold activation (where no MVAU precedes it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from hwgen.sim.kernels import multithreshold
from hwgen.units.base import Unit


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
    template: ClassVar[str] = "thresholding"

    def simulate(self, x: np.ndarray) -> np.ndarray:
        return multithreshold(x, self.thresholds, self.out_base, self.out_step)

    def cycles(self) -> int:
        return self.pixels * self.channels // self.pe
