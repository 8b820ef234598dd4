"""`hwgen build --backend rtl --rtlsim N --synth` end to end, and `hwgen synth` on a small design."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from hwgen.core.errors import ConfigError

needs_tools = pytest.mark.skipif(shutil.which("verilator") is None or shutil.which("yosys") is None,
                                 reason="verilator and yosys not installed")


@needs_tools
def test_build_backend_rtl_rtlsim(tmp_path, bnn_pynq):
    from hwgen.app.build import run_build

    path, _ = bnn_pynq("TFC_1W1A")
    out = tmp_path / "tfc"
    run_build(str(path), board="pynq-z1", out_dir=str(out), force=False, flow="default", verify_n=0,
              csim_n=0, backend="rtl", rtlsim_n=16, target_fps=None, budget=0.8, folding=None)
    assert (out / "rtl" / "top.v").is_file() and (out / "rtl" / "lib" / "hwgen_mvau.v").is_file()
    rep = json.loads((out / "report" / "rtlsim.json").read_text())
    assert rep["n"] == 16
    assert abs(rep["interval_cycles"] / rep["estimate_interval"] - 1) <= 0.02
    # the top has the HLS top's AXI-stream ports, so bd.tcl / driver see the same interface
    top = (out / "rtl" / "top.v").read_text()
    for port in ("in0_TDATA", "in0_TVALID", "in0_TREADY", "out0_TDATA", "out0_TLAST", "out0_TKEEP", "ap_clk", "ap_rst_n"):
        assert port in top


def test_rtlsim_without_rtl_backend_is_an_error(tmp_path, bnn_pynq):
    from hwgen.app.build import run_build

    path, _ = bnn_pynq("TFC_1W1A")
    with pytest.raises(ConfigError, match="--backend rtl"):
        run_build(str(path), board="pynq-z1", out_dir=str(tmp_path / "x"), force=False, flow="default",
                  verify_n=0, csim_n=0, backend="hls", rtlsim_n=4, target_fps=None, budget=0.8, folding=None)


@needs_tools
def test_synth_dir_counts_per_node(tmp_path):
    """A Thresholding + LabelSelect design: Yosys counts per wrapper and a total that adds up."""
    from hwgen.backends.rtl.codegen import build_rtl_design, write_rtl
    from hwgen.backends.rtl.synth import synth_dir
    from hwgen.core.datatypes import DataType
    from hwgen.core.ir import Graph, Tensor
    from hwgen.units import LabelSelect, Thresholding

    th = Thresholding(name="act", channels=10, pixels=1, pe=2, idt="int8", odt="uint2",
                      thresholds=np.sort(np.random.default_rng(0).integers(-100, 100, (10, 3)), axis=1))
    ls = LabelSelect(name="top1", labels=10, k=1, pe=5, idt="uint2", odt="uint4")
    tensors = {"x": Tensor("x", (10,), DataType.parse("int8")), "a": Tensor("a", (10,), DataType.parse("uint2")),
               "y": Tensor("y", (1,), DataType.parse("uint4"))}
    g = Graph([th.to_node(("x",), ("a",)), ls.to_node(("a",), ("y",))], tensors, ("x",), ("y",), name="small")
    d = build_rtl_design(g)
    write_rtl(d, tmp_path / "rtl", "small")
    rep = synth_dir(tmp_path, "xc7")
    by_node = {r["node"]: r for r in rep["units"] if r["kind"] == "unit"}
    assert set(by_node) == {"act", "top1"}
    assert all(r["yosys"]["lut"] > 0 for r in by_node.values())
    assert rep["total"]["lut"] >= sum(r["yosys"]["lut"] for r in rep["units"])
    assert json.loads((tmp_path / "report" / "synth.json").read_text())["family"] == "xc7"


def test_synth_without_rtl_is_an_error(tmp_path):
    from hwgen.backends.rtl.synth import synth_dir

    with pytest.raises(ConfigError, match="--backend rtl"):
        synth_dir(tmp_path)
