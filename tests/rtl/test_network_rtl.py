"""Whole networks in Verilator: the generated Verilog == the simulator on 64 inputs, and the
measured steady-state frame interval within 2 % of the estimate (TFC here; CNV under `slow`)."""

from __future__ import annotations

import shutil
from collections.abc import Sequence

import numpy as np
import pytest

from hwgen.analysis.estimate import performance
from hwgen.backends.rtl import verilator as vl
from hwgen.backends.rtl.codegen import build_rtl_design, write_rtl
from hwgen.backends.rtl.rtlsim import _config, rtlsim_graph
from hwgen.core.boards import load_board
from hwgen.core.errors import VerificationError
from hwgen.core.ir import Graph
from hwgen.fold.optimizer import fold_max_throughput
from hwgen.passes.fifo import refine_depths, size_fifos
from hwgen.passes.insert import insert_stream_nodes

pytestmark = pytest.mark.skipif(shutil.which("verilator") is None, reason="verilator not installed")
N = 64


def fold(g: Graph, folding: Sequence[tuple[int, int]], swu_follows_mvau: bool = True) -> Graph:
    """(pe, simd) per MVAU in order; a SlidingWindow takes its MVAU's SIMD where it divides C."""
    mvaus = [n for n in g.nodes if n.op == "MVAU"]
    assert len(mvaus) == len(folding)
    for n, (pe, simd) in zip(mvaus, folding):
        g = g.replace_node(g.node(n.name), [g.node(n.name).with_attrs(pe=pe, simd=simd)])
        prod = g.producer(n.inputs[0])
        if prod is not None and prod.op == "SlidingWindow":
            s = simd if swu_follows_mvau and prod.attrs["channels"] % simd == 0 else 1
            g = g.replace_node(prod, [prod.with_attrs(simd=s)])
    return g


def sized(g: Graph) -> Graph:
    """Width converters and FIFOs inserted and sized, as the flow's insert and fifo steps do."""
    g = size_fifos(insert_stream_nodes(g, 64))
    return refine_depths(g, 64)[0]


def _check(g: Graph, tmp_path, tolerance: float = 0.02):
    g = sized(g)
    d = build_rtl_design(g)
    write_rtl(d, tmp_path / "rtl", g.name)
    r = rtlsim_graph(g, d, tmp_path / "rtl", N)
    assert r.mismatches == 0
    assert abs(r.interval_error) <= tolerance, (
        f"{g.name}: {r.interval_cycles} cycles per frame measured, {r.estimate_interval} estimated")
    assert r.fifos and all(f["peak"] <= f["capacity"] for f in r.fifos)
    return r


@pytest.mark.parametrize("folding", [[(16, 49), (8, 16), (64, 64), (5, 2)], [(4, 784), (64, 8), (2, 32), (10, 64)]],
                         ids=["wide", "mixed"])
def test_tfc_rtl_equals_simulator(tfc_hw, tmp_path, folding):
    _check(fold(tfc_hw, folding), tmp_path)


def test_tfc_rtl_hwgen_folding(tfc_hw, tmp_path):
    """hwgen's own folding (highest throughput within 80 % of PYNQ-Z1)."""
    _check(fold_max_throughput(tfc_hw, load_board("pynq-z1"), 0.8), tmp_path)


def test_rtlsim_catches_a_wrong_weight(tfc_hw, tmp_path):
    """One flipped weight bit in a memory file makes the comparison fail (the check can fail)."""
    g = sized(fold(tfc_hw, [(16, 49), (8, 16), (64, 64), (5, 2)]))
    d = build_rtl_design(g)
    write_rtl(d, tmp_path / "rtl", g.name)
    mem = sorted((tmp_path / "rtl").glob("*_wfile.mem"))[0]
    lines = mem.read_text().split()
    lines[0] = f"{int(lines[0], 16) ^ 1:0{len(lines[0])}x}"
    mem.write_text("\n".join(lines) + "\n")
    with pytest.raises(VerificationError, match="differs from the simulator"):
        rtlsim_graph(g, d, tmp_path / "rtl", N)


def test_stall_is_reported_with_fifo_states(tfc_hw, tmp_path):
    """Waiting for a frame that never comes is a stall: the run stops and reports every FIFO."""
    g = sized(fold(tfc_hw, [(16, 49), (8, 16), (64, 64), (5, 2)]))
    d = build_rtl_design(g)
    write_rtl(d, tmp_path / "rtl", g.name)
    cfg = _config(d)
    b = vl.build([cfg], sources=[tmp_path / "rtl" / "top.v", tmp_path / "rtl" / "units.v"])
    words = np.zeros((d.in_port["words"], cfg.in_stride), np.uint32)
    r = vl.run(b.exe, 0, cfg, words, 2 * d.out_port["words"], tmp_path / "rtl", stall_limit=500)
    assert r.deadlock
    assert len(r.fifos) == sum(i["kind"] == "fifo" for i in d.instances)


@pytest.mark.slow
@pytest.mark.parametrize("folding,swu", [
    ([(16, 3), (32, 32), (16, 32), (16, 32), (4, 32), (1, 32), (1, 4), (1, 8), (5, 1)], True),
    ([(64, 27), (16, 64), (32, 64), (8, 128), (32, 128), (16, 256), (64, 16), (8, 64), (2, 512)], False),
], ids=["bnn-pynq", "wide-dwc"])
def test_cnv_rtl_equals_simulator(cnv_hw, tmp_path, folding, swu):
    _check(fold(cnv_hw, folding, swu), tmp_path)


@pytest.mark.slow
def test_cnv_rtl_hwgen_folding(cnv_hw, tmp_path):
    g = fold_max_throughput(cnv_hw, load_board("pynq-z1"), 0.8)
    r = _check(g, tmp_path)
    assert r.estimate_interval >= performance(sized(g), 100.0, axi_bits=64)["ii_cycles"]
