"""hwgen.units.rtl.PIPELINE_LATENCY is measured: every module's first output word leaves exactly
that many cycles after the cycle its unit's schedule() writes it (a FIFO after the cycle it is
written); and hwgen.passes.rtl_slack adds those latencies where the FIFO sizing needs them."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from test_branch_units_rtl import first_write

from hwgen.backends.rtl import verilator as vl
from hwgen.core.datatypes import DataType
from hwgen.core.ir import Graph, Tensor
from hwgen.passes.rtl_slack import branch_latency, rtl_fifo_slack
from hwgen.units import (
    FIFO,
    MVAU,
    AddStreams,
    DataWidthConverter,
    DuplicateStreams,
    LabelSelect,
    SlidingWindow,
    StreamingMaxPool,
    Thresholding,
)
from hwgen.units.rtl import PIPELINE_LATENCY

RNG = np.random.default_rng(99)


def _thr(rows: int, n: int, lo: int, hi: int) -> np.ndarray:
    return np.sort(RNG.integers(lo, hi + 1, size=(rows, n)), axis=1)


UNITS = [
    MVAU(name="xnor", mw=64, mh=16, pe=4, simd=16, weights=RNG.integers(0, 2, (16, 64)), thresholds=_thr(16, 1, 0, 65)),
    MVAU(name="xnor_p1s1", mw=16, mh=16, weights=RNG.integers(0, 2, (16, 16)), thresholds=_thr(16, 1, 0, 17)),
    MVAU(name="intbin", mw=27, mh=4, pe=2, simd=3, mode="int", idt="int8", odt="int2", out_base=-2, acc_dt="int14",
         weights=RNG.integers(0, 2, (4, 27)), thresholds=_thr(4, 3, -300, 300)),
    SlidingWindow(name="swu", ifm_dim=(6, 6), channels=4, kernel=(3, 3), simd=2, idt="binary"),
    SlidingWindow(name="swu_wide", ifm_dim=(6, 6), channels=2, kernel=(3, 3), simd=18, idt="int8"),
    StreamingMaxPool(name="pool", ifm_dim=(4, 4), channels=4, pe=2),
    Thresholding(name="thr", channels=4, pixels=4, pe=2, idt="int8", odt="binary", thresholds=_thr(4, 1, -100, 100)),
    LabelSelect(name="ls", labels=10, k=1, pe=5, idt="int8", odt="uint4"),
    DataWidthConverter(name="dwc", elems=16, in_epw=4, out_epw=2, dt="int4"),
    FIFO(name="fifo", elems=16, epw=2, dt="int4", depth=4),
]


def test_every_module_has_a_measured_latency():
    modules = {u.rtl_context().module for u in UNITS} | {"hwgen_duplicate", "hwgen_add_streams", "hwgen_concat",
                                                        "hwgen_avg_pool", "hwgen_global_avg_pool"}
    assert modules == set(PIPELINE_LATENCY)


@pytest.mark.skipif(shutil.which("verilator") is None, reason="verilator not installed")
def test_pipeline_latency_is_measured(tmp_path):
    configs = []
    for u in UNITS:
        c = u.rtl_context()
        for p, lines in c.mems.items():
            (tmp_path / f"{u.name}_{p.lower()}.mem").write_text("\n".join(lines) + "\n")
        configs.append(vl.Config(c.module, vl.verilog_params(c.params, {p: f"{u.name}_{p.lower()}.mem" for p in c.mems}),
                                 c.in_width, c.out_width, c.summary))
    b = vl.build(configs)
    for i, u in enumerate(UNITS):
        c = u.rtl_context()
        dt = DataType.parse(u.in_ports()[0].dtype)
        x = RNG.integers(dt.min, dt.max + 1, size=(2, c.in_total))
        r = vl.run(b.exe, i, configs[i], vl.pack_words(x, c.in_epw, c.in_bits, c.in_width),
                   2 * c.out_total // c.out_epw, tmp_path)
        start = 0 if isinstance(u, FIFO) else first_write(u)
        assert r.t_out[0] - r.t_in[0] == start + c.latency, (u.name, r.t_out[0] - r.t_in[0], start, c.latency)


def _residual() -> Graph:
    """in -> fifo -> fork -> (thr -> fifo_a) , (fifo_b) -> add: the thresholding's branch is longer."""
    t = {n: Tensor(n, (4, 4), DataType.parse("int8")) for n in ("x", "x1", "f0", "f1", "a", "a1", "b1", "y")}
    nodes = [FIFO(name="fifo_in", elems=16, epw=1, dt="int8", depth=2).to_node(("x",), ("x1",)),
             DuplicateStreams(name="fork", channels=4, pixels=4, dt="int8").to_node(("x1",), ("f0", "f1")),
             Thresholding(name="thr", channels=4, pixels=4, idt="int8", odt="int8",
                          thresholds=_thr(4, 255, -128, 127)).to_node(("f0",), ("a",)),
             FIFO(name="fifo_a", elems=16, epw=1, dt="int8", depth=2).to_node(("a",), ("a1",)),
             FIFO(name="fifo_b", elems=16, epw=1, dt="int8", depth=5).to_node(("f1",), ("b1",)),
             AddStreams(name="add", channels=4, pixels=4, idt_a="int8", idt_b="int8", odt="int9").to_node(
                 ("a1", "b1"), ("y",))]
    return Graph(nodes, t, ("x",), ("y",), name="residual")


def test_rtl_fifo_slack_covers_the_longer_branch():
    g = _residual()
    lat = branch_latency(g)
    f, d, th = PIPELINE_LATENCY["hwgen_fifo"], PIPELINE_LATENCY["hwgen_duplicate"], PIPELINE_LATENCY["hwgen_thresholding"]
    assert lat["a1"] == f + d + th + f and lat["b1"] == f + d + f
    g2, info = rtl_fifo_slack(g)
    depth = {n.name: n.attrs["depth"] for n in g2.nodes if n.op == "FIFO"}
    assert depth == {"fifo_in": 2 + f, "fifo_a": 2 + f, "fifo_b": 5 + f + th}  # the shortcut also waits for thr
    assert info["grown"]["fifo_b"] == [5, 5 + f + th]
