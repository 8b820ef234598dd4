"""Branching networks (issue 9), asserted with ==: a FINN-style residual block, a DenseNet-style
concat of sign outputs and a ReActNet reduction block compile so that every stage equals qonnx's
execute_onnx; a float branch added to a quantized one, and scales whose float sum rounds, are
refused in one line."""

from __future__ import annotations

import models
import numpy as np
import pytest
from models import rand_inputs

from hwgen.core.errors import HwgenError, StreamlineError
from hwgen.core.flow import compile_model
from hwgen.frontend.reference import Reference
from hwgen.sim.executor import simulate

N = 500

BLOCKS = {
    "resnet_block": (lambda: models.randomize_bn(models.ResNetBlock(), seed=11),
                     ["AddStreams", "DuplicateStreams"]),
    "dense_block": (lambda: models.randomize_bn(models.DenseBlock(), seed=12),
                    ["StreamingConcat", "DuplicateStreams"]),
    "reactnet_reduction": (lambda: models.randomize_bn(models.ReActNetReduction(), seed=13, negative=0.0),
                           ["AveragePool", "AddStreams", "StreamingConcat", "GlobalAveragePool",
                            "DuplicateStreams"]),
}


def _inputs(shape, n: int, seed: int) -> np.ndarray:
    """Uniform inputs plus the input quantizer's extremes (every code of -1..1 - 2^-7 reachable)."""
    x = rand_inputs(shape, n, seed)
    x[:8] = np.linspace(0.0, 1.0, 8, dtype=np.float32)[:, None, None, None]
    return x


def _assert_stages_equal(path, x, torch_model):
    st = compile_model(path)
    ref = Reference(path)(x)
    for stage, g in st.stages.items():
        for o, r in zip(simulate(g, x), ref):
            assert np.all(np.isfinite(o)) and np.array_equal(o.reshape(r.shape), r), stage
    pt = models.torch_forward(torch_model, x)
    assert np.array_equal(pt.argmax(1), ref[0].argmax(1))
    return st


@pytest.mark.parametrize("case", sorted(BLOCKS))
def test_branching_block_exact(export_model, case):
    build, units = BLOCKS[case]
    path, m = export_model(case, build)
    st = _assert_stages_equal(path, _inputs(m.input_shape, N, sorted(BLOCKS).index(case)), m)
    ops = {n.op for n in st.stages["hardware"].nodes}
    assert set(units) <= ops, ops
    # every stream has one reader: forks are explicit units
    hw = st.stages["hardware"]
    for t in hw.tensors:
        assert len([c for c in hw.consumers(t) if not c.attrs.get("host")]) <= 1, t


def test_resnet_shortcut_add_is_integer(export_model):
    path, _ = export_model("resnet_block", BLOCKS["resnet_block"][0])
    integer = compile_model(path).stages["integer"]
    add = next(n for n in integer.nodes if n.op == "IntAdd")
    assert add.attrs["shifts"] == (0, 0)  # one shared quantizer: equal scales, no shift
    assert integer.tensors[add.outputs[0]].dtype.is_integer


def test_float_branch_added_to_shortcut_is_refused(export_model):
    path, _ = export_model("float_shortcut", lambda: models.randomize_bn(models.FloatShortcut(), seed=14))
    with pytest.raises(StreamlineError) as e:
        compile_model(path)
    msg = str(e.value)
    assert "\n" not in msg and "/Add" in msg and "shortcut's quantizer" in msg


def test_rounding_scales_are_refused(export_model):
    path, _ = export_model("rounding_scales", lambda: models.randomize_bn(models.RoundingScales(), seed=15))
    with pytest.raises(HwgenError) as e:
        compile_model(path)
    assert "rounds" in str(e.value) and "/Add" in str(e.value)
