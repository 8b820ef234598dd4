"""On TFC and CNV (linear), the cycle-level check's interval equals the estimate's slowest unit."""

from __future__ import annotations

import pytest

from hwgen.analysis.dataflow import check
from hwgen.analysis.estimate import estimate
from hwgen.core.boards import load_board
from hwgen.fold import fold_for_fps, fold_max_throughput
from hwgen.passes.fifo import refine_depths, size_fifos
from hwgen.passes.insert import insert_stream_nodes

BOARD = load_board("pynq-z1")


def _sized(g):
    g = size_fifos(insert_stream_nodes(g, BOARD.axi_port_bits))
    return refine_depths(g, BOARD.axi_port_bits)


@pytest.mark.parametrize("fold", ["max", "fps"])
def test_tfc_interval_equals_estimate(tfc_hw, fold):
    g = fold_max_throughput(tfc_hw, BOARD, 0.8) if fold == "max" else fold_for_fps(tfc_hw, BOARD, 20000)
    g, info = _sized(g)
    r = check(g, BOARD.axi_port_bits)
    est = estimate(g, BOARD)["performance"]
    assert not r.deadlock and r.interval == est["max_cycles"], (r.intervals, est, info)


def test_cnv_interval_equals_estimate_once_fifos_are_proven(cnv_hw):
    # at 70 % of the board the burst depths starve the bottleneck (19,197 vs 14,408 cycles); at 80 %
    # the optimizer's folding happens to be starved of nothing
    g = size_fifos(insert_stream_nodes(fold_max_throughput(cnv_hw, BOARD, 0.7), BOARD.axi_port_bits))
    mx = estimate(g, BOARD)["performance"]["max_cycles"]
    # the per-edge burst depths alone let the bottleneck starve at frame boundaries: the check sees it
    before = check(g, BOARD.axi_port_bits)
    assert not before.deadlock and before.interval > mx
    g, info = refine_depths(g, BOARD.axi_port_bits)
    assert info["grown"]
    r = check(g, BOARD.axi_port_bits)
    assert r.interval == estimate(g, BOARD)["performance"]["max_cycles"] == mx
    assert r.intervals[-2:] == [mx, mx]
