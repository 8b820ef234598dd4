"""MVAU: matrix-vector-activation unit, the XNOR-popcount / integer dot-product engine.

Streams ``reps`` input vectors of ``mw`` elements per frame and emits ``mh`` outputs per vector,
``pe`` rows and ``simd`` columns at a time (FINN's folding: NF = mh/pe, SF = mw/simd).
Modes: ``xnor`` (binary inputs and weights, popcount of XNOR; thresholds on the popcount),
``int`` (integer inputs times binary (+-1, stored as bits) or integer weights). With no
thresholds (``noact``) it emits the signed accumulator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from hwgen.datatypes import DataType
from hwgen.sim.kernels import int_matmul, multithreshold
from hwgen.units.base import Unit


@dataclass(frozen=True, eq=False)
class MVAU(Unit):
    mw: int = 1
    mh: int = 1
    reps: int = 1  # input vectors per frame (output pixels for a convolution)
    pe: int = 1
    simd: int = 1
    mode: str = "xnor"  # "xnor" | "int"
    binary_weights: bool = True  # weights are bits standing for -1/+1
    idt: str = "binary"
    wdt: str = "binary"
    acc_dt: str = "int32"
    odt: str = "binary"
    out_base: int = 0
    out_step: int = 1
    weights: np.ndarray | None = None  # (mh, mw): bits if binary_weights, else integer codes
    thresholds: np.ndarray | None = None  # (mh, n): popcount domain in xnor mode; None = noact
    PARAMS: ClassVar[tuple[str, ...]] = ("weights", "thresholds")
    template: ClassVar[str] = "mvau"

    @property
    def noact(self) -> bool:
        return self.thresholds is None

    def signed_weights(self) -> np.ndarray:
        """The weights as the integers they stand for (+-1 for bits)."""
        w = self.weights.astype(np.int64)
        return 2 * w - 1 if self.binary_weights else w

    def accumulate(self, x: np.ndarray) -> np.ndarray:
        """Signed dot products (N, reps, mh); in xnor mode the +-1 sum = 2*popcount - mw."""
        n = x.shape[0]
        v = x.reshape(n * self.reps, self.mw).astype(np.int64)
        if self.mode == "xnor":
            v = 2 * v - 1
        w = self.signed_weights()
        xmax = 1 if self.mode == "xnor" else max(abs(DataType.parse(self.idt).min), abs(DataType.parse(self.idt).max))
        bound = int(np.abs(w).sum(1).max()) * xmax
        return int_matmul(v, w.T, bound).reshape(n, self.reps, self.mh)

    def simulate(self, x: np.ndarray) -> np.ndarray:
        acc = self.accumulate(x)
        if self.noact:
            return acc.reshape(x.shape[0], *self._out_shape(x))
        if self.mode == "xnor":
            acc = (acc + self.mw) // 2  # popcount of XNOR
        out = multithreshold(acc, self.thresholds, self.out_base, self.out_step)
        return out.reshape(x.shape[0], *self._out_shape(x))

    def _out_shape(self, x: np.ndarray) -> tuple[int, ...]:
        if self.reps == 1:
            return (self.mh,)
        per = x.shape[1:-1]  # (OH, OW) for convolutions
        return (*per, self.mh)

    def cycles(self) -> int:
        return self.reps * (self.mh // self.pe) * (self.mw // self.simd)
