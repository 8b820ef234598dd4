"""Max/min pooling by element-wise passes over strided slices equals the reduction over the
window view (the definition), for random shapes, strides, pads, ceil mode, int and float data."""

from __future__ import annotations

import numpy as np
import pytest

from hwgen.kernels.windows import _neutral, out_size, pad_nhwc, pool, windows


def _by_definition(x, kernel, stride, pads, ceil_mode, reduce):
    h, w = x.shape[1:3]
    oh = out_size(h, kernel[0], stride[0], pads[0], pads[2], ceil_mode)
    ow = out_size(w, kernel[1], stride[1], pads[1], pads[3], ceil_mode)
    need_h = (oh - 1) * stride[0] + kernel[0] - h - pads[0]
    need_w = (ow - 1) * stride[1] + kernel[1] - w - pads[1]
    xp = pad_nhwc(x, (pads[0], pads[1], max(need_h, 0), max(need_w, 0)), _neutral(x.dtype, reduce))
    return reduce(windows(xp, kernel, stride)[:, :oh, :ow], axis=(3, 4))


@pytest.mark.parametrize("seed", range(12))
def test_pool_equals_reduction_over_windows(seed):
    rng = np.random.default_rng(seed)
    kernel = tuple(int(v) for v in rng.integers(1, 4, 2))
    stride = tuple(int(v) for v in rng.integers(1, 4, 2))
    pads = tuple(int(rng.integers(0, k)) for k in (kernel[0], kernel[1], kernel[0], kernel[1]))
    h, w = kernel[0] + int(rng.integers(0, 6)), kernel[1] + int(rng.integers(0, 6))
    dtype = (np.int8, np.int32, np.float32)[seed % 3]
    x = rng.integers(-100, 100, (2, h, w, int(rng.integers(1, 5)))).astype(dtype)
    for reduce in (np.max, np.min):
        for ceil_mode in (False, True):
            got = pool(x, kernel, stride, pads, ceil_mode, reduce)
            want = _by_definition(x, kernel, stride, pads, ceil_mode, reduce)
            assert got.dtype == want.dtype and np.array_equal(got, want)
