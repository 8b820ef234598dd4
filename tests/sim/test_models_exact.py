"""Exactness, asserted with ==: every stage's simulation equals qonnx's execute_onnx on the
original QONNX model (and PyTorch) for 1000 inputs per model."""

from __future__ import annotations

import models
import numpy as np
import pytest
from models import rand_inputs

from hwgen.core.flow import compile_model
from hwgen.frontend.reference import Reference
from hwgen.sim.executor import simulate

N = 1000

CASES = {
    "mlp": lambda: models.randomize_bn(models.BinaryMLP()),
    "cnn_argmax": lambda: models.randomize_bn(models.BinaryCNN(argmax=True), seed=2),
    "cnn_logits": lambda: models.randomize_bn(models.BinaryCNN(argmax=False), seed=3),
    "pool_before_sign": lambda: models.randomize_bn(models.PoolBeforeSign(), seed=4, negative=0.5),
}


def assert_stages_equal(path, x, torch_model=None):
    st = compile_model(path)
    ref = Reference(path)(x)
    for stage, g in st.stages.items():
        outs = simulate(g, x)
        for o, r in zip(outs, ref):
            if np.issubdtype(r.dtype, np.integer):
                assert np.array_equal(o.reshape(r.shape), r), stage  # labels: exact
            else:
                # float logits: the host evaluates the same float32 ops; must be bit-identical here
                assert np.array_equal(o, r), (stage, np.abs(o - r).max())
    if torch_model is not None:
        pt = models.torch_forward(torch_model, x)
        if np.issubdtype(pt.dtype, np.integer):
            assert np.array_equal(pt, ref[0])
        else:
            assert np.array_equal(pt.argmax(1), ref[0].argmax(1))  # PyTorch float path: labels
    return st


@pytest.mark.parametrize("case", sorted(CASES))
def test_brevitas_model_exact(export_model, case):
    path, m = export_model(case, CASES[case])
    x = rand_inputs(m.input_shape, N, seed=sorted(CASES).index(case))
    st = assert_stages_equal(path, x, m)
    hw = st.stages["hardware"]
    assert any(n.op == "MVAU" for n in hw.nodes)


def test_cnn_exercises_every_feature(export_model):
    path, m = export_model("cnn_argmax", CASES["cnn_argmax"])
    st = compile_model(path)
    hw = st.stages["hardware"]
    ops = [n.op for n in hw.nodes if not n.attrs.get("host")]
    assert ops == ["SlidingWindow", "MVAU", "SlidingWindow", "MVAU", "StreamingMaxPool", "SlidingWindow",
                   "MVAU", "SlidingWindow", "MVAU", "MVAU", "LabelSelect"]
    swu = [n for n in hw.nodes if n.op == "SlidingWindow"]
    assert swu[1].attrs["pads"] == (1, 1, 1, 1) and swu[1].attrs["pad_value"] == 0  # -1 -> bit 0
    assert swu[1].attrs["stride"] == (2, 2)
    mv = [n for n in hw.nodes if n.op == "MVAU"]
    assert mv[0].attrs["mode"] == "int" and mv[0].attrs["idt"] == "int8"  # 8-bit input x binary weights
    assert mv[2].attrs["odt"] == "int2" and mv[2].params["thresholds"].shape[1] == 2  # 2-bit activation
    assert mv[3].attrs["idt"] == "int2"
    # negative gammas were flipped into the weights: thresholds stay ">=" in hardware
    integer = st.stages["integer"]
    assert any(n.op == "MultiThreshold" for n in integer.nodes)


def test_pool_inside_chain_becomes_min_pool_on_flipped_channels(export_model):
    path, _ = export_model("pool_before_sign", CASES["pool_before_sign"])
    hw = compile_model(path).stages["hardware"]
    pool = next(n for n in hw.nodes if n.op == "StreamingMaxPool")
    assert "min_mask" in pool.params and pool.params["min_mask"].any()


def test_dynamo_export_path(export_model):
    path, m = export_model("mlp_dynamo", lambda: models.randomize_bn(models.BinaryMLP(), seed=5), dynamo=True)
    assert path.with_name(path.name + ".data").exists() or path.exists()
    assert_stages_equal(path, rand_inputs(m.input_shape, N, seed=7), m)


@pytest.mark.parametrize("name", ["TFC_1W1A", "CNV_1W1A"])
def test_bnn_pynq_models_exact(bnn_pynq, name):
    path, m = bnn_pynq(name)
    x = rand_inputs(m.input_shape, N, seed=11)
    assert_stages_equal(path, x, m)


@pytest.mark.parametrize("name", ["CNV_2W2A", "LFC_1W2A"])
def test_multibit_bnn_pynq_models_exact(bnn_pynq, name):
    """2-bit activations (and 2-bit weights on CNV): the integer x integer MVAU mode."""
    path, m = bnn_pynq(name)
    st = assert_stages_equal(path, rand_inputs(m.input_shape, 300, seed=12), m)
    modes = {(n.attrs["mode"], n.attrs["idt"], n.attrs["wdt"]) for n in st.stages["hardware"].nodes if n.op == "MVAU"}
    assert ("int", "int2", "int2" if name == "CNV_2W2A" else "binary") in modes


def test_topk_after_tensornorm_runs_in_hardware(bnn_pynq, tmp_path):
    """FINN-style TopK appended to TFC: the scalar affine before it is increasing, so the class
    selection becomes a LabelSelect on the integer accumulators, equal to execute_onnx."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    path, m = bnn_pynq("TFC_1W1A")
    model = onnx.load(str(path))
    g = model.graph
    g.initializer.append(numpy_helper.from_array(np.array([3], np.int64), "k3"))
    g.node.append(helper.make_node("TopK", [g.output[0].name, "k3"], ["vals", "idx"], name="top3", axis=-1))
    del g.output[:]
    g.output.append(helper.make_tensor_value_info("idx", TensorProto.INT64, [1, 3]))
    p = tmp_path / "tfc_top3.onnx"
    onnx.save(model, str(p))
    st = assert_stages_equal(p, rand_inputs(m.input_shape, N, seed=21))
    assert st.stages["hardware"].nodes[-1].op == "LabelSelect"
