"""Residual and dense zoo models: the per-edge burst depths deadlock at the forks; the searched
depths reach the best interval any depths reach, and where that is slower than the slowest unit
(the stem's max-pool fills its first rows of a frame only after its last output row of the one
before, starving a balanced consumer), the estimate step prints the check's interval."""

from __future__ import annotations

from pathlib import Path

import models
import pytest
import torch

from hwgen import zoo
from hwgen.analysis.dataflow import check
from hwgen.analysis.estimate import estimate
from hwgen.core.boards import load_board
from hwgen.core.flow import FlowState, run_flow
from hwgen.passes.fifo import refine_depths, size_fifos
from hwgen.sim.dataflow import simulate_dataflow

BOARD = load_board("pynq-z1")


def _folded(name: str, tmp_path: Path):
    torch.manual_seed(0)
    m = models.randomize_bn(zoo.build(name, None), seed=3)
    m.train()
    m(torch.rand(2, *m.input_shape) * 2 - 1)
    m.eval()
    path = zoo.export(m, tmp_path / f"{name}.onnx")
    # budget 2.0: the random-weight models do not fit 80 % of a PYNQ-Z1 fully folded
    st = run_flow(["load", "streamline", "lower", "fold", "insert"], FlowState(path, {"board": BOARD, "budget": 2.0}))
    return st.graph


@pytest.mark.slow
@pytest.mark.parametrize("name", ["bireal-cnn", "densenet-cnn"])
def test_branching_zoo_models_need_the_searched_depths(name, tmp_path):
    g = size_fifos(_folded(name, tmp_path))
    burst = simulate_dataflow(g, BOARD.axi_port_bits)
    assert burst.deadlock and any(f.endswith(("_in0", "_in1")) for f in burst.full)  # a join's input
    g, info = refine_depths(g, BOARD.axi_port_bits)
    r = check(g, BOARD.axi_port_bits)
    mx = estimate(g, BOARD)["performance"]["max_cycles"]
    assert not r.deadlock and r.interval == info["reachable_interval"] >= mx
    st = run_flow(["check", "estimate"], FlowState(Path(name), {"board": BOARD}, stages={"folded": g}))
    perf = st.artifacts["estimate"]["performance"]
    assert perf["ii_cycles"] == r.interval and perf["units_max_cycles"] == mx
