"""The branching units' rtl cost model: --backend rtl prices their Verilog modules, and the
figures stay within 15 % of Yosys (LUT, FF; BRAM18 equal) on a configuration of each unit."""

from __future__ import annotations

import dataclasses
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from hwgen.core.boards import load_board
from hwgen.units import (
    AddStreams,
    AveragePool,
    DuplicateStreams,
    GlobalAveragePool,
    StreamingConcat,
)


def _units():
    return [
        DuplicateStreams(name="dup", channels=64, pixels=16, n=3, pe=4, dt="int8"),
        AddStreams(name="add", channels=64, pixels=16, pe=8, idt_a="int6", idt_b="int8", shift_a=2, odt="int11"),
        StreamingConcat(name="cat", channels=(32, 64), pixels=16, pe=8, dt="int6"),
        AveragePool(name="avg", ifm_dim=(8, 8), channels=64, kernel=(2, 2), pe=8, idt="int6", odt="int8"),
        GlobalAveragePool(name="gap", channels=256, pixels=64, pe=4, idt="int8", odt="int14"),
    ]


def test_backend_rtl_prices_the_branching_units():
    hls = load_board("pynq-z1")
    rtl = dataclasses.replace(hls, backend="rtl")
    for u in _units():
        r = u.resources(rtl)
        assert r == u.rtl_resources(rtl), u.name
        assert all(isinstance(v, int | np.integer) and v >= 0 for v in r.values()), u.name
        assert r != u.resources(hls), u.name


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("yosys") is None, reason="yosys not installed")
def test_branching_units_cost_model_within_15_percent_of_yosys():
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from rtl_branch_calibrate import measure

    for name, y, m in measure(_units()):
        for k in ("lut", "ff"):
            assert abs(m[k] - y[k]) <= 0.15 * y[k], (name, k, y[k], m[k])
        assert m["bram18"] == y["bram18"] and m["dsp"] == y["dsp"] == 0, (name, y, m)
