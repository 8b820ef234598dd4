"""Cost model formulas, performance model and the boards command."""

from __future__ import annotations

import math

import numpy as np
import pytest
from click.testing import CliRunner

from hwgen.analysis.estimate import estimate, performance
from hwgen.core.boards import load_board
from hwgen.core.flow import compile_model
from hwgen.units import (
    FIFO,
    MVAU,
    DataWidthConverter,
    LabelSelect,
    SlidingWindow,
    StreamingMaxPool,
    Thresholding,
)
from hwgen.units.cost import RESOURCES, bram18_blocks, memory

PYNQ = load_board("pynq-z1")


def test_bram18_shapes():
    assert bram18_blocks(16384, 1) == 1
    assert bram18_blocks(16385, 1) == 2
    assert bram18_blocks(512, 36) == 1
    assert bram18_blocks(512, 37) == 2
    assert bram18_blocks(18432, 32) == 36  # CNV layer 5 weights, SIMD 32, PE 1
    assert bram18_blocks(32768, 8) == 16


def test_memory_lutram_by_depth():
    shallow = memory(32, 64, count=4)
    assert shallow["bram18"] == 0 and shallow["lut"] == 4 * 64
    deep = memory(33, 64, count=4)
    assert deep["lut"] == 0 and deep["bram18"] == 4 * 2


def test_fifo_and_width_converter():
    board = load_board("pynq-z1")

    def fifo(width, depth):
        return FIFO(name="f", elems=width, epw=width, dt="binary", depth=depth).resources(board)

    def dwc(inw, outw):
        return DataWidthConverter(name="d", elems=math.lcm(inw, outw) * 4, in_epw=inw, out_epw=outw,
                                  dt="binary").resources(board)

    assert fifo(64, 32)["bram18"] == 0 and fifo(64, 32)["lut"] > 64
    assert fifo(64, 4096)["bram18"] == bram18_blocks(4096, 64)
    assert dwc(64, 64)["lut"] == 0
    down, up = dwc(64, 8), dwc(8, 64)
    assert down["lut"] > 0 and up["ff"] >= 64
    odd = dwc(24, 64)  # lcm buffer
    assert odd["ff"] >= 192


def _mvau(pe: int, simd: int, mode: str = "xnor") -> MVAU:
    w = np.zeros((64, 128), np.int8)
    t = np.zeros((64, 1), np.int64)
    idt = "binary" if mode == "xnor" else "int8"
    return MVAU(name="m", mw=128, mh=64, reps=4, pe=pe, simd=simd, mode=mode, idt=idt, acc_dt="int16",
                weights=w, thresholds=t)


def test_every_unit_has_resources():
    units = [
        _mvau(4, 8),
        SlidingWindow(name="s", ifm_dim=(8, 8), channels=16, kernel=(3, 3), simd=4),
        StreamingMaxPool(name="p", ifm_dim=(8, 8), channels=16, pe=4),
        Thresholding(name="t", channels=16, pixels=64, pe=4, idt="int8", thresholds=np.zeros((16, 3), np.int64)),
        LabelSelect(name="l", labels=10, k=1, idt="int16"),
    ]
    for u in units:
        r = u.resources(PYNQ)
        assert set(r) == set(RESOURCES), type(u).__name__
        assert all(isinstance(v, int) and v >= 0 for v in r.values())
        assert r["lut"] > 0


def test_mvau_cost_grows_with_parallelism():
    small, big = _mvau(1, 8).resources(PYNQ), _mvau(8, 32).resources(PYNQ)
    assert big["lut"] > 4 * small["lut"] - 4 * 300
    # one deep memory in BRAM vs many shallow ones in LUTRAM
    assert small["bram18"] >= 1 and big["bram18"] == 0
    assert _mvau(4, 8, mode="int").resources(PYNQ)["lut"] > _mvau(4, 8).resources(PYNQ)["lut"]


def test_performance_pipeline_latency(bnn_pynq):
    g = compile_model(bnn_pynq("TFC_1W1A")[0]).stages["hardware"]
    p = performance(g, 100.0)
    assert p["fps"] == pytest.approx(100e6 / p["max_cycles"])  # float quantity, not an integer path
    assert p["ii_cycles"] == p["max_cycles"]
    # fully connected layers overlap only by one vector: latency between max and sum
    assert p["max_cycles"] <= p["latency_cycles"] <= p["sum_cycles"]
    est = estimate(g, PYNQ, 0.8)
    utils = [r["pipeline_utilisation"] for r in est["units"]]
    assert max(utils) == 1.0 and all(0 < u <= 1 for u in utils)
    assert est["totals"]["lut"] == sum(r["lut"] for r in est["units"] + est["infrastructure"])


def test_conv_latency_overlaps(bnn_pynq):
    from hwgen.fold.optimizer import fold_max_throughput

    g = fold_max_throughput(compile_model(bnn_pynq("CNV_1W1A")[0]).stages["hardware"], PYNQ)
    p = performance(g, 100.0)
    # conv layers stream row by row and overlap; the FC tail (each needs a whole vector) does
    # not: measured 55,774 of a 108,684-cycle sum
    assert p["max_cycles"] <= p["latency_cycles"] < 0.6 * p["sum_cycles"]


def test_boards_command_and_custom_board(tmp_path):
    from hwgen.app.cli import main

    res = CliRunner().invoke(main, ["boards"])
    assert res.exit_code == 0, res.output
    assert "pynq-z1" in res.output and "zcu104" in res.output and "xc7z020" in res.output
    custom = tmp_path / "tiny.toml"
    custom.write_text('name = "tiny"\npart = "xc7z007s"\nps_family = "zynq7000"\nclock_mhz = 50.0\n'
                      'axi_port_bits = 32\n[resources]\nlut = 14400\nff = 28800\nbram18 = 100\nuram = 0\ndsp = 66\n')
    b = load_board(str(custom))
    assert b.name == "tiny" and b.lut == 14400 and b.clock_mhz == 50.0
