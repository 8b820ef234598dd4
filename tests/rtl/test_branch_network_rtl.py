"""Branching blocks in Verilator (issue 10's branching units): the FINN-style residual block, the
DenseNet-style concat and the ReActNet reduction block of tests/sim/test_branches_exact.py built
with --backend rtl: outputs equal the simulator bit for bit, no deadlock, every FIFO's peak within
its depth, and the measured steady-state interval against the estimate and the cycle-level
dataflow check. The FIFOs are sized as `--backend rtl` sizes them: the schedules' depths plus the
Verilog's pipeline latency (hwgen.passes.rtl_slack)."""

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
from hwgen.passes.rtl_slack import rtl_fifo_slack

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
    Verilator == simulator, and the measured interval is the slowest unit's cycles() (37; the
    rtl estimate, from the cycle-level check of the Verilog's schedules, says 38, and the check of
    the HLS schedules, which adds each process's fill and drain per frame, 60)."""
    from hwgen.app.build import run_build

    path, _ = export_model("resnet_block", BLOCKS["resnet_block"][0])
    out = tmp_path / "resnet"
    run_build(str(path), board="pynq-z1", out_dir=str(out), force=False, flow="default", verify_n=0,
              csim_n=0, backend="rtl", rtlsim_n=16, target_fps=None, budget=0.8, folding=None)
    rep = json.loads((out / "report" / "rtlsim.json").read_text())
    assert rep["n"] == 16
    assert rep["interval_cycles"] == rep["slowest_cycles"] < rep["dataflow_interval"]
    assert abs(rep["interval_cycles"] / rep["estimate_interval"] - 1) <= 0.03
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
    g = rtl_fifo_slack(sized(widen(hw, most) if most > 1 else hw))[0]
    r = _rtlsim(g, tmp_path)
    assert r.interval_cycles == r.estimate_interval, (r.interval_cycles, r.estimate_interval, r.dataflow_interval)


@pytest.mark.slow
def test_without_the_rtl_slack_the_join_stalls(export_model, tmp_path):
    """The DenseNet concat folded at <= 4 with the depths of the schedules alone: the Verilog runs
    slower than the estimate (266 cycles per frame for 162: the shortcut FIFO cannot also cover the
    long branch's pipeline registers); rtl_fifo_slack grows the concat's FIFOs and the fork's."""
    g = sized(widen(_hw(export_model, "dense_block"), 4))
    r = _rtlsim(g, tmp_path / "sized")
    assert r.interval_cycles > r.estimate_interval
    assert r.interval_cycles > r.slowest_cycles
    g2, info = rtl_fifo_slack(g)
    joins = [n.name for n in g.nodes if n.op == "FIFO" and "Concat" in n.name]
    assert joins and all(info["grown"][j][1] > info["grown"][j][0] for j in joins)
    r2 = _rtlsim(g2, tmp_path / "slack")
    assert r2.interval_cycles == r2.estimate_interval == r2.slowest_cycles


@pytest.mark.slow
@pytest.mark.parametrize("name", ["bireal-cnn", "reactnet-cnn", "densenet-cnn"])
def test_residual_zoo_models_backend_rtl(name, tmp_path):
    """The zoo's branching models (random weights, BatchNorm statistics from one batch) built with
    --backend rtl --rtlsim 16 at hwgen's PYNQ-Z1 folding: equal to the simulator, and the measured
    interval within 2 % of the estimate (where a max-pool's ring fill makes the cycle-level check
    of the Verilog's schedules slower than the slowest unit, the estimate is the check's)."""
    import torch

    from hwgen import zoo
    from hwgen.app.build import run_build

    sys.path.insert(0, str(Path(__file__).parents[1]))
    import models

    torch.manual_seed(0)
    m = models.randomize_bn(zoo.build(name, None), seed=3)
    m.train()
    m(torch.rand(2, *m.input_shape) * 2 - 1)
    m.eval()
    path = zoo.export(m, tmp_path / f"{name}.onnx")
    out = tmp_path / name
    run_build(str(path), board="pynq-z1", out_dir=str(out), force=False, flow="default", verify_n=0,
              csim_n=0, backend="rtl", rtlsim_n=16, target_fps=None, budget=0.8, folding=None)
    rep = json.loads((out / "report" / "rtlsim.json").read_text())
    assert abs(rep["interval_cycles"] / rep["estimate_interval"] - 1) <= 0.02, rep
    assert all(f["peak"] <= f["capacity"] for f in rep["fifos"])
