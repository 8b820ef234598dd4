"""Sliding windows over NHWC batches, shared by convolution, sliding-window and pool kernels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def pad_nhwc(x: np.ndarray, pads: tuple[int, int, int, int], value) -> np.ndarray:
    """Pad (top, left, bottom, right) of a (N, H, W, C) batch with ``value``."""
    t, l, b, r = pads
    if not (t or l or b or r):
        return x
    return np.pad(x, ((0, 0), (t, b), (l, r), (0, 0)), mode="constant", constant_values=value)


def out_size(size: int, k: int, stride: int, pad_lo: int, pad_hi: int, ceil_mode: bool = False) -> int:
    span = size + pad_lo + pad_hi - k
    if ceil_mode:
        n = -(-span // stride) + 1
        if (n - 1) * stride >= size + pad_lo:  # ONNX: last window must start inside input+pad_lo
            n -= 1
        return n
    return span // stride + 1


def windows(x: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int]) -> np.ndarray:
    """A strided view (N, OH, OW, KH, KW, C) of an already padded (N, H, W, C) batch."""
    kh, kw = kernel
    sh, sw = stride
    v = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(1, 2))  # N,OH',OW',C,KH,KW
    v = v[:, ::sh, ::sw]
    return v.transpose(0, 1, 2, 4, 5, 3)


def im2col(x: np.ndarray, kernel, stride, pads, pad_value) -> np.ndarray:
    """(N, OH, OW, KH*KW*C) patches in (kh, kw, c) order, the order of (OC, KH, KW, IC) weights."""
    v = windows(pad_nhwc(x, pads, pad_value), kernel, stride)
    n, oh, ow = v.shape[:3]
    return v.reshape(n, oh, ow, -1)


def pool(x: np.ndarray, kernel, stride, pads, ceil_mode: bool, reduce=np.max) -> np.ndarray:
    """Max (or ``reduce``) pooling of a (N, H, W, C) batch; padding never wins."""
    n, h, w, c = x.shape
    oh = out_size(h, kernel[0], stride[0], pads[0], pads[2], ceil_mode)
    ow = out_size(w, kernel[1], stride[1], pads[1], pads[3], ceil_mode)
    need_h = (oh - 1) * stride[0] + kernel[0] - h - pads[0]
    need_w = (ow - 1) * stride[1] + kernel[1] - w - pads[1]
    fill = _neutral(x.dtype, reduce)
    xp = pad_nhwc(x, (pads[0], pads[1], max(need_h, 0), max(need_w, 0)), fill)
    pairwise = {np.max: np.maximum, np.min: np.minimum}.get(reduce)
    if pairwise is None:
        v = windows(xp, kernel, stride)[:, :oh, :ow]
        return reduce(v, axis=(3, 4))
    # max/min are separable: combine KH strided row slices (long contiguous runs), then KW
    # strided column slices; far fewer, longer numpy inner loops than reducing a 6-d window view
    (kh, kw), (sh, sw) = kernel, stride
    rows = None
    for i in range(kh):
        s = xp[:, i : i + sh * (oh - 1) + 1 : sh]
        rows = s.copy() if rows is None else pairwise(rows, s, out=rows)
    out = None
    for j in range(kw):
        s = rows[:, :, j : j + sw * (ow - 1) + 1 : sw]
        out = s.copy() if out is None else pairwise(out, s, out=out)
    return out


def _neutral(dtype, reduce):
    big = np.inf if np.issubdtype(dtype, np.floating) else np.iinfo(dtype).max
    return -big if reduce is np.max else big


@dataclass(frozen=True)
class Windows:
    """The KH x KW windows (stride SH, SW) of an already padded (N, HP, WP, CW) image, not cut:
    kernels read each window's KH runs of KW*CW elements in place (an im2col without the copy).
    Elements are whatever the consumer reads: int16 codes, or 64-bit words of packed channels."""

    image: np.ndarray
    kernel: tuple[int, int] = (1, 1)
    stride: tuple[int, int] = (1, 1)

    @classmethod
    def of_rows(cls, rows: np.ndarray) -> Windows:
        """Rows (R, K) as the 1x1 windows of an (R, 1, 1, K) image (a fully connected layer)."""
        return cls(rows.reshape(rows.shape[0], 1, 1, rows.shape[1]))

    @property
    def out_dim(self) -> tuple[int, int]:
        _, hp, wp, _ = self.image.shape
        return ((hp - self.kernel[0]) // self.stride[0] + 1, (wp - self.kernel[1]) // self.stride[1] + 1)

    @property
    def rows_count(self) -> int:
        oh, ow = self.out_dim
        return self.image.shape[0] * oh * ow

    def contiguous(self, dtype) -> Windows:
        """The same windows over a C-contiguous image of ``dtype`` (no copy when it already is)."""
        img = np.ascontiguousarray(self.image, dtype=dtype)
        return self if img is self.image else Windows(img, self.kernel, self.stride)

    def rows(self) -> np.ndarray:
        """The windows cut: (N*OH*OW, KH*KW*CW) in (kh, kw, c) order."""
        return np.ascontiguousarray(windows(self.image, self.kernel, self.stride)).reshape(self.rows_count, -1)


def window_sums(x: np.ndarray, kernel) -> np.ndarray:
    """Sums of the whole non-overlapping ``kernel`` windows of a (N, H, W, C) batch (floor mode);
    integers sum in int64, floats in their own type."""
    n, h, w, c = x.shape
    kh, kw = kernel
    oh, ow = h // kh, w // kw
    acc = np.int64 if np.issubdtype(x.dtype, np.integer) else x.dtype
    v = x[:, : oh * kh, : ow * kw].astype(acc).reshape(n, oh, kh, ow, kw, c)
    return v.sum(axis=(2, 4), dtype=acc)
