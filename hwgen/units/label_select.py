"""LabelSelect: indices of the k largest of ``labels`` integer scores (ties: lower index first)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from hwgen.units.base import Unit


@dataclass(frozen=True, eq=False)
class LabelSelect(Unit):
    labels: int = 10
    k: int = 1
    pe: int = 1
    idt: str = "int32"
    odt: str = "uint8"
    keepdims: bool = True  # ArgMax(keepdims=0) gives (N,) rather than (N, 1)
    template: ClassVar[str] = "label_select"

    def simulate(self, x: np.ndarray) -> np.ndarray:
        scores = x.reshape(x.shape[0], self.labels)
        top = np.argsort(-scores, axis=-1, kind="stable")[:, : self.k].astype(np.int64)
        return top if self.keepdims or self.k > 1 else top[:, 0]

    def cycles(self) -> int:
        return self.labels // self.pe
