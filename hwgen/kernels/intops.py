"""Exact integer numerics shared by the hardware units and the graph simulator."""

from __future__ import annotations

import numpy as np


def int_matmul(x: np.ndarray, w: np.ndarray, bound: int) -> np.ndarray:
    """Exact integer ``x @ w`` through BLAS: float32 while |partial sums| < 2^24, else float64."""
    ftype = np.float32 if bound < (1 << 24) else np.float64
    if bound >= (1 << 53):
        return x.astype(np.int64) @ w.astype(np.int64)
    out = x.astype(ftype, copy=False) @ w.astype(ftype)
    return out.astype(np.int32 if bound < (1 << 31) else np.int64)


def multithreshold(x: np.ndarray, thresholds: np.ndarray, base: int, step: int) -> np.ndarray:
    """``base + step * #(x >= T[c, j])`` per channel c (thresholds sorted ascending per row)."""
    c = thresholds.shape[0]
    flat = x.reshape(-1, c)
    if thresholds.shape[1] == 1:
        hit = flat >= thresholds[:, 0]
        if base == 0 and step == 1:
            return hit.view(np.int8).reshape(x.shape)  # a bit: True is 1
        count = hit.astype(np.int32)
    else:
        count = np.empty(flat.shape, np.int32)
        for ch in range(c):
            count[:, ch] = np.searchsorted(thresholds[ch], flat[:, ch], side="right")
    return (base + step * count).reshape(x.shape)
