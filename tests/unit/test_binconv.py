"""The windowed binary kernels (hwgen.kernels.popcount.xnor_conv / int_conv): AVX-512 path,
portable C path (forced) and numpy path all equal the exact integer product, == everywhere."""

from __future__ import annotations

import numpy as np
import pytest

from hwgen.kernels import popcount
from hwgen.kernels.windows import Windows, im2col


def _all_paths(monkeypatch, fn):
    """fn() on the best path, AVX-512 without VNNI, the forced portable C path and numpy."""
    outs = [fn()]
    for level in (1, 2):
        with popcount.force_generic(level):
            outs.append(fn())
    with monkeypatch.context() as m:
        m.setattr(popcount, "_library", lambda: None)
        outs.append(fn())
    return outs


def _random_thresholds(rng, m, nt, lo, hi):
    if nt == 0:
        return None
    return np.sort(rng.integers(lo, hi + 1, (m, nt)), axis=1)


def _expect(acc: np.ndarray, t: np.ndarray | None) -> np.ndarray:
    if t is None:
        return acc
    return (acc[:, :, None] >= t[None]).sum(-1)


@pytest.mark.parametrize("seed", range(8))
def test_xnor_conv_equals_signed_matmul_of_cut_windows(seed, monkeypatch):
    rng = np.random.default_rng(seed)
    n, c = int(rng.integers(1, 4)), 64 * int(rng.integers(1, 3))
    kh, kw = (int(v) for v in rng.integers(1, 4, 2))
    sh, sw = (int(v) for v in rng.integers(1, 3, 2))
    h, w = kh + int(rng.integers(0, 6)), kw + int(rng.integers(0, 6))
    m = int(rng.integers(1, 40))
    nt = int(rng.integers(0, 4))
    bits = rng.integers(0, 2, (n, h, w, c)).astype(np.int8)
    wbits = rng.integers(0, 2, (m, kh * kw * c)).astype(np.int8)
    k = wbits.shape[1]
    t = _random_thresholds(rng, m, nt, -2, k + 2)  # popcount domain, beyond both ends too
    cols = im2col(bits, (kh, kw), (sh, sw), (0, 0, 0, 0), 0).reshape(-1, k)
    dot = (2 * cols.astype(np.int64) - 1) @ (2 * wbits.astype(np.int64) - 1).T
    expected = _expect(dot if t is None else (k + dot) // 2, t)
    img = popcount.pack_rows(bits)
    win = Windows(img, (kh, kw), (sh, sw))
    wp = popcount.pack_rows(wbits)
    for got in _all_paths(monkeypatch, lambda: popcount.xnor_conv(win, wp, k, t)):
        assert got.dtype == (np.int32 if t is None else np.int8)
        assert np.array_equal(got, expected)


@pytest.mark.parametrize("codes", [(0, 1), (-2, 1), (-128, 127), (0, 255), (-8, 7), (-20000, 20000)])
@pytest.mark.parametrize("seed", range(3))
def test_int_conv_equals_integer_matmul(codes, seed, monkeypatch):
    """Every code range: int8 and uint8 inputs (VNNI bytes, the AVX-512 int16 path), and codes too
    wide for bytes and int16 accumulation (the C kernel must take its int32 path by itself)."""
    rng = np.random.default_rng(seed + 100 * codes[1])
    lo, hi = codes
    n, c = int(rng.integers(1, 4)), int(rng.integers(1, 6))
    kh, kw = (int(v) for v in rng.integers(1, 4, 2))
    sh, sw = (int(v) for v in rng.integers(1, 3, 2))
    h, w = kh + int(rng.integers(0, 7)), kw + int(rng.integers(0, 7))
    m = int(rng.integers(1, 70))
    nt = int(rng.integers(0, 3))
    x = rng.integers(lo, hi + 1, (n, h, w, c)).astype(np.int16)
    x.flat[0], x.flat[-1] = lo, hi  # both ends of the range
    wbits = rng.integers(0, 2, (m, kh * kw * c)).astype(np.int8)
    k = wbits.shape[1]
    xmax = max(abs(lo), abs(hi))
    t = _random_thresholds(rng, m, nt, -k * xmax - 1, k * xmax + 1)
    cols = im2col(x, (kh, kw), (sh, sw), (0, 0, 0, 0), 0).reshape(-1, k).astype(np.int64)
    expected = _expect(cols @ (2 * wbits.astype(np.int64) - 1).T, t)
    win = Windows(x, (kh, kw), (sh, sw))
    for got in _all_paths(monkeypatch, lambda: popcount.int_conv(win, wbits, lo, hi, t)):
        assert got.dtype == (np.int32 if t is None else np.int8)
        assert np.array_equal(got, expected)


@pytest.mark.parametrize("kind", ["xnor", "int"])
def test_threaded_batches_equal_portable_path(kind):
    """Batches large enough for the OpenMP split: the fast threaded run equals the forced portable run."""
    rng = np.random.default_rng(7)
    if kind == "xnor":
        img = rng.integers(0, 2**63, (6, 30, 30, 1), dtype=np.uint64)
        wbits = rng.integers(0, 2, (64, 9 * 64)).astype(np.int8)
        t = rng.integers(250, 330, (64, 1))
        def run():
            return popcount.xnor_conv(Windows(img, (3, 3)), popcount.pack_rows(wbits), 576, t)
    else:
        img = rng.integers(-128, 128, (8, 32, 32, 3)).astype(np.int16)
        wbits = rng.integers(0, 2, (64, 27)).astype(np.int8)
        t = rng.integers(-200, 200, (64, 1))
        def run():
            return popcount.int_conv(Windows(img, (3, 3)), wbits, -128, 127, t)
    fast = run()
    for level in (1, 2):
        with popcount.force_generic(level):
            assert np.array_equal(run(), fast)
    assert fast.any() and not fast.all()  # thresholds in range: both outcomes occur


def test_forced_generic_reports_no_fast_path():
    """force_generic really switches the run-time dispatch (else the tests above compare a path with itself)."""
    if popcount.library() is None:
        pytest.skip("no C compiler: the numpy path is the only one")
    with popcount.force_generic(1):
        assert popcount.fast_paths()["vnni"] is False
    with popcount.force_generic():
        paths = popcount.fast_paths()
        assert paths["xnor"] is False and paths["int"] is False and paths["vnni"] is False


@pytest.mark.parametrize("k", [1, 7, 63, 64, 65, 130, 576, 784])
def test_pack_rows_compiled_equals_numpy(k, monkeypatch):
    """Packing (the C kernel, its portable path, numpy's packbits) gives the same words; any
    nonzero byte is a 1 bit, padding bits are 0."""
    rng = np.random.default_rng(k)
    bits = rng.integers(0, 2, (3, 37, k)).astype(np.int8)
    bits[0, 0] = rng.integers(-3, 4, k)  # nonzero, not only 1
    outs = _all_paths(monkeypatch, lambda: popcount.pack_rows(bits))
    assert outs[0].shape == (3, 37, -(-k // 64)) and outs[0].dtype == np.uint64
    for o in outs[1:]:
        assert np.array_equal(o, outs[0])
    ones = np.unpackbits(outs[0].reshape(-1, outs[0].shape[-1]).view(np.uint8), axis=1, bitorder="little")
    assert np.array_equal(ones[:, :k], (bits != 0).reshape(-1, k)) and not ones[:, k:].any()
