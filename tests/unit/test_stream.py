"""Streaming simulation for the CLI: memory-mapped .npy inputs, outputs written chunk by chunk,
equal (==) to the in-memory simulation; malformed files are one-line user errors."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from hwgen.sim.executor import auto_batch, sample_bytes, simulate
from hwgen.sim.stream import NpyInput, npy_path, simulate_to_file


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8])
def test_streamed_outputs_equal_in_memory_simulation(tfc_hw, tmp_path, dtype):
    rng = np.random.default_rng(0)
    x = rng.random((37, 1, 28, 28)) if dtype != np.uint8 else rng.integers(0, 2, (37, 1, 28, 28))
    x = x.astype(dtype)
    np.save(tmp_path / "x.npy", x)
    src = NpyInput(tmp_path / "x.npy")
    assert not src.array.flags.owndata and not src.array.flags.writeable  # a read-only view of the map
    out = simulate_to_file(tfc_hw, src.array, tmp_path / "y", source=src, batch=8)  # 5 chunks, last partial
    assert out == tmp_path / "y.npy"
    want = simulate(tfc_hw, x.astype(np.float32))[0]
    got = np.load(out)
    assert got.dtype == want.dtype and np.array_equal(got, want)
    assert np.array_equal(src.array, x)  # released pages read back the same values


def test_npy_input_rejects_malformed_files(tmp_path):
    p = tmp_path / "x.npy"
    np.save(p, np.asfortranarray(np.zeros((3, 4), np.float32)))
    with pytest.raises(ValueError, match="Fortran"):
        NpyInput(p)
    np.save(p, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="objects"):
        NpyInput(p)
    np.save(p, np.zeros((10, 4), np.float32))
    p.write_bytes(p.read_bytes()[:-8])  # truncated
    with pytest.raises(ValueError, match="shorter"):
        NpyInput(p)
    p.write_text("not an array")
    with pytest.raises(ValueError):
        NpyInput(p)


def test_npy_path_matches_np_save():
    assert str(npy_path("out")) == "out.npy" and str(npy_path("a/b.npy")) == "a/b.npy"


def test_batches_bounded_by_working_memory(cnv_hw):
    """The automatic batch keeps the estimated working set within the budget."""
    per = sample_bytes(cnv_hw)
    b = auto_batch(cnv_hw, budget=64 << 20)
    assert per > 0 and 1 <= b and b * per <= 64 << 20
    assert auto_batch(cnv_hw, budget=1) == 1


def test_cli_simulate_streams_file_and_reports_bad_input(tfc_hw, bnn_pynq, tmp_path):
    path, _ = bnn_pynq("TFC_1W1A")
    x = np.random.default_rng(1).random((700, 1, 28, 28), dtype=np.float32)
    np.save(tmp_path / "x.npy", x)
    run = [sys.executable, "-m", "hwgen", "simulate", str(path), "--input", str(tmp_path / "x.npy")]
    res = subprocess.run([*run, "--out", str(tmp_path / "y.npy")], capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
    assert np.array_equal(np.load(tmp_path / "y.npy"), simulate(tfc_hw, x)[0])
    # a path without .npy/.npz is refused (np.save would silently write y.npy beside it)
    res = subprocess.run([*run, "--out", str(tmp_path / "y")], capture_output=True, text=True, check=False)
    assert res.returncode == 2 and "must be a file path ending in .npy or .npz" in res.stderr
    (tmp_path / "x.npy").write_text("junk")
    res = subprocess.run(run, capture_output=True, text=True, check=False)
    assert res.returncode == 2 and "Traceback" not in res.stderr and "x.npy" in res.stderr


def test_several_outputs_go_to_one_npz_named_like_the_out_path(tfc_hw, tmp_path):
    import dataclasses

    # the same graph with its hidden tensor exposed as a second output
    g = dataclasses.replace(tfc_hw, outputs=[*tfc_hw.outputs, tfc_hw.nodes[0].outputs[0]])
    x = np.random.default_rng(1).integers(0, 2, (5, 1, 28, 28)).astype(np.float32)
    out = simulate_to_file(g, x, tmp_path / "y.npy")
    assert out == tmp_path / "y.npz" and not (tmp_path / "y.npy.npz").exists()
    with np.load(out) as z:
        want = simulate(g, x)
        assert sorted(z.files) == sorted(g.outputs)
        assert all(np.array_equal(z[k], w) for k, w in zip(g.outputs, want))
