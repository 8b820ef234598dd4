"""Every zoo model hwgen can compile: export -> compile -> every stage equals execute_onnx and
PyTorch's labels, branching models (residual adds, concats, average pools) included."""

from __future__ import annotations

import models
import numpy as np
import pytest
import torch

from hwgen import zoo
from hwgen.core.flow import compile_model
from hwgen.frontend.reference import Reference
from hwgen.sim.executor import simulate
from hwgen.sim.verify import compare

COMPILABLE = [("tfc", None), ("tfc", "xnor"), ("tfc", "irnet"), ("tfc", "recu"), ("tfc", "reactnet"),
              ("tfc", "bireal"), ("digits-mlp", None), ("sfc", None), ("cnv", None),
              ("plain-cnn", None), ("bireal-cnn", None), ("reactnet-cnn", None), ("densenet-cnn", None)]


def _export(name, method, tmp_path):
    torch.manual_seed(0)
    m = models.randomize_bn(zoo.build(name, method), seed=3)
    m.train()
    m(torch.rand(2, *m.input_shape) * 2 - 1)  # Brevitas initialises some scales on first use
    m.eval()
    return m, zoo.export(m, tmp_path / f"{name}_{method}.onnx")


@pytest.mark.parametrize("name,method", COMPILABLE)
def test_zoo_export_compiles_exactly(name, method, tmp_path):
    m, path = _export(name, method, tmp_path)
    x = np.random.default_rng(1).random((200, *m.input_shape), dtype=np.float32) * 2 - 1
    st = compile_model(path)
    ref = Reference(path)(x)
    for stage, g in st.stages.items():
        (out,) = simulate(g, x)
        c = compare(stage, "out", out, ref[0])
        assert c.passed, c  # integer outputs: ==; float logits: rtol 1e-5
        assert c.label_agreement == 1.0
    with torch.no_grad():
        pt = m(torch.from_numpy(x)).numpy()
    assert np.array_equal(pt.argmax(1), ref[0].argmax(1))


@pytest.mark.parametrize("name,units", [("bireal-cnn", {"AddStreams", "DuplicateStreams"}),
                                        ("reactnet-cnn", {"AveragePool", "GlobalAveragePool", "StreamingConcat"}),
                                        ("densenet-cnn", {"StreamingConcat", "DuplicateStreams"})])
def test_branching_zoo_models_lower_to_branch_units(name, units, tmp_path):
    _, path = _export(name, None, tmp_path)
    ops = {n.op for n in compile_model(path).stages["hardware"].nodes}
    assert units <= ops, ops
