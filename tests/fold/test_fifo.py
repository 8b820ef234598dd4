"""FIFO sizing: depths from the units' read schedules, used alike by the estimate and the code."""

from __future__ import annotations

import re

import numpy as np
import pytest

from hwgen.analysis.estimate import estimate
from hwgen.core.boards import load_board
from hwgen.core.datatypes import DataType
from hwgen.core.ir import Graph, Tensor
from hwgen.passes.fifo import depth_for, size_fifos
from hwgen.passes.insert import MIN_DEPTH, insert_stream_nodes
from hwgen.units import MVAU, SlidingWindow, UnknownUnitError, unit_of


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
    assert u.idle_cycles() == 56
    assert depth_for(u, None) == 56 + MIN_DEPTH


def test_slow_producer_needs_a_shallower_fifo():
    fast, slow = _mvau("p1", 16, 64, 4, 16), _mvau("p2", 16, 64, 1, 1)  # 1 and 1/16 words a cycle
    consumer = _mvau("c", 64, 64, 2, 8)  # 8 words a frame, idle 31 x 8 cycles
    assert depth_for(consumer, slow) < depth_for(consumer, fast) <= depth_for(consumer, None)


def test_window_unit_idles_between_rows():
    u = SlidingWindow(name="w", ifm_dim=(8, 8), channels=4, kernel=(3, 3), stride=(1, 1), simd=4)
    # per output row: 6 windows x 9 words out, one new row of 8 words in
    assert u.idle_cycles() == 6 * 9 - 8


def test_sized_depths_reach_the_generated_code(tmp_path):
    from hwgen.backends.hls.codegen import generate

    board = load_board("pynq-z1")
    g = size_fifos(insert_stream_nodes(_chain([_mvau("/l0", 64, 64, 8, 8), _mvau("/l1", 64, 16, 1, 8)], 64),
                                       board.axi_port_bits))
    fifos = {n.name: n.attrs["depth"] for n in g.nodes if n.op == "FIFO"}
    l0, l1 = MVAU.from_node(g.node("/l0")), MVAU.from_node(g.node("/l1"))
    assert fifos["fifo_/l1"] == depth_for(l1, l0) > MIN_DEPTH
    generate(g, board, tmp_path)
    top = (tmp_path / "hls" / "top.cpp").read_text()
    assert re.search(rf"STREAM variable=s_t0 depth={fifos['fifo_/l1']}\b", top)
    est = estimate(g, board)
    assert any(r["op"] == "FIFO" and r["name"] == "fifo_/l1" and r["shape"].startswith(f"{fifos['fifo_/l1']} x")
               for r in est["infrastructure"])


def test_converters_and_fifos_are_graph_nodes():
    # PE 8 of /l0 feeds SIMD 4 of /l1: one converter, FIFOs on every stream, DMA ports included
    board = load_board("pynq-z1")
    g = insert_stream_nodes(_chain([_mvau("/l0", 64, 64, 8, 8), _mvau("/l1", 64, 16, 1, 4)], 64),
                            board.axi_port_bits)
    ops = [n.op for n in g.nodes]
    # DMA 64 -> SIMD 8, PE 8 -> SIMD 4, PE 1 -> the output port's 16
    assert ops.count("DataWidthConverter") == 3 and ops.count("FIFO") == 3
    dwc = unit_of(next(n for n in g.nodes if n.name == "dwc_/l1"))
    assert (dwc.in_epw, dwc.out_epw) == (8, 4) and dwc.cycles() == 64 // 4
    assert insert_stream_nodes(g, board.axi_port_bits) is g  # idempotent
    est = estimate(g, board)
    names = {r["name"] for r in est["infrastructure"]}
    assert {"dwc_/l1", "fifo_/l1", "fifo_/l0"} <= names


def test_an_unknown_unit_is_an_error():
    from hwgen.core.ir import Node

    with pytest.raises(UnknownUnitError, match="Mystery"):
        unit_of(Node("Mystery", "m", ("x",), ("y",), {}, {}))
    with pytest.raises(TypeError, match="does not implement idle_cycles"):
        from hwgen.units.base import Unit

        Unit(name="bare").idle_cycles()
