"""Every unit's schedule: as many cycles as ``cycles()``, as many words as its ports carry."""

from __future__ import annotations

import numpy as np
import pytest

from hwgen.units import (
    MVAU,
    AddStreams,
    AveragePool,
    DataWidthConverter,
    DuplicateStreams,
    GlobalAveragePool,
    StreamingConcat,
    LabelSelect,
    SlidingWindow,
    StreamingMaxPool,
    Thresholding,
    Unit,
)
from hwgen.units.base import Runs


def _mvau(mw, mh, pe, simd, reps=1):
    return MVAU(name="m", mw=mw, mh=mh, pe=pe, simd=simd, reps=reps,
                weights=np.zeros((mh, mw), np.int64), thresholds=np.zeros((mh, 1), np.int64))


UNITS = [
    _mvau(64, 32, 4, 8), _mvau(64, 32, 32, 64), _mvau(27, 64, 16, 3, reps=30 * 30), _mvau(16, 16, 1, 1),
    SlidingWindow(name="w", ifm_dim=(8, 8), channels=4, kernel=(3, 3), stride=(1, 1), simd=4),
    SlidingWindow(name="w", ifm_dim=(8, 8), channels=4, kernel=(3, 3), stride=(1, 1), simd=2),
    SlidingWindow(name="w", ifm_dim=(32, 32), channels=3, kernel=(3, 3), stride=(1, 1), simd=9),
    SlidingWindow(name="w", ifm_dim=(32, 32), channels=3, kernel=(3, 3), stride=(1, 1), simd=27),
    SlidingWindow(name="w", ifm_dim=(9, 7), channels=2, kernel=(3, 3), stride=(2, 2), pads=(1, 1, 1, 1), simd=1),
    SlidingWindow(name="w", ifm_dim=(4, 4), channels=8, kernel=(4, 4), stride=(1, 1), simd=8),
    StreamingMaxPool(name="p", ifm_dim=(28, 28), channels=64, kernel=(2, 2), stride=(2, 2), pe=4),
    StreamingMaxPool(name="p", ifm_dim=(7, 7), channels=6, kernel=(3, 3), stride=(2, 2), pads=(1, 1, 1, 1), pe=2),
    StreamingMaxPool(name="p", ifm_dim=(5, 5), channels=2, kernel=(2, 2), stride=(2, 2), ceil_mode=True, pe=1),
    Thresholding(name="t", channels=16, pixels=9, pe=4, thresholds=np.zeros((16, 1), np.int64)),
    LabelSelect(name="l", labels=10, k=1, pe=1), LabelSelect(name="l", labels=12, k=3, pe=4),
    DataWidthConverter(name="d", elems=784, in_epw=56, out_epw=49),
    DataWidthConverter(name="d", elems=784, in_epw=49, out_epw=56),
    DataWidthConverter(name="d", elems=64, in_epw=8, out_epw=2),
    DataWidthConverter(name="d", elems=64, in_epw=2, out_epw=16),
    DataWidthConverter(name="d", elems=60, in_epw=6, out_epw=4),
    DuplicateStreams(name="f", channels=8, pixels=16, n=3, pe=2),
    AddStreams(name="a", channels=8, pixels=16, pe=4),
    StreamingConcat(name="c", channels=(4, 8, 12), pixels=9, pe=4),
    AveragePool(name="v", ifm_dim=(5, 5), channels=4, kernel=(2, 2), pe=2),
    GlobalAveragePool(name="g", channels=8, pixels=16, pe=8),
]


@pytest.mark.parametrize("u", UNITS, ids=lambda u: f"{type(u).__name__}-{u.shape()}-{u.folding()}")
def test_schedule_matches_cycles_and_ports(u: Unit):
    cyc = list(u.schedule())
    assert len(cyc) == u.cycles()
    reads = np.array([r for r, _ in cyc]).sum(0)
    writes = np.array([w for _, w in cyc]).sum(0)
    assert reads.tolist() == [p.words for p in u.in_ports()]
    assert writes.tolist() == [p.words for p in u.out_ports()]
    # the run-length form is the same schedule, compressed
    runs = u.schedule_runs()
    assert sum(n for n, _, _ in runs) == u.cycles()
    assert all(n > 0 for n, _, _ in runs)
    assert all(a[1:] != b[1:] for a, b in zip(runs, runs[1:]))  # adjacent runs differ


def test_mvau_reads_during_the_first_fold_only():
    u = _mvau(64, 32, 4, 8)  # SF = 8, NF = 8
    cyc = list(u.schedule())
    assert [r for (r,), _ in cyc[:8]] == [1] * 8 and all(r == 0 for (r,), _ in cyc[8:64])
    assert [i for i, (_, (w,)) in enumerate(cyc[:64]) if w] == [8 * k + 7 for k in range(8)]


def test_down_converter_reads_every_ratio_cycles():
    u = DataWidthConverter(name="d", elems=16, in_epw=8, out_epw=2)
    assert list(u.schedule()) == [((1,), (1,)), ((0,), (1,)), ((0,), (1,)), ((0,), (1,))] * 2


def test_a_unit_without_a_schedule_is_an_error():
    from hwgen.units import FIFO

    with pytest.raises(TypeError, match="does not implement schedule"):
        FIFO(name="f").schedule_runs()
    with pytest.raises(TypeError, match="does not implement schedule"):
        list(FIFO(name="f").schedule())


def test_runs_merge_equal_neighbours():
    r = Runs()
    r.add(2, (1,), (0,))
    r.add(3, (1,), (0,))
    r.add(0, (0,), (1,))
    r.add(1, (0,), (1,))
    assert r.runs == [(5, (1,), (0,)), (1, (0,), (1,))]
