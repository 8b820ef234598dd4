"""Branching blocks in Verilator (issue 10's branching units): the FINN-style residual block, the
DenseNet-style concat and the ReActNet reduction block of tests/sim/test_branches_exact.py built
with --backend rtl: outputs equal the simulator bit for bit, no deadlock, every FIFO's peak within
its depth, and the measured steady-state interval against the estimate and the cycle-level
dataflow check."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from hwgen.backends.rtl.codegen import build_rtl_design, write_rtl
from hwgen.backends.rtl.rtlsim import rtlsim_graph
from hwgen.core.flow import compile_model
from hwgen.core.ir import Graph

sys.path.insert(0, str(Path(__file__).parents[1] / "sim"))
sys.path.insert(0, str(Path(__file__).parents[1] / "codegen"))
from test_branches_csim import widen
from test_branches_exact import BLOCKS
from test_network_rtl import sized

pytestmark = pytest.mark.skipif(shutil.which("verilator") is None, reason="verilator not installed")
N = 32


def _hw(export_model, case: str) -> Graph:
    path, _ = export_model(case, BLOCKS[case][0])
    return compile_model(path).stages["hardware"]


def _rtlsim(g: Graph, tmp_path: Path):
    d = build_rtl_design(g)
    write_rtl(d, tmp_path / "rtl", g.name)
    r = rtlsim_graph(g, d, tmp_path / "rtl", N)  # raises on a mismatch or a deadlock
    assert r.mismatches == 0
    assert r.fifos and all(f["peak"] <= f["capacity"] for f in r.fifos)
    return r


def test_build_residual_block_backend_rtl(export_model, tmp_path):
    """`hwgen build --backend rtl --rtlsim 16` of the residual block (hwgen's folding for PYNQ-Z1):
    Verilator == simulator; the measured interval lies between the slowest unit's cycles() (the
    rtl estimate: no unit runs faster) and the cycle-level check of the HLS schedules (which adds
    each process's pipeline fill and drain per frame). Measured here: 44 cycles, 37 and 60."""
    from hwgen.app.build import run_build

    path, _ = export_model("resnet_block", BLOCKS["resnet_block"][0])
    out = tmp_path / "resnet"
    run_build(str(path), board="pynq-z1", out_dir=str(out), force=False, flow="default", verify_n=0,
              csim_n=0, backend="rtl", rtlsim_n=16, target_fps=None, budget=0.8, folding=None)
    rep = json.loads((out / "report" / "rtlsim.json").read_text())
    assert rep["n"] == 16
    assert rep["estimate_interval"] <= rep["interval_cycles"] <= rep["dataflow_interval"]
    assert all(f["peak"] <= f["capacity"] for f in rep["fifos"])
    units = (out / "rtl" / "units.v").read_text()
    for module in ("hwgen_duplicate", "hwgen_add_streams"):
        assert module in units


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(BLOCKS))
@pytest.mark.parametrize("most", [1, 4], ids=["unfolded", "folded4"])
def test_branching_blocks_rtl_equal_simulator(export_model, tmp_path, case, most):
    """Unfolded, and every unit at its largest folding <= 4 (width converters between branches)."""
    hw = _hw(export_model, case)
    g = sized(widen(hw, most) if most > 1 else hw)
    r = _rtlsim(g, tmp_path)
    if case == "dense_block" and most > 1:
        pytest.skip("the join FIFOs sized for the HLS schedules are short by the Verilog's pipeline "
                    "latency here: test_dense_join_fifos_need_the_pipeline_latency")
    assert r.interval_cycles == r.estimate_interval, (r.interval_cycles, r.estimate_interval, r.dataflow_interval)


@pytest.mark.slow
def test_dense_join_fifos_need_the_pipeline_latency(export_model, tmp_path):
    """The DenseNet concat folded at <= 4: with the depths sized from the HLS schedules the Verilog
    runs slower than the estimate (its units add pipeline registers on the long branch, which the
    shortcut FIFO must also cover); four more words in front of the concat reach the estimate."""
    g = sized(widen(_hw(export_model, "dense_block"), 4))
    r = _rtlsim(g, tmp_path / "sized")
    assert r.interval_cycles > r.estimate_interval
    for n in g.nodes:
        if n.op == "FIFO" and any(len(c.inputs) > 1 for c in g.consumers(n.outputs[0])):
            g = g.replace_node(g.node(n.name), [g.node(n.name).with_attrs(depth=n.attrs["depth"] + 4)])
    r = _rtlsim(g, tmp_path / "deeper")
    assert r.interval_cycles == r.estimate_interval
