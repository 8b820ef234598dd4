"""The rtl cost model: --backend rtl makes every unit price its Verilog module (rtl_resources)."""

from __future__ import annotations

import dataclasses

import numpy as np

from hwgen.core.boards import load_board
from hwgen.units import (
    FIFO,
    MVAU,
    DataWidthConverter,
    LabelSelect,
    SlidingWindow,
    StreamingMaxPool,
    Thresholding,
)

RNG = np.random.default_rng(3)


def _units():
    return [
        MVAU(name="m", mw=576, mh=64, pe=16, simd=64, weights=RNG.integers(0, 2, (64, 576)),
             thresholds=np.sort(RNG.integers(0, 577, (64, 1)), axis=1)),
        MVAU(name="i", mw=27, mh=64, reps=900, pe=16, simd=3, mode="int", idt="int8",
             weights=RNG.integers(0, 2, (64, 27)), thresholds=np.sort(RNG.integers(-300, 300, (64, 1)), axis=1)),
        SlidingWindow(name="s", ifm_dim=(30, 30), channels=64, kernel=(3, 3), simd=32),
        SlidingWindow(name="w", ifm_dim=(32, 32), channels=3, kernel=(3, 3), simd=9, idt="int8"),
        StreamingMaxPool(name="p", ifm_dim=(28, 28), channels=64, pe=4),
        Thresholding(name="t", channels=64, pixels=10, pe=4, idt="int16", odt="uint2",
                     thresholds=np.sort(RNG.integers(-3000, 3000, (64, 3)), axis=1)),
        LabelSelect(name="l", labels=10, k=1, pe=1, idt="int16", odt="uint8"),
        FIFO(name="f", elems=64, epw=8, dt="binary", depth=100),
        DataWidthConverter(name="d", elems=64, in_epw=8, out_epw=2, dt="binary"),
    ]


def test_backend_rtl_prices_the_verilog_library():
    hls = load_board("pynq-z1")
    rtl = dataclasses.replace(hls, backend="rtl")
    differ = 0
    for u in _units():
        r = u.resources(rtl)
        assert r == u.rtl_resources(rtl), u.name
        assert all(isinstance(v, int | np.integer) and v >= 0 for v in r.values()), u.name
        differ += r != u.resources(hls)
    assert differ >= len(_units()) - 1  # the two libraries are priced differently


def test_rtl_memory_style_follows_the_cost_model():
    """A deep weight memory is BRAM in both the Verilog parameters and the rtl cost model."""
    from hwgen.units.rtl import STYLE_BRAM, STYLE_LUTRAM

    deep, shallow = _units()[0], _units()[0].evolve(pe=64, simd=576)  # 36 words vs 1 word
    assert deep.rtl_context().params["WSTYLE"] == STYLE_BRAM
    assert deep.rtl_resources(None)["bram18"] > 0
    assert shallow.rtl_context().params["WSTYLE"] == STYLE_LUTRAM
    assert shallow.rtl_resources(None)["bram18"] == 0


def test_rtl_frame_cycles_have_no_hls_fill_and_drain(tfc_hw):
    """The rtl modules run cycles() per frame (measured in Verilator by test_units_rtl); the HLS
    processes add a pipeline fill and drain per loop entered. The estimate follows the board's backend."""
    from hwgen.analysis.estimate import estimate
    from hwgen.units import hardware_nodes, unit_of

    hls = load_board("pynq-z1")
    rtl = dataclasses.replace(hls, backend="rtl")
    for u in _units()[:5]:
        assert u.frame_cycles("rtl") == u.cycles() < u.frame_cycles("hls"), u.name
    units = [unit_of(n) for n in hardware_nodes(tfc_hw)]
    e_rtl, e_hls = estimate(tfc_hw, rtl)["performance"], estimate(tfc_hw, hls)["performance"]
    assert e_rtl["max_cycles"] >= max(u.cycles() for u in units)
    assert e_rtl["max_cycles"] < e_hls["max_cycles"]
    assert e_rtl["latency_cycles"] < e_hls["latency_cycles"]
