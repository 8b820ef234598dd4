"""Every Verilog unit of templates/rtl/lib over shapes x PE x SIMD x datatypes, all configurations
verilated into one binary: outputs equal the unit's simulate() with ==, and the measured
steady-state cycles per frame equal the unit's cycles() exactly; the bare FIFOs and width
converters run at one word a cycle on their wider side."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from hwgen.backends.rtl import verilator as vl
from hwgen.core.datatypes import DataType
from hwgen.units import MVAU, LabelSelect, SlidingWindow, StreamingMaxPool, Thresholding
from hwgen.units.rtl import (RtlContext, dwc_rtl, fifo_rtl, label_select_rtl, maxpool_rtl, mvau_rtl,
                             sliding_window_rtl, thresholding_rtl)

pytestmark = pytest.mark.skipif(shutil.which("verilator") is None, reason="verilator not installed")
RNG = np.random.default_rng(4321)
N = 8  # frames per configuration


def _thr(rows: int, n: int, lo: int, hi: int) -> np.ndarray:
    return np.sort(RNG.integers(lo, hi + 1, size=(rows, n)), axis=1)


class Case:
    """A unit (or a bare FIFO / width converter), its input shape and datatype, expected cycles."""

    def __init__(self, name, ctx: RtlContext, in_shape, in_dt, sim, cycles):
        self.name, self.ctx, self.in_shape, self.in_dt, self.sim, self.cycles = name, ctx, in_shape, in_dt, sim, cycles


def _unit(u, in_shape, in_dt, ctx_fn, cycles=None) -> Case:
    return Case(u.name, ctx_fn(u), in_shape, in_dt, u.simulate, u.cycles() if cycles is None else cycles)


def _cases() -> list[Case]:
    cs = []
    for pe, simd, reps in [(1, 1, 1), (2, 4, 1), (8, 16, 3), (4, 2, 2), (16, 64, 1)]:
        mw, mh = max(16, simd * 2), 16
        u = MVAU(name=f"xnor_pe{pe}_simd{simd}_r{reps}", mw=mw, mh=mh, reps=reps, pe=pe, simd=simd,
                 weights=RNG.integers(0, 2, (mh, mw)), thresholds=_thr(mh, 1, 0, mw + 1))
        cs.append(_unit(u, (reps, mw), "binary", mvau_rtl))
    for pe, simd in [(3, 4), (1, 96)]:
        u = MVAU(name=f"xnor_noact_pe{pe}_simd{simd}", mw=96, mh=6, pe=pe, simd=simd, odt="int8", acc_dt="int8",
                 weights=RNG.integers(0, 2, (6, 96)))
        cs.append(_unit(u, (96,), "binary", mvau_rtl))
    for idt, pe, simd in [("int8", 2, 3), ("uint4", 4, 9), ("int8", 1, 27)]:
        u = MVAU(name=f"intbin_{idt}_pe{pe}_simd{simd}", mw=27, mh=4, pe=pe, simd=simd, reps=2, mode="int",
                 idt=idt, odt="int2", out_base=-2, out_step=1, acc_dt="int14",
                 weights=RNG.integers(0, 2, (4, 27)), thresholds=_thr(4, 3, -300, 300))
        cs.append(_unit(u, (2, 27), idt, mvau_rtl))
    for idt, wdt, pe, simd, act in [("uint2", "int3", 2, 4, True), ("int4", "int4", 5, 32, False),
                                    ("uint3", "uint2", 1, 1, False)]:
        d = DataType.parse(wdt)
        u = MVAU(name=f"intint_{idt}x{wdt}_pe{pe}_simd{simd}", mw=32, mh=10, pe=pe, simd=simd, mode="int",
                 binary_weights=False, idt=idt, wdt=wdt, acc_dt="int16", odt="uint3" if act else "int16",
                 out_step=2 if act else 1, weights=RNG.integers(d.min, d.max + 1, (10, 32)),
                 thresholds=_thr(10, 3, -40, 40) if act else None)
        cs.append(_unit(u, (32,), idt, mvau_rtl))
    swus = [((5, 5), 4, (3, 3), (1, 1), (0, 0, 0, 0), 0, 1, "binary"),
            ((5, 5), 4, (3, 3), (2, 2), (1, 1, 1, 1), 1, 2, "binary"),
            ((6, 4), 6, (2, 3), (1, 2), (0, 1, 1, 0), 0, 3, "int8"),
            ((4, 4), 8, (3, 3), (1, 1), (1, 1, 1, 1), -3, 8, "int4"),
            ((7, 6), 2, (2, 2), (3, 3), (0, 0, 0, 0), 0, 2, "binary"),
            ((5, 5), 3, (1, 1), (2, 2), (0, 0, 0, 0), 0, 3, "int8"),
            ((5, 5), 3, (3, 3), (1, 1), (1, 1, 1, 1), 0, 9, "int8"),
            ((6, 6), 2, (2, 3), (2, 1), (0, 1, 0, 1), 1, 12, "binary"),
            ((8, 8), 3, (3, 3), (1, 1), (0, 0, 0, 0), 0, 3, "int8"),
            ((7, 7), 3, (3, 3), (2, 2), (1, 1, 1, 1), -1, 9, "int8"),  # wide: stride 2, padding
            ((6, 6), 2, (3, 3), (1, 1), (0, 0, 0, 0), 0, 6, "int4"),  # wide: 3 pixels = a window row
            ((5, 5), 3, (3, 3), (1, 1), (0, 0, 0, 0), 0, 27, "uint8")]  # wide: the whole window
    for dim, c, k, s, pads, pv, simd, dt in swus:
        u = SlidingWindow(name=f"swu_{dim[0]}x{dim[1]}x{c}_k{k[0]}{k[1]}_s{s[0]}{s[1]}_simd{simd}", ifm_dim=dim,
                          channels=c, kernel=k, stride=s, pads=pads, pad_value=pv, simd=simd, idt=dt)
        cs.append(_unit(u, (*dim, c), dt, sliding_window_rtl))
    pools = [((4, 4), 4, (2, 2), (2, 2), (0, 0, 0, 0), False, 1, "binary", True),
             ((6, 6), 8, (2, 2), (2, 2), (0, 0, 0, 0), False, 4, "binary", True),
             ((5, 5), 6, (3, 3), (2, 2), (1, 1, 1, 1), True, 3, "int8", True),
             ((7, 5), 2, (3, 2), (2, 1), (0, 0, 0, 0), True, 2, "uint4", False),
             ((7, 7), 2, (2, 2), (3, 3), (0, 0, 0, 0), False, 1, "int8", True)]
    for dim, c, k, s, pads, ceil, pe, dt, mask in pools:
        m = RNG.integers(0, 2, c).astype(bool) if mask else None
        u = StreamingMaxPool(name=f"pool_{dim[0]}x{dim[1]}x{c}_k{k[0]}{k[1]}_pe{pe}_{dt}", ifm_dim=dim, channels=c,
                             kernel=k, stride=s, pads=pads, ceil_mode=ceil, pe=pe, idt=dt, min_mask=m)
        cs.append(_unit(u, (*dim, c), dt, maxpool_rtl))
    for pe, n, idt, odt, base, step in [(1, 1, "int8", "binary", 0, 1), (2, 3, "int8", "uint2", 0, 1),
                                        (6, 3, "int12", "int4", -2, 2), (3, 7, "uint5", "uint3", 0, 1)]:
        d = DataType.parse(idt)
        u = Thresholding(name=f"thr_pe{pe}_{idt}_{n}", channels=6, pixels=5, pe=pe, idt=idt, odt=odt,
                         out_base=base, out_step=step, thresholds=_thr(6, n, d.min - 1, d.max + 1))
        cs.append(_unit(u, (5, 6), idt, thresholding_rtl))
    for labels, k, pe, idt in [(10, 1, 1, "int11"), (10, 3, 5, "int3"), (12, 4, 3, "uint2"), (7, 7, 7, "int8")]:
        u = LabelSelect(name=f"ls_{labels}_k{k}_pe{pe}", labels=labels, k=k, pe=pe, idt=idt, odt="uint4")
        cs.append(_unit(u, (labels,), idt, label_select_rtl))
    for a, b, total, bits in [(2, 5, 20, 3), (8, 2, 16, 1), (3, 5, 30, 4), (4, 4 * 6, 48, 2)]:
        cs.append(Case(f"dwc_{a}to{b}", dwc_rtl(a, b, bits, total), (total,), f"uint{bits}",
                       lambda x: x, max(total // a, total // b)))
    for depth, epw, bits in [(2, 3, 5), (40, 1, 16)]:
        cs.append(Case(f"fifo_{depth}", fifo_rtl(epw, bits, depth, 12 * epw), (12 * epw,), f"uint{bits}",
                       lambda x: x, 12))
    return cs


CASES = _cases()


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    d = tmp_path_factory.mktemp("rtl_units")
    configs = []
    for i, c in enumerate(CASES):
        files = {}
        for param, lines in c.ctx.mems.items():
            name = f"c{i}_{param}.mem"
            (d / name).write_text("\n".join(lines) + "\n")
            files[param] = name
        configs.append(vl.Config(c.ctx.module, vl.verilog_params(c.ctx.params, files), c.ctx.in_width,
                                 c.ctx.out_width, c.ctx.summary))
    return vl.build(configs), configs, d


@pytest.mark.parametrize("i", range(len(CASES)), ids=[c.name for c in CASES])
def test_unit_rtl_equals_simulate(harness, i):
    b, configs, d = harness
    c = CASES[i]
    dt = DataType.parse(c.in_dt)
    x = RNG.integers(dt.min, dt.max + 1, size=(N, *c.in_shape))
    want = np.asarray(c.sim(x)).reshape(N, -1).astype(np.int64)
    ctx = c.ctx
    words = vl.pack_words(x.reshape(N, -1), ctx.in_epw, ctx.in_bits, ctx.in_width)
    out_words = N * ctx.out_total // ctx.out_epw
    r = vl.run(b.exe, i, configs[i], words, out_words, d, stall_limit=10_000)
    assert not r.deadlock, f"{c.name}: no progress after {r.cycles} cycles"
    got = vl.unpack_words(r.words, ctx.out_epw, ctx.out_bits, ctx.out_signed).reshape(N, -1)
    assert got.shape == want.shape
    assert np.array_equal(got, want), f"{c.name}: first mismatch at {np.argwhere(got != want)[0]}"
    measured = vl.frame_interval(r.t_out, ctx.out_total // ctx.out_epw)
    assert measured == c.cycles, f"{c.name}: {measured} cycles per frame, cycles() = {c.cycles}"


def test_mismatch_is_caught(harness):
    """The comparison fails when one output code differs (a check that can fail)."""
    b, configs, d = harness
    c = CASES[0]
    x = RNG.integers(0, 2, size=(N, *c.in_shape))
    want = np.asarray(c.sim(x)).reshape(N, -1).astype(np.int64)
    r = vl.run(b.exe, 0, configs[0], vl.pack_words(x.reshape(N, -1), 1, 1, c.ctx.in_width),
               N * c.ctx.out_total // c.ctx.out_epw, d)
    got = vl.unpack_words(r.words, c.ctx.out_epw, c.ctx.out_bits, False).reshape(N, -1)
    got[3, 2] ^= 1
    assert not np.array_equal(got, want)
