"""Issue 11: out-of-domain values and malformed graphs are refused at load, in one line that names
the file, the node and the value; nothing reaches qonnx/onnxruntime unchecked."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from helpers import edited, refused_one_line, run_cli
from onnx import helper, numpy_helper

from hwgen.core.errors import FrontendError
from hwgen.frontend import load


def _node(m, op, k=0):
    return [n for n in m.graph.node if n.op_type == op][k]


def _init(m, name):
    return next(t for t in m.graph.initializer if t.name == name)


def _set(m, name, fn):
    t = _init(m, name)
    a = numpy_helper.to_array(t).copy()
    t.CopyFrom(numpy_helper.from_array(np.asarray(fn(a), a.dtype), name))


def _bn_input(i, value):
    def edit(m):
        n = _node(m, "BatchNormalization")
        _set(m, n.input[i], lambda a: np.where(np.arange(a.size).reshape(a.shape) == 0, value, a))
    return edit


def _quant_input(i, value, k=1):
    def edit(m):
        n = _node(m, "Quant", k)
        _set(m, n.input[i], lambda a: np.full(a.shape, value))
    return edit


def _quant_attr(name, value, k=1):
    def edit(m):
        n = _node(m, "Quant", k)
        for a in list(n.attribute):
            if a.name == name:
                n.attribute.remove(a)
        n.attribute.append(helper.make_attribute(name, value))
    return edit


def _weights_nan(m):
    name = next(t.name for t in m.graph.initializer if t.name == "fc1.weight")
    _set(m, name, lambda a: np.where(np.arange(a.size).reshape(a.shape) == 3, np.nan, a))


def _bn_eps(value):
    def edit(m):
        n = _node(m, "BatchNormalization")
        for a in n.attribute:
            if a.name == "epsilon":
                a.f = value
    return edit


def _two_producers(m):
    dup = onnx.NodeProto()
    dup.CopyFrom(_node(m, "BatchNormalization"))
    dup.name = "dup"
    m.graph.node.append(dup)


def _no_outputs(m):
    del m.graph.output[:]


def _perm(perm):
    def edit(m):
        n = _node(m, "Transpose")
        n.attribute[0].CopyFrom(helper.make_attribute("perm", perm))
    return edit


def _drop_quant_attrs(m):
    del _node(m, "Quant", 1).attribute[:]


CASES = {
    # (seed, edit, words the one line must contain)
    "bn_mean_nan": ("qmlp", _bn_input(3, np.nan), ["BatchNorm", "NaN/Inf"]),
    "bn_var_inf": ("qmlp", _bn_input(4, np.inf), ["NaN/Inf"]),
    "bn_gamma_nan": ("qmlp", _bn_input(1, np.nan), ["NaN/Inf"]),
    "bn_beta_ninf": ("qmlp", _bn_input(2, -np.inf), ["NaN/Inf"]),
    "bn_var_negative": ("qmlp", _bn_input(4, -1.0), ["BatchNormalization", "variance", "negative"]),
    "bn_eps_nan": ("qmlp", _bn_eps(float("nan")), ["epsilon"]),
    "bn_eps_zero": ("qmlp", _bn_eps(0.0), ["epsilon", "> 0"]),
    "weights_nan": ("qmlp", _weights_nan, ["NaN/Inf"]),
    "scale_nan": ("qmlp", _quant_input(1, np.nan), ["NaN/Inf"]),
    "scale_zero": ("qmlp", _quant_input(1, 0.0), ["Quant", "scale", "> 0"]),
    "scale_negative": ("qmlp", _quant_input(1, -0.5), ["scale", "> 0"]),
    "zeropt_inf": ("qmlp", _quant_input(2, np.inf), ["NaN/Inf"]),
    "bits_nan": ("qmlp", _quant_input(3, np.nan), ["NaN/Inf"]),
    "bits_zero": ("qmlp", _quant_input(3, 0.0), ["bit width", "1..32"]),
    "bits_fraction": ("qmlp", _quant_input(3, 2.5), ["bit width"]),
    "bits_33": ("qmlp", _quant_input(3, 33.0), ["bit width"]),
    "signed_2": ("qmlp", _quant_attr("signed", 2), ["signed", "0 or 1"]),
    "narrow_minus1": ("qmlp", _quant_attr("narrow", -1), ["narrow", "0 or 1"]),
    "rounding_bogus": ("qmlp", _quant_attr("rounding_mode", "BOGUS"), ["rounding_mode", "BOGUS"]),
    "rounding_not_utf8": ("qmlp", _quant_attr("rounding_mode", b"\xff\xfe"), ["rounding_mode", "UTF-8"]),
    "quant_without_attributes": ("qmlp", _drop_quant_attrs, ["attribute signed is missing"]),
    "two_producers": ("qmlp", _two_producers, ["one producer"]),
    "no_outputs": ("qmlp", _no_outputs, ["no outputs"]),
    "perm_not_permutation": ("mlp", _perm([0, 0]), ["perm", "not a permutation"]),
    "perm_wrong_rank": ("mlp", _perm([0, 2, 1]), ["perm"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_out_of_domain_refused_in_one_line(case, fuzz_seeds, tmp_path):
    seed, edit, words = CASES[case]
    path = edited(fuzz_seeds[seed], tmp_path / f"{case}.onnx", edit)
    with pytest.raises(FrontendError) as e:
        load(path)
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith(f"{case}.onnx: ")
    for w in words:
        assert w in msg, msg
    for cmd in (["verify", str(path), "--n", "4"], ["build", str(path), "--flow", "estimate",
                                                     "--out", str(tmp_path / "out")]):
        line = refused_one_line(cmd)
        assert f"{case}.onnx" in line
    assert not (tmp_path / "out").exists()


def test_unmodified_seed_loads(fuzz_seeds):
    """The control: the edits above are what makes the models fail."""
    for path in fuzz_seeds.values():
        assert load(path).nodes


@pytest.mark.parametrize("where", [0.1, 0.5, 0.9])
def test_byte_corruption_is_one_line(fuzz_seeds, tmp_path, where):
    data = bytearray(fuzz_seeds["mlp"].read_bytes())
    i = int(len(data) * where)
    data[i : i + 8] = b"\xff\xfe\x80\x81\xc3\x28\xa0\xa1"  # invalid UTF-8 inside a string field, or junk
    p = tmp_path / "flip.onnx"
    p.write_bytes(bytes(data))
    r = run_cli(["verify", str(p), "--n", "4"])
    assert r.code in (0, 2) and "Traceback" not in r.err, r.err[-2000:]
    if r.code == 2:
        assert len(r.err.strip().splitlines()) == 1


def test_truncated_file_is_one_line(fuzz_seeds, tmp_path):
    p = tmp_path / "cut.onnx"
    p.write_bytes(fuzz_seeds["mlp"].read_bytes()[:1000])
    line = refused_one_line(["verify", str(p)])
    assert "cut.onnx" in line


def test_reference_failure_names_the_node(fuzz_seeds, tmp_path):
    """A graph hwgen accepts but qonnx's executor cannot run: one line naming the node."""
    from hwgen.frontend.reference import Reference

    ref = Reference(fuzz_seeds["mlp"])
    n = next(n for n in ref.model.graph.node if n.op_type == "BatchNormalization")
    for a in n.attribute:
        if a.name == "epsilon":
            a.f = -1.0  # past the validator (edited after loading): onnxruntime must fail or NaN
    n.op_type = "NoSuchOp"
    with pytest.raises(FrontendError) as e:
        ref(np.zeros((1, 1, 28, 28), np.float32))
    msg = str(e.value)
    assert "\n" not in msg and repr(n.name) in msg and "NoSuchOp" in msg


def test_corrupted_name_is_one_line(fuzz_seeds, tmp_path):
    """Fuzz find (#1152): a flipped byte in a node name; protobuf returns it as bytes and the
    node naming pass raised UnicodeDecodeError."""
    data = fuzz_seeds["qmlp"].read_bytes()
    assert b"/fc1/MatMul" in data
    p = tmp_path / "name.onnx"
    p.write_bytes(data.replace(b"/fc1/MatMul", b"/fc1\xafMatMul"))
    line = refused_one_line(["verify", str(p)])
    assert "name.onnx" in line and "not UTF-8" in line
