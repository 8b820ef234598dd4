"""Bad input: one-line HwgenError naming the file/node/op and a way out, exit 2, no traceback."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from hwgen.core.errors import FrontendError, HwgenError, StreamlineError, UnsupportedOpError
from hwgen.core.flow import compile_model

Q = "qonnx.custom_op.general"


def _save(tmp_path, nodes, inits, in_shape=(1, 4), out="y", name="m.onnx", out_type=TensorProto.FLOAT):
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(in_shape))],
                          [helper.make_tensor_value_info(out, out_type, None)],
                          [numpy_helper.from_array(np.asarray(v), k) for k, v in inits.items()])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid(Q, 1)])
    p = tmp_path / name
    onnx.save(m, str(p))
    return p


def _bin_layer(prefix, x, w_shape, rng):
    """BipolarQuant(x) @ BipolarQuant(W): a valid binary layer."""
    nodes = [
        helper.make_node("BipolarQuant", [x, "one"], [f"{prefix}q"], domain=Q, name=f"{prefix}act"),
        helper.make_node("BipolarQuant", [f"{prefix}w", "one"], [f"{prefix}wq"], domain=Q, name=f"{prefix}wquant"),
        helper.make_node("MatMul", [f"{prefix}q", f"{prefix}wq"], [f"{prefix}mm"], name=f"{prefix}matmul"),
    ]
    return nodes, {f"{prefix}w": rng.standard_normal(w_shape).astype(np.float32)}


def cli(*args):
    return subprocess.run([sys.executable, "-m", "hwgen", *map(str, args)], capture_output=True, text=True)


def assert_one_line_error(res, *needles):
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    lines = [ln for ln in res.stderr.strip().splitlines() if ln.strip()]
    text = " ".join(lines)
    assert text.startswith("error:"), res.stderr
    for n in needles:
        assert n in text, (n, text)


def test_not_an_onnx_file(tmp_path):
    p = tmp_path / "notes.onnx"
    p.write_text("this is not a model")
    with pytest.raises(FrontendError, match="not a readable ONNX model"):
        compile_model(p)
    assert_one_line_error(cli("inspect", p), "notes.onnx", "re-export")


def test_truncated_file(tmp_path):
    rng = np.random.default_rng(0)
    nodes, inits = _bin_layer("a", "x", (4, 3), rng)
    good = _save(tmp_path, nodes, {**inits, "one": np.float32(1)}, out="amm")
    data = good.read_bytes()
    bad = tmp_path / "truncated.onnx"
    bad.write_bytes(data[: len(data) // 2])
    assert_one_line_error(cli("verify", bad, "--n", 4), "truncated.onnx")


def test_missing_file(tmp_path):
    assert_one_line_error(cli("inspect", tmp_path / "nope.onnx"), "nope.onnx", "no such file")


def test_unsupported_op(tmp_path):
    rng = np.random.default_rng(0)
    nodes = [helper.make_node("LSTM", ["x", "W", "R"], ["y"], name="my_lstm", hidden_size=2)]
    p = _save(tmp_path, nodes, {"W": rng.random((1, 8, 4), dtype=np.float32), "R": rng.random((1, 8, 2), dtype=np.float32)},
              in_shape=(3, 1, 4))
    with pytest.raises(UnsupportedOpError, match="my_lstm"):
        compile_model(p)
    assert_one_line_error(cli("inspect", p), "my_lstm", "LSTM", "unsupported operator")


def test_float_layer_where_quantizer_required(tmp_path):
    rng = np.random.default_rng(0)
    nodes = [
        helper.make_node("BipolarQuant", ["x", "one"], ["xq"], domain=Q, name="act"),
        helper.make_node("MatMul", ["xq", "w"], ["y"], name="float_fc"),
    ]
    p = _save(tmp_path, nodes, {"one": np.float32(1), "w": rng.standard_normal((4, 3)).astype(np.float32)})
    with pytest.raises(StreamlineError, match="float_fc.*not quantized"):
        compile_model(p)
    assert_one_line_error(cli("verify", p, "--n", 4), "float_fc", "quantized")


def test_non_monotone_chain(tmp_path):
    rng = np.random.default_rng(0)
    nodes, inits = _bin_layer("a", "x", (4, 3), rng)
    nodes += [
        helper.make_node("PRelu", ["amm", "slope"], ["p"], name="rprelu_negative"),
        helper.make_node("Sub", ["p", "shift"], ["s"], name="shift"),
        helper.make_node("BipolarQuant", ["s", "one"], ["sgn"], domain=Q, name="sign_out"),
    ]
    n2, i2 = _bin_layer("b", "sgn", (3, 2), rng)
    inits.update(i2, one=np.float32(1), slope=np.full((3,), -0.5, np.float32), shift=np.full((3,), 0.7, np.float32))
    p = _save(tmp_path, nodes + n2, inits, out="bmm")
    with pytest.raises(StreamlineError, match="not monotone"):
        compile_model(p)
    assert_one_line_error(cli("inspect", p), "not monotone", "slope >= 0")


def test_shape_that_cannot_be_inferred(tmp_path):
    rng = np.random.default_rng(0)
    nodes, inits = _bin_layer("a", "x", (4, 3), rng)
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", "features"])],
                          [helper.make_tensor_value_info("amm", TensorProto.FLOAT, None)],
                          [numpy_helper.from_array(v, k) for k, v in {**inits, "one": np.float32(1)}.items()])
    p = tmp_path / "dynamic.onnx"
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid(Q, 1)]), str(p))
    with pytest.raises(FrontendError, match="cannot infer the shape"):
        compile_model(p)
    assert_one_line_error(cli("inspect", p), "dynamic.onnx", "fixed input shape")


def test_zero_padded_bipolar_input_is_refused(tmp_path):
    rng = np.random.default_rng(0)
    nodes = [
        helper.make_node("BipolarQuant", ["x", "one"], ["xq"], domain=Q, name="act"),
        helper.make_node("BipolarQuant", ["w", "one"], ["wq"], domain=Q, name="wq"),
        helper.make_node("Conv", ["xq", "wq"], ["y"], name="zero_padded_conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
    ]
    p = _save(tmp_path, nodes, {"one": np.float32(1), "w": rng.standard_normal((2, 1, 3, 3)).astype(np.float32)},
              in_shape=(1, 1, 5, 5))
    with pytest.raises(StreamlineError, match="zero_padded_conv.*-1 or \\+1"):
        compile_model(p)


def test_unknown_board_and_existing_out_dir(tmp_path):
    rng = np.random.default_rng(0)
    nodes, inits = _bin_layer("a", "x", (4, 3), rng)
    p = _save(tmp_path, nodes, {**inits, "one": np.float32(1)}, out="amm")
    assert_one_line_error(cli("build", p, "--board", "nexys", "--out", tmp_path / "o"), "nexys", "pynq-z1", "zcu104")
    (tmp_path / "o").mkdir()
    assert_one_line_error(cli("build", p, "--out", tmp_path / "o"), "--force")
    assert not any(x.name.startswith(".o.") for x in tmp_path.iterdir())  # nothing half-written


def test_bad_simulate_input(tmp_path):
    rng = np.random.default_rng(0)
    nodes, inits = _bin_layer("a", "x", (4, 3), rng)
    p = _save(tmp_path, nodes, {**inits, "one": np.float32(1)}, out="amm")
    x = tmp_path / "x.npy"
    np.save(x, np.zeros((5, 7), np.float32))
    assert_one_line_error(cli("simulate", p, "--input", x), "x.npy", "(N, 4)")
    np.save(x, np.zeros((5, 4), np.float32))
    res = cli("simulate", p, "--input", x, "--out", tmp_path / "y.npy")
    assert res.returncode == 0, res.stderr
    assert np.load(tmp_path / "y.npy").shape == (5, 3)


def test_errors_are_hwgen_errors():
    assert issubclass(FrontendError, HwgenError) and issubclass(StreamlineError, HwgenError)
