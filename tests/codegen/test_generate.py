"""Generated-text checks, the flow steps, and errors raised before anything is written."""

from __future__ import annotations

import numpy as np
import pytest
from codegen_helpers import fold, needs_cxx

from hwgen.backends.hls.codegen import generate
from hwgen.core.boards import load_board
from hwgen.core.errors import CodegenError, HwgenError
from hwgen.units.hls_pack import cname, pack_words


def test_cname_keeps_onnx_names_readable():
    assert cname("/features.2/MatMul") == "features_2_MatMul"
    assert cname("/conv_features.1/Conv_swu") == "conv_features_1_Conv_swu"
    assert cname("0/weird..name") == "n0_weird_name"


def test_pack_words_little_endian_twos_complement():
    # element i at bits [i*B, (i+1)*B): 3-bit elements -1, 2, 1 -> 0b001_010_111
    assert pack_words(np.array([[-1, 2, 1]]), 3)[0, 0] == 0b001010111
    wide = pack_words(np.ones((1, 65), np.int64), 1)
    assert wide.shape == (1, 2) and wide[0, 0] == np.uint64(2**64 - 1) and wide[0, 1] == 1


def test_generated_files_and_layer_order(tfc_graph, tmp_path):
    g = fold(tfc_graph, [(16, 49), (8, 16), (64, 64), (5, 2)])
    generate(g, load_board("pynq-z1"), tmp_path)
    hls = tmp_path / "hls"
    for f in ("top.cpp", "top.hpp", "params.hpp", "tb.cpp", "build.sh", "lib/hwgen.hpp", "lib/mvau.hpp"):
        assert (hls / f).is_file(), f
    assert "Vitis HLS" in (tmp_path / "README.md").read_text()
    top = (hls / "top.cpp").read_text()
    assert top.count("#pragma HLS DATAFLOW") == 1
    units = [n for n in g.nodes if n.op == "MVAU"]
    assert top.count("hwgen::mvau<") == len(units)
    positions = [top.index(f"{cname(n.name)}_weights") for n in units]
    assert positions == sorted(positions)  # layers appear in stream order, by their ONNX names
    assert "/features.2/MatMul -> features_2_MatMul (MVAU)" in top
    params = (hls / "params.hpp").read_text()
    assert "// /features.2/MatMul: MVAU weights 64x784 (binary), [PE=16][NF*SF=4*16] words of SIMD=49 x 1 bit" in params
    assert "#define HWGEN_top_features_2_MatMul_weights {" in params
    assert "MVAU thresholds (popcount domain), [PE=16][NF=4][1]" in params
    # the arrays are locals of the layer's wrapper, split on PE (weights) and on PE and level
    # (thresholds), bound to the memory the cost model chose
    wrapper = top[top.index("static void top_features_2_MatMul("):]
    wrapper = wrapper[: wrapper.index("\n}\n")]
    assert "static const uint64_t features_2_MatMul_weights[16][64] = HWGEN_top_features_2_MatMul_weights;" in wrapper
    assert "#pragma HLS ARRAY_PARTITION variable=features_2_MatMul_weights dim=1 complete" in wrapper
    assert "#pragma HLS BIND_STORAGE variable=features_2_MatMul_weights type=rom_2p impl=bram" in wrapper
    assert "#pragma HLS ARRAY_PARTITION variable=features_2_MatMul_thresholds dim=1 complete" in wrapper
    assert "#pragma HLS ARRAY_PARTITION variable=features_2_MatMul_thresholds dim=3 complete" in wrapper


def test_bad_folding_raises_before_writing(tfc_graph, tmp_path):
    g = fold(tfc_graph, [(1, 1)] * 4)
    n = g.nodes[5]
    assert n.op == "MVAU" and n.attrs["mw"] == 784
    g = g.replace_node(n, [n.with_attrs(simd=100)])
    out = tmp_path / "out"
    with pytest.raises(CodegenError, match=r"/features.2/MatMul.*SIMD=100 does not divide MW=784"):
        generate(g, load_board("pynq-z1"), out)
    assert not out.exists()


def test_pe_not_dividing_mh(tfc_graph, tmp_path):
    n = [m for m in tfc_graph.nodes if m.op == "MVAU"][-1]
    g = tfc_graph.replace_node(n, [n.with_attrs(pe=3)])
    with pytest.raises(CodegenError, match="PE=3 does not divide MH=10"):
        generate(g, load_board("pynq-z1"), tmp_path / "x")


def test_missing_compiler_and_headers(monkeypatch):
    import hwgen.backends.hls.csim as csim

    monkeypatch.setenv("CXX", "no-such-compiler-xyz")
    with pytest.raises(HwgenError, match="apt-get install g\\+\\+"):
        csim.find_cxx()
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    with pytest.raises(HwgenError, match="pip install --no-deps hls4ml"):
        csim.ap_types_dir()


@needs_cxx
def test_flow_steps_codegen_and_csim(tfc_graph, tmp_path, capsys):
    from hwgen.core.flow import FlowState, get_step, load_flow

    steps = load_flow("default")
    assert steps.index("lower") < steps.index("codegen") < steps.index("csim")
    g = fold(tfc_graph, [(16, 49), (8, 16), (64, 64), (5, 2)])
    state = FlowState(tmp_path / "m.onnx", options={"out_dir": tmp_path, "board": load_board("pynq-z1"),
                                                     "csim_n": 8}, stages={"hardware": g})
    state = get_step("codegen")(state)
    assert (tmp_path / "hls" / "top.cpp").is_file()
    state = get_step("csim")(state)
    r = state.artifacts["csim"]
    assert r.n == 8 and r.mismatches == 0 and r.compile_s > 0
    assert "csim: compiled in" in capsys.readouterr().out
