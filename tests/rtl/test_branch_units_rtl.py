"""The branching units' Verilog (hwgen_duplicate, hwgen_add_streams, hwgen_concat, hwgen_avg_pool,
hwgen_global_avg_pool) over shapes x PE x datatypes, every configuration verilated into one
binary: each output stream equals the unit's simulate() with ==, the measured steady-state cycles
per frame equal its cycles() exactly, and under random back-pressure on every port (sources
holding back words, sinks dropping ready) the outputs are still equal."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from hwgen.backends.rtl import verilator as vl
from hwgen.core.datatypes import DataType
from hwgen.units import (
    AddStreams,
    AveragePool,
    DuplicateStreams,
    GlobalAveragePool,
    StreamingConcat,
)
from hwgen.units.cost import LUTRAM_MAX_DEPTH
from hwgen.units.rtl import STYLE_BRAM, STYLE_LUTRAM

pytestmark = pytest.mark.skipif(shutil.which("verilator") is None, reason="verilator not installed")
RNG = np.random.default_rng(2468)
N = 6  # frames per configuration


def _cases() -> list[tuple]:
    """(unit, input shapes per frame, input datatypes)."""
    cs = []
    for pixels, c, n, pe, dt in [(5, 4, 2, 1, "binary"), (3, 6, 3, 2, "int8"), (4, 8, 4, 8, "uint3"),
                                 (2, 6, 5, 3, "int4")]:
        u = DuplicateStreams(name=f"dup_{pixels}x{c}_n{n}_pe{pe}_{dt}", channels=c, pixels=pixels, n=n, pe=pe, dt=dt)
        cs.append((u, [(pixels, c)], [dt]))
    for pixels, c, pe, a, b, sa, sb, odt in [(4, 4, 1, "int8", "int8", 0, 0, "int9"),
                                             (3, 6, 3, "int6", "uint4", 2, 0, "int10"),
                                             (5, 8, 8, "uint3", "uint5", 0, 3, "uint9"),
                                             (2, 6, 2, "int4", "int8", 4, 1, "int10"),
                                             (3, 2, 1, "binary", "int2", 1, 2, "int5")]:
        u = AddStreams(name=f"add_{a}s{sa}_{b}s{sb}_pe{pe}", channels=c, pixels=pixels, pe=pe, idt_a=a, idt_b=b,
                       shift_a=sa, shift_b=sb, odt=odt)
        cs.append((u, [(pixels, c), (pixels, c)], [a, b]))
    for pixels, chans, pe, dt in [(4, (4, 3), 1, "binary"), (3, (2, 6, 4), 2, "int8"), (5, (8, 16), 8, "uint4"),
                                  (2, (3, 6, 9, 3), 3, "int5"), (3, (1, 5), 1, "int3")]:
        u = StreamingConcat(name=f"cat_{pixels}x{'+'.join(map(str, chans))}_pe{pe}_{dt}", channels=chans,
                            pixels=pixels, pe=pe, dt=dt)
        cs.append((u, [(pixels, c) for c in chans], [dt] * len(chans)))
    for dim, c, k, pe, idt, odt in [((4, 4), 2, (2, 2), 1, "int8", "int10"),
                                    ((5, 7), 6, (2, 3), 3, "uint4", "uint7"),  # floor: last row/column dropped
                                    ((6, 6), 4, (3, 3), 4, "int6", "int10"),  # C/PE = 1: the forwarded sum
                                    ((4, 6), 2, (2, 3), 2, "int8", "int12"),
                                    ((4, 4), 8, (2, 2), 2, "binary", "uint3"),
                                    ((3, 3), 1, (1, 1), 1, "int4", "int4"),
                                    ((2, 80), 1, (2, 2), 1, "int3", "int5")]:  # a 40-word row: BRAM
        u = AveragePool(name=f"avg_{dim[0]}x{dim[1]}x{c}_k{k[0]}{k[1]}_pe{pe}_{idt}", ifm_dim=dim, channels=c,
                        kernel=k, pe=pe, idt=idt, odt=odt)
        cs.append((u, [(*dim, c)], [idt]))
    for pixels, c, pe, idt, odt in [(16, 8, 1, "int6", "int10"), (9, 4, 4, "uint8", "uint12"), (1, 6, 2, "int4", "int4"),
                                    (25, 6, 3, "int8", "int13"), (4, 40, 1, "binary", "uint3")]:  # 40 sums: BRAM
        u = GlobalAveragePool(name=f"gap_{pixels}x{c}_pe{pe}_{idt}", channels=c, pixels=pixels, pe=pe, idt=idt,
                              odt=odt)
        cs.append((u, [(pixels, c)], [idt]))
    return cs


CASES = _cases()


@pytest.fixture(scope="module")
def harness():
    configs = []
    for u, _, _ in CASES:
        c = u.rtl_context()
        configs.append(vl.Config(c.module, vl.verilog_params(c.params, {}), c.in_width, c.out_width, c.summary,
                                 in_streams=tuple(s.width for s in c.inputs) if len(c.inputs) > 1 else (),
                                 out_streams=tuple(s.width for s in c.outputs) if len(c.outputs) > 1 else ()))
    return vl.build(configs), configs


def _run(harness, i, tmp_path, throttle=0):
    b, configs = harness
    u, shapes, dts = CASES[i]
    ctx = u.rtl_context()
    xs = [RNG.integers(DataType.parse(dt).min, DataType.parse(dt).max + 1, size=(N, *s)) for s, dt in zip(shapes, dts)]
    want = u.simulate(*xs)
    want = list(want) if isinstance(want, tuple) else [want]
    words = [vl.pack_words(x.reshape(N, -1), s.epw, s.bits, s.width) for x, s in zip(xs, ctx.inputs)]
    n_outs = [N * s.total // s.epw for s in ctx.outputs]
    r = vl.run_streams(b.exe, i, configs[i], words, n_outs, tmp_path, stall_limit=2_000, throttle=throttle, seed=i)
    assert not r.deadlock, f"{u.name}: no progress after {r.cycles} cycles"
    for k, (w, s) in enumerate(zip(want, ctx.outputs)):
        got = vl.unpack_words(r.out_words[k], s.epw, s.bits, s.signed).reshape(N, -1)
        w = np.asarray(w).reshape(N, -1).astype(np.int64)
        assert np.array_equal(got, w), f"{u.name} output {k}: first mismatch at {np.argwhere(got != w)[0]}"
    return u, ctx, r


@pytest.mark.parametrize("i", range(len(CASES)), ids=[c[0].name for c in CASES])
def test_branch_unit_rtl_equals_simulate(harness, i, tmp_path):
    u, ctx, r = _run(harness, i, tmp_path)
    for k, s in enumerate(ctx.outputs):
        measured = vl.frame_interval(r.t_outs[k], s.total // s.epw)
        assert measured == u.cycles(), f"{u.name} output {k}: {measured} cycles per frame, cycles() = {u.cycles()}"
    # the first word out comes ctx.latency cycles after the cycle its schedule writes it
    assert r.t_outs[0][0] - r.t_ins[0][0] == first_write(u) + ctx.latency, u.name


def first_write(u) -> int:
    """The cycle of one frame's schedule that first writes (counted from its first read)."""
    t = 0
    for n, _, w in u.schedule_runs():
        if any(w):
            return t
        t += n
    raise AssertionError(f"{u.name}: the schedule writes nothing")


@pytest.mark.parametrize("i", range(len(CASES)), ids=[c[0].name for c in CASES])
def test_branch_unit_rtl_under_backpressure(harness, i, tmp_path):
    _run(harness, i, tmp_path, throttle=35)


def test_memory_styles_follow_the_cost_model():
    """The partial sums sit in LUTRAM up to LUTRAM_MAX_DEPTH words and in BRAM beyond (as the estimate)."""
    styles = {u.name: u.rtl_context().params["STYLE"] for u, _, _ in CASES if "STYLE" in u.rtl_context().params}
    assert styles["avg_2x80x1_k22_pe1_int3"] == STYLE_BRAM and 80 // 2 > LUTRAM_MAX_DEPTH
    assert styles["gap_4x40_pe1_binary"] == STYLE_BRAM
    assert styles["avg_4x4x2_k22_pe1_int8"] == styles["gap_16x8_pe1_int6"] == STYLE_LUTRAM


def test_a_wrong_word_is_caught(harness, tmp_path):
    """Swapping the concat's inputs makes the comparison fail (the check can fail)."""
    b, configs = harness
    i = next(j for j, c in enumerate(CASES) if c[0].name.startswith("cat_4x4+3"))
    u, shapes, _ = CASES[i]
    ctx = u.rtl_context()
    xs = [RNG.integers(0, 2, size=(N, *s)) for s in shapes]
    words = [vl.pack_words(x.reshape(N, -1), s.epw, s.bits, s.width) for x, s in zip(xs, ctx.inputs)]
    r = vl.run_streams(b.exe, i, configs[i], words, [N * ctx.out_total], tmp_path)
    got = vl.unpack_words(r.words, 1, 1, False).reshape(N, -1)
    assert np.array_equal(got, u.simulate(*xs).reshape(N, -1))
    assert not np.array_equal(got, np.concatenate(xs[::-1], axis=-1).reshape(N, -1))
