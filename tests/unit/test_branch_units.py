"""The branch units' faces agree with each other: schedule() moves exactly the ports' words in
cycles() cycles, idle_cycles(i) is the longest run without a read of input i, legal foldings keep
one word size on every port; and a unit whose schedule drops a read is caught."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from hwgen.units import AddStreams, AveragePool, DuplicateStreams, GlobalAveragePool, StreamingConcat
from hwgen.units.base import Unit

UNITS = [
    DuplicateStreams(name="dup", channels=6, pixels=5, n=3, pe=2, dt="int4"),
    AddStreams(name="add", channels=6, pixels=5, pe=3, idt_a="int4", idt_b="int3", shift_a=1, odt="int6"),
    StreamingConcat(name="cat", channels=(6, 2, 4), pixels=3, pe=2, dt="binary"),
    AveragePool(name="avg", ifm_dim=(7, 5), channels=4, kernel=(2, 2), pe=2, idt="int8", odt="int10"),
    GlobalAveragePool(name="gap", channels=6, pixels=9, pe=3, idt="uint4", odt="uint10"),
]


def schedule_mismatch(u: Unit) -> str | None:
    """Why ``u.schedule()`` disagrees with its ports, cycles or idle_cycles (None: it agrees)."""
    steps = list(u.schedule())
    if len(steps) != u.cycles():
        return f"{len(steps)} scheduled cycles, cycles() = {u.cycles()}"
    reads = np.array([r for r, _ in steps]).reshape(len(steps), -1)
    writes = np.array([w for _, w in steps]).reshape(len(steps), -1)
    for i, p in enumerate(u.in_ports()):
        if reads[:, i].sum() != p.words:
            return f"input {i}: {reads[:, i].sum()} words read, the port has {p.words}"
        runs, run = [0], 0
        for r in reads[:, i]:
            run = 0 if r else run + 1
            runs.append(run)
        if max(runs) != u.idle_cycles(i):
            return f"input {i}: longest idle run {max(runs)}, idle_cycles() = {u.idle_cycles(i)}"
    for j, p in enumerate(u.out_ports()):
        if writes[:, j].sum() != p.words:
            return f"output {j}: {writes[:, j].sum()} words written, the port has {p.words}"
    return None


@pytest.mark.parametrize("u", UNITS, ids=lambda u: u.name)
def test_schedule_matches_ports_and_cycles(u):
    assert schedule_mismatch(u) is None


def test_a_schedule_that_drops_a_read_is_caught():
    @dataclass(frozen=True, eq=False)
    class Lossy(AddStreams):
        def schedule(self):
            steps = list(super().schedule())
            return iter([((1, 0), (1,))] + steps[1:])

    u = Lossy(name="lossy", channels=4, pixels=2, pe=2, odt="int9")
    assert "input 1" in schedule_mismatch(u)


@pytest.mark.parametrize("u", UNITS, ids=lambda u: u.name)
def test_every_legal_folding_keeps_whole_words(u):
    for choice in u.legal_foldings():
        v = u.evolve(**choice)
        assert all(p.elems % p.epw == 0 for p in v.in_ports() + v.out_ports())
        assert all(v.folding_error(k, x) is None for k, x in choice.items())


def test_concat_pe_must_divide_every_input():
    u = UNITS[2]
    assert [c["pe"] for c in u.legal_foldings()] == [1, 2]
    assert "does not divide every input" in u.folding_error("pe", 3)


def test_simulate_branch_units():
    rng = np.random.default_rng(0)
    a = rng.integers(-8, 8, (4, 5, 6))
    b = rng.integers(-4, 4, (4, 5, 6))
    outs = UNITS[0].simulate(a)
    assert len(outs) == 3 and all(o is a for o in outs)
    assert np.array_equal(UNITS[1].simulate(a, b), 2 * a + b)
    x = rng.integers(0, 2, (4, 3, 12))
    got = UNITS[2].simulate(x[..., :6], x[..., 6:8], x[..., 8:])
    assert np.array_equal(got, x)
    img = rng.integers(-128, 128, (2, 7, 5, 4))
    want = img[:, :6, :4].reshape(2, 3, 2, 2, 2, 4).sum(axis=(2, 4))
    assert np.array_equal(UNITS[3].simulate(img), want)  # the last row and column are dropped
    px = rng.integers(0, 16, (3, 9, 6))
    assert np.array_equal(UNITS[4].simulate(px).reshape(3, 6), px.sum(1))
