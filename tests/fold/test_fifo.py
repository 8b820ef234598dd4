"""FIFO sizing: depths from the units' read schedules, used alike by the estimate and the code."""

from __future__ import annotations

import re

import numpy as np

from hwgen.analysis.estimate import estimate
from hwgen.core.boards import load_board
from hwgen.core.datatypes import DataType
from hwgen.core.ir import Graph, Tensor
from hwgen.passes.fifo import MIN_DEPTH, depth_for, idle_cycles, size_fifos
from hwgen.units import MVAU, SlidingWindow


def _mvau(name, mw, mh, pe, simd):
    w = np.random.default_rng(0).integers(0, 2, (mh, mw))
    return MVAU(name=name, mw=mw, mh=mh, pe=pe, simd=simd, weights=w, thresholds=np.zeros((mh, 1), np.int64),
                acc_dt="int16")


def _chain(units, in_size):
    nodes, tensors, prev = [], {"x": Tensor("x", (in_size,), DataType.parse("binary"))}, "x"
    for i, u in enumerate(units):
        out = f"t{i}"
        tensors[out] = Tensor(out, (u.mh,), DataType.parse("binary"))
        nodes.append(u.to_node((prev,), (out,)))
        prev = out
    return Graph(nodes, tensors, ("x",), (prev,))


def test_mvau_idles_during_its_row_folds():
    u = _mvau("a", 64, 32, 4, 8)  # NF = 8, SF = 8: reads 8 words, then 56 cycles reuse them
    assert idle_cycles(u) == 56
    assert depth_for(u, None) == 56 + MIN_DEPTH


def test_slow_producer_needs_a_shallower_fifo():
    fast, slow = _mvau("p1", 16, 64, 4, 16), _mvau("p2", 16, 64, 1, 1)  # 1 and 1/16 words a cycle
    consumer = _mvau("c", 64, 64, 2, 64)
    assert depth_for(consumer, slow) < depth_for(consumer, fast) <= depth_for(consumer, None)


def test_window_unit_idles_between_rows():
    u = SlidingWindow(name="w", ifm_dim=(8, 8), channels=4, kernel=(3, 3), stride=(1, 1), simd=4)
    # per output row: 6 windows x 9 words out, one new row of 8 words in
    assert idle_cycles(u) == 6 * 9 - 8


def test_sized_depths_reach_the_generated_code(tmp_path):
    from hwgen.backends.hls.codegen import generate

    g = size_fifos(_chain([_mvau("/l0", 64, 64, 8, 8), _mvau("/l1", 64, 16, 1, 8)], 64))
    depths = [n.attrs["fifo_depth"] for n in g.nodes]
    assert depths[1] == depth_for(MVAU.from_node(g.nodes[1]), MVAU.from_node(g.nodes[0])) > MIN_DEPTH
    generate(g, load_board("pynq-z1"), tmp_path)
    top = (tmp_path / "hls" / "top.cpp").read_text()
    assert re.search(rf"STREAM variable=s_l0 depth={depths[1]}\b", top)
    est = estimate(g, load_board("pynq-z1"))
    assert any(r["kind"] == "FIFO" and r.get("depth") == depths[1] for r in est["infrastructure"])
