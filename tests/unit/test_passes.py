"""Each pass, simulated before and after it: outputs must be equal (== for integers)."""

from __future__ import annotations

import models
import numpy as np
import pytest
from models import rand_inputs

from hwgen.core.ir import verify
from hwgen.frontend import load
from hwgen.frontend.reference import Reference
from hwgen.passes.chain import Source, fold_chain
from hwgen.passes.lower import lower, popcount_thresholds
from hwgen.passes.streamline import absorb_flatten_order, bypass_identities, merge_pads, streamline
from hwgen.sim.executor import execute, simulate

BUILDERS = {
    "mlp": lambda: models.randomize_bn(models.BinaryMLP()),
    "cnn_logits": lambda: models.randomize_bn(models.BinaryCNN(argmax=False), seed=3),
}


def _same(a, b):
    for x, y in zip(a, b):
        assert np.array_equal(x, y)


@pytest.fixture(params=sorted(BUILDERS))
def model(request, export_model):
    path, m = export_model(request.param, BUILDERS[request.param])
    return path, rand_inputs(m.input_shape, 300, seed=5)


def test_frontend_equals_reference(model):
    path, x = model
    _same(simulate(load(path), x), Reference(path)(x))


def test_each_streamline_subpass_preserves_outputs(model):
    path, x = model
    g0 = load(path)
    before = simulate(g0, x)
    g1 = verify(bypass_identities(g0))
    _same(before, simulate(g1, x))
    g2 = verify(merge_pads(g1))
    _same(before, simulate(g2, x))
    g3 = streamline(g0)
    _same(before, simulate(g3, x))
    assert all(n.op not in ("BatchNorm", "Conv", "MatMul", "BipolarQuant") or n.attrs.get("host") for n in g3.nodes)


def test_lower_preserves_outputs_and_every_accumulator(model):
    path, x = model
    gi = streamline(load(path))
    gh = lower(gi)
    _same(simulate(gi, x), simulate(gh, x))
    # the accumulators of no-activation layers are the same integers in both graphs
    ei, eh = execute(gi, x, keep=True), execute(gh, x, keep=True)
    shared = [t for t in ei if t.endswith("_acc") and t in eh]
    assert shared
    for t in shared:
        assert np.array_equal(ei[t].reshape(eh[t].shape), eh[t])


def test_absorb_flatten_order_permutes_weights(export_model):
    path, m = export_model("cnn_logits", BUILDERS["cnn_logits"])
    x = rand_inputs(m.input_shape, 200, seed=9)
    from hwgen.passes.streamline import _Streamliner

    g = _Streamliner(merge_pads(bypass_identities(load(path)))).run()
    flat = [n for n in g.nodes if n.op == "Flatten"]
    assert flat and flat[0].attrs["channels_first"]
    g2 = absorb_flatten_order(g)
    assert not any(n.attrs.get("channels_first") for n in g2.nodes if n.op == "Flatten")
    _same(simulate(g, x), simulate(g2, x))


def test_popcount_thresholds_match_accumulator_thresholds():
    k = 7
    acc = np.arange(-k, k + 1, 2)  # reachable +-1 sums
    pop = (acc + k) // 2
    for t in range(-k - 2, k + 3):
        assert np.array_equal(acc >= t, pop >= popcount_thresholds(np.array(t), k))


def test_fold_chain_flips_decreasing_channels_and_counts_levels():
    from hwgen.core.ir import Node

    src = Source(np.array([-4, -4]), np.array([4, 4]), np.array([1.0, 1.0]), np.array([0.0, 0.0]))
    mul = Node("Mul", "m", ("a",), ("b",), {"const_first": False}, {"value": np.array([2.0, -1.0], np.float32)})
    q = Node("Quant", "q", ("b",), ("c",), {"bits": 2, "signed": True, "narrow": True, "rounding_mode": "ROUND"},
             {"scale": np.float32(1.0), "zeropt": np.float32(0.0)})
    f = fold_chain(src, [mul], None, q, can_flip=True, where="test")
    assert list(f.flipped) == [False, True]
    assert (f.out_base, f.out_step) == (-1, 1)
    for c in range(2):
        for v in range(-4, 5):
            expected = np.clip(np.round(v * [2.0, -1.0][c]), -1, 1)
            a = -v if f.flipped[c] else v
            got = f.out_base + f.out_step * int(np.sum(a >= f.thresholds[c]))
            assert got == expected


def test_streamline_flags_layers_whose_reference_rounds(export_model):
    """Power-of-two scales make the float reference exact; others are flagged for verify's note."""
    from hwgen.core.flow import compile_model

    path, _ = export_model("mlp", BUILDERS["mlp"])
    assert compile_model(path).stages["integer"].meta["inexact_scales"] == ()
    path, _ = export_model("cnn_logits", BUILDERS["cnn_logits"])  # XNOR-Net per-channel mean|W| scales
    flagged = compile_model(path).stages["integer"].meta["inexact_scales"]
    assert flagged and all("Conv" in name for name in flagged)
