"""Issue 11: comparisons fail on NaN/Inf, and verify/build share one verdict rule."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import edited, refused_one_line, run_cli
from onnx import numpy_helper

from hwgen.sim.verify import compare, verdict


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("side", ["ours", "ref", "both"])
def test_float_compare_fails_on_non_finite(bad, side):
    ref = np.zeros((4, 3), np.float32)
    ours = ref.copy()
    if side in ("ours", "both"):
        ours[1, 2] = bad
    if side in ("ref", "both"):
        ref[1, 2] = bad
    c = compare("float", "y", ours, ref)
    assert not c.passed and c.mismatches == 1 and c.nonfinite == 1


def test_all_nan_outputs_fail():
    """The issue's case: every output NaN on both sides showed PASS (err > tol is False for NaN)."""
    nan = np.full((8, 10), np.nan, np.float32)
    c = compare("hardware", "y", nan, nan.copy())
    assert not c.passed and c.mismatches == 8 and c.nonfinite == 8


def test_exact_compare_counts_and_passes_on_equal():
    a = np.arange(12).reshape(4, 3)
    assert compare("integer", "y", a, a.copy()).passed
    b = a.copy()
    b[2, 0] += 1
    c = compare("integer", "y", a, b)
    assert (c.kind, c.mismatches, c.passed) == ("exact", 1, False)


def test_shape_mismatch_fails():
    assert not compare("float", "y", np.zeros((4, 3)), np.zeros((4, 2))).passed


def _rows(bad_int, bad_hw, nonfinite=False):
    out = []
    for stage, bad in (("float", np.zeros(4, bool)), ("integer", bad_int), ("hardware", bad_hw)):
        ref = np.zeros((4, 2), np.float32)
        ours = ref.copy()
        ours[bad, 0] = np.nan if (nonfinite and stage != "float") else 1.0
        out.append(compare(stage, "y", ours, ref))
    return out


def test_ties_excused_only_with_inexact_layers_and_agreeing_exact_stages():
    bad = np.array([False, True, False, False])
    same = np.ones(4, bool)
    # no inexact layer: a mismatch fails
    assert not all(r.passed for r in verdict(_rows(bad, bad), (), {0: same}))
    # inexact layers and the exact stages agree on the sample: counted as a tie, passes
    rows = verdict(_rows(bad, bad), ("conv1",), {0: same})
    assert all(r.passed for r in rows) and [r.ties for r in rows] == [0, 1, 1]
    # exact stages disagree with each other: not a tie
    rows = verdict(_rows(bad, bad), ("conv1",), {0: ~bad})
    assert not all(r.passed for r in rows)
    # non-finite is never a tie
    rows = verdict(_rows(bad, bad, nonfinite=True), ("conv1",), {0: same})
    assert not all(r.passed for r in rows)


def _overflow_bn(m):
    """Last BatchNorm: gamma 3e38 with var 0 and a tiny epsilon overflow float32 on the host:
    every output is NaN/Inf although every constant is finite."""
    bns = [n for n in m.graph.node if n.op_type == "BatchNormalization"]
    n = bns[-1]
    inits = {t.name: t for t in m.graph.initializer}
    for i, v in ((1, 3e38), (4, 0.0)):
        a = numpy_helper.to_array(inits[n.input[i]])
        inits[n.input[i]].CopyFrom(numpy_helper.from_array(np.full(a.shape, v, a.dtype), n.input[i]))
    for a in n.attribute:
        if a.name == "epsilon":
            a.f = 1e-30


def test_verify_and_build_fail_on_nan_outputs(fuzz_seeds, tmp_path):
    p = edited(fuzz_seeds["mlp"], tmp_path / "nan_out.onnx", _overflow_bn)
    r = run_cli(["verify", str(p), "--n", "8"])
    assert r.code == 2 and "non-finite" in r.err and "Traceback" not in r.err, r.err
    assert len(r.err.strip().splitlines()) == 1
    line = refused_one_line(["build", str(p), "--out", str(tmp_path / "b"), "--verify-n", "8"])
    assert "non-finite" in line
    assert not (tmp_path / "b").exists()


def test_nan_inside_a_chain_is_refused(fuzz_seeds, tmp_path):
    """The same overflow before a quantizer: no exact threshold exists; streamlining refuses."""
    def first_bn(m):
        n = next(n for n in m.graph.node if n.op_type == "BatchNormalization")
        inits = {t.name: t for t in m.graph.initializer}
        for i, v in ((1, 3e38), (4, 0.0)):
            a = numpy_helper.to_array(inits[n.input[i]])
            inits[n.input[i]].CopyFrom(numpy_helper.from_array(np.full(a.shape, v, a.dtype), n.input[i]))
        for a in n.attribute:
            if a.name == "epsilon":
                a.f = 1e-30

    p = edited(fuzz_seeds["mlp"], tmp_path / "nan_chain.onnx", first_bn)
    line = refused_one_line(["verify", str(p), "--n", "4"])
    assert "NaN/Inf" in line


def test_verify_and_build_agree(fuzz_seeds, tmp_path):
    """One verdict rule and the same generated inputs: same n, same answer."""
    for name in ("mlp", "cnn"):
        p = fuzz_seeds[name]
        v = run_cli(["verify", str(p), "--n", "32"])
        b = run_cli(["build", str(p), "--out", str(tmp_path / name), "--verify-n", "32"])
        assert v.code == b.code == 0, (v.err, b.err)


def test_driver_refuses_non_finite_host_parameters(tfc_hw, tmp_path):
    """host_params.npz never carries NaN/Inf, even when a graph built in code has them."""
    from hwgen.backends.board import host_program
    from hwgen.backends.hls.design import build_design
    from hwgen.core.errors import CodegenError

    host = next(n for n in reversed(tfc_hw.nodes) if n.attrs.get("host") and n.params)
    k, v = next(iter(host.params.items()))
    bad = np.array(v, np.float32, copy=True)
    bad.reshape(-1)[0] = np.nan
    g = tfc_hw.replace_node(host, [host.with_params(**{k: bad})])
    with pytest.raises(CodegenError, match="NaN/Inf"):
        host_program(g, build_design(tfc_hw))
