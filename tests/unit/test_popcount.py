"""The packed XNOR-popcount kernel equals the +-1 matrix product, compiled and numpy paths."""

from __future__ import annotations

import numpy as np
import pytest

from hwgen.kernels import popcount


@pytest.mark.parametrize("k", [1, 63, 64, 65, 576, 1000])
def test_xnor_dot_equals_signed_matmul(k):
    rng = np.random.default_rng(k)
    x = rng.integers(0, 2, (40, k)).astype(np.int8)
    w = rng.integers(0, 2, (9, k)).astype(np.int8)
    expected = (2 * x.astype(np.int64) - 1) @ (2 * w.astype(np.int64) - 1).T
    assert np.array_equal(popcount.xnor_dot(x, w), expected)


def test_numpy_fallback_equals_compiled_kernel(monkeypatch):
    rng = np.random.default_rng(0)
    xp = popcount.pack_rows(rng.integers(0, 2, (30, 200)))
    wp = popcount.pack_rows(rng.integers(0, 2, (5, 200)))
    compiled = popcount.xor_popcount(xp, wp)
    monkeypatch.setattr(popcount, "_library", lambda: None)
    assert np.array_equal(popcount.xor_popcount(xp, wp), compiled)


@pytest.mark.parametrize("nt", [1, 3])
def test_fused_threshold_kernel_equals_popcount_then_thresholds(nt):
    from hwgen.kernels.intops import multithreshold

    rng = np.random.default_rng(nt)
    k = 300
    x = rng.integers(0, 2, (50, k)).astype(np.int8)
    w = rng.integers(0, 2, (12, k)).astype(np.int8)
    t = np.sort(rng.integers(100, 200, (12, nt)), axis=1)
    pop = (k + popcount.xnor_dot(x, w)) // 2
    assert np.array_equal(popcount.xnor_threshold(x, w, t), multithreshold(pop, t, 0, 1))


def test_fused_packed_windows_equal_unit_by_unit_simulation(bnn_pynq):
    """The executor runs SlidingWindow -> binary MVAU on packed windows; every output must equal
    running the two units one after the other (execute(keep=True) disables the fusion)."""
    from hwgen.core.flow import compile_model
    from hwgen.sim.executor import _fused_pairs, execute

    path, m = bnn_pynq("CNV_1W1A")
    hw = compile_model(path).stages["hardware"]
    assert len(_fused_pairs(hw)) >= 5  # the 8-bit first layer and the 64/128/256-channel binary convolutions
    x = np.random.default_rng(0).random((8, *m.input_shape), dtype=np.float32)
    fast = execute(hw, x)
    slow = execute(hw, x, keep=True)
    for t in hw.outputs:
        assert np.array_equal(fast[t], slow[t])
