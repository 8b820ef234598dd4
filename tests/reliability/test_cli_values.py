"""Issue 11: every CLI number and input file is checked before work starts, in one line (exit 2)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import refused_one_line, run_cli


@pytest.mark.parametrize("args,words", [
    (["build", "M", "--budget", "0"], ["--budget"]),
    (["build", "M", "--budget", "1.5"], ["--budget"]),
    (["build", "M", "--budget", "inf"], ["--budget", "not finite"]),
    (["build", "M", "--budget", "nan"], ["--budget", "not finite"]),
    (["build", "M", "--target-fps", "0"], ["--target-fps"]),
    (["build", "M", "--target-fps", "-5"], ["--target-fps"]),
    (["build", "M", "--target-fps", "nan"], ["--target-fps"]),
    (["build", "M", "--csim", "-1"], ["--csim"]),
    (["build", "M", "--csim", "1000000000"], ["--csim"]),
    (["build", "M", "--verify-n", "-1"], ["--verify-n"]),
    (["verify", "M", "--n", "0"], ["--n"]),
    (["verify", "M", "--n", "-3"], ["--n"]),
    (["estimate", "M", "--budget", "0"], ["--budget"]),
    (["estimate", "M", "--target-fps", "inf"], ["--target-fps"]),
])
def test_bad_numbers_refused_before_work(args, words, fuzz_seeds, tmp_path):
    args = [str(fuzz_seeds["mlp"]) if a == "M" else a for a in args]
    line = refused_one_line(args + (["--out", str(tmp_path / "o")] if args[0] == "build" else []))
    for w in words:
        assert w in line
    assert not (tmp_path / "o").exists()


def test_simulate_out_must_be_a_file(fuzz_seeds, tmp_path):
    x = tmp_path / "x.npy"
    np.save(x, np.zeros((2, 1, 28, 28), np.float32))
    line = refused_one_line(["simulate", str(fuzz_seeds["mlp"]), "--input", str(x), "--out", str(tmp_path)])
    assert "--out" in line
    assert not (tmp_path.parent / f"{tmp_path.name}.npy").exists()


@pytest.mark.parametrize("bad", ["nan", "inf", "complex", "object"])
def test_bad_input_values_refused(bad, fuzz_seeds, tmp_path):
    x = np.zeros((3, 1, 28, 28), np.float32)
    if bad == "nan":
        x[1, 0, 3, 3] = np.nan
    elif bad == "inf":
        x[2, 0, 0, 0] = -np.inf
    elif bad == "complex":
        x = x.astype(np.complex64)
    p = tmp_path / "x.npy"
    if bad == "object":
        np.save(p, np.array([{"a": 1}] * 3, dtype=object), allow_pickle=True)
    else:
        np.save(p, x)
    line = refused_one_line(["verify", str(fuzz_seeds["mlp"]), "--input", str(p)])
    assert "x.npy" in line


@pytest.mark.parametrize("shape", [(3, 2), (5,), (2,)])
def test_labels_of_the_wrong_shape_refused(shape, fuzz_seeds, tmp_path):
    x = np.random.default_rng(0).random((3, 1, 28, 28), dtype=np.float32)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", np.zeros(shape, np.int64))
    line = refused_one_line(["verify", str(fuzz_seeds["mlp"]), "--input", str(tmp_path / "x.npy"),
                             "--labels", str(tmp_path / "y.npy")])
    assert "y.npy" in line and "label" in line


def test_verify_compares_every_user_input(fuzz_seeds, tmp_path):
    """10,000 rows: all compared (not the first 1,000), and the table says how many."""
    rng = np.random.default_rng(1)
    x = rng.random((10_000, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, 10_000)
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", y)
    r = run_cli(["verify", str(fuzz_seeds["mlp"]), "--input", str(tmp_path / "x.npy"),
                 "--labels", str(tmp_path / "y.npy")])
    assert r.code == 0, r.err
    assert "10000 from x.npy" in r.out and "accuracy on 10000 inputs" in r.out
    r = run_cli(["verify", str(fuzz_seeds["mlp"]), "--input", str(tmp_path / "x.npy"), "--n", "50",
                 "--labels", str(tmp_path / "y.npy")])
    assert r.code == 0 and "50 from x.npy" in r.out and "accuracy on 50 inputs" in r.out, r.err


def test_usage_errors_are_one_line(fuzz_seeds):
    line = refused_one_line(["build", str(fuzz_seeds["mlp"]), "--no-such-option"])
    assert "--no-such-option" in line
