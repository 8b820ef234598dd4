"""Per-unit C++ tests: every library unit over shapes x PE x SIMD x datatypes, compiled once
(all configurations in one testbench binary) and compared with the unit's simulate() with ==."""

from __future__ import annotations

import numpy as np
import pytest
from codegen_helpers import compile_designs, needs_cxx

from hwgen.core.datatypes import DataType
from hwgen.core.ir import Graph, Tensor
from hwgen.units import (
    MVAU,
    AddStreams,
    AveragePool,
    DuplicateStreams,
    GlobalAveragePool,
    LabelSelect,
    SlidingWindow,
    StreamingConcat,
    StreamingMaxPool,
    Thresholding,
)

pytestmark = needs_cxx
RNG = np.random.default_rng(1234)
N = 12  # frames per configuration


def _graph(units, in_shape, in_dt, shapes_dts) -> Graph:
    """A linear graph of units: x -> u0 -> t0 -> u1 -> ... (shapes per output)."""
    tensors = {"x": Tensor("x", tuple(in_shape), DataType.parse(in_dt))}
    nodes, prev = [], "x"
    for i, (u, (shape, dt)) in enumerate(zip(units, shapes_dts)):
        out = f"t{i}"
        tensors[out] = Tensor(out, tuple(shape), DataType.parse(dt))
        nodes.append(u.to_node((prev,), (out,)))
        prev = out
    return Graph(nodes, tensors, ("x",), (prev,), name=units[0].name)


def _dag(name: str, in_shape, in_dt: str, steps, tensors: dict, out: str) -> Graph:
    """A DAG of units: ``steps`` = [(unit, inputs, outputs)], ``tensors`` = {name: (shape, dt)}."""
    ts = {"x": Tensor("x", tuple(in_shape), DataType.parse(in_dt))}
    ts.update({k: Tensor(k, tuple(sh), DataType.parse(dt)) for k, (sh, dt) in tensors.items()})
    nodes = [u.to_node(tuple(i), tuple(o)) for u, i, o in steps]
    return Graph(nodes, ts, ("x",), (out,), name=name)


def _branch_graphs():
    """Forks, adds, concats (any channel counts) and average pools, with converters between."""
    out = []
    # x -> fork -> (x, thresholds(x)) -> add with alignment shifts; PEs differ: converters
    for pe_d, pe_t, pe_a, sa, sb in [(2, 3, 6, 0, 1), (1, 1, 1, 2, 0), (6, 2, 3, 1, 3)]:
        px, c = 5, 6
        dup = DuplicateStreams(name=f"/add/dup_pe{pe_d}", channels=c, pixels=px, n=2, pe=pe_d, dt="int4")
        thr = Thresholding(name=f"/add/thr_pe{pe_t}", channels=c, pixels=px, pe=pe_t, idt="int4", odt="int3",
                           out_base=-4, thresholds=_thresholds(c, 7, -9, 8))
        lo, hi = (-8 << sa) + (-4 << sb), (7 << sa) + (3 << sb)
        odt = str(DataType.smallest(lo, hi))
        add = AddStreams(name=f"/add/add_pe{pe_a}_s{sa}{sb}", channels=c, pixels=px, pe=pe_a, idt_a="int4",
                         idt_b="int3", shift_a=sa, shift_b=sb, odt=odt)
        out.append(("add", _dag(add.name, (px, c), "int4",
                                [(dup, ["x"], ["a", "b"]), (thr, ["b"], ["t"]), (add, ["a", "t"], ["y"])],
                                {"a": ((px, c), "int4"), "b": ((px, c), "int4"), "t": ((px, c), "int3"),
                                 "y": ((px, c), odt)}, "y")))
    # x -> fork(3) -> concat(x, thresholds(x), MVAU(x)): 6 + 6 + 4 channels of int4
    for pe in (1, 2):
        px, c = 4, 6
        dup = DuplicateStreams(name=f"/cat3/dup_pe{pe}", channels=c, pixels=px, n=3, pe=2, dt="int4")
        thr = Thresholding(name=f"/cat3/thr_pe{pe}", channels=c, pixels=px, pe=3, idt="int4", odt="int4",
                           out_base=-8, thresholds=_thresholds(c, 15, -9, 8))
        mv = MVAU(name=f"/cat3/mvau_pe{pe}", mw=c, mh=4, reps=px, pe=2, simd=3, mode="int", idt="int4",
                  odt="int4", out_base=-8, acc_dt="int8", weights=RNG.integers(0, 2, (4, c)),
                  thresholds=_thresholds(4, 15, -48, 48))
        cat = StreamingConcat(name=f"/cat3/concat_pe{pe}", channels=(c, c, 4), pixels=px, pe=pe, dt="int4")
        out.append(("concat", _dag(cat.name, (px, c), "int4",
                                   [(dup, ["x"], ["a", "b", "c"]), (thr, ["b"], ["t"]), (mv, ["c"], ["m"]),
                                    (cat, ["a", "t", "m"], ["y"])],
                                   {"a": ((px, c), "int4"), "b": ((px, c), "int4"), "c": ((px, c), "int4"),
                                    "t": ((px, c), "int4"), "m": ((px, 4), "int4"), "y": ((px, 16), "int4")},
                                   "y")))
    # fork(4) -> concat of four copies (binary), and fork(2) -> concat of two
    for n in (2, 4):
        dup = DuplicateStreams(name=f"/cat{n}/dup", channels=8, pixels=3, n=n, pe=4, dt="binary")
        cat = StreamingConcat(name=f"/cat{n}/concat", channels=(8,) * n, pixels=3, pe=8, dt="binary")
        names = [f"c{i}" for i in range(n)]
        out.append(("concat", _dag(cat.name, (3, 8), "binary", [(dup, ["x"], names), (cat, names, ["y"])],
                                   {**{k: ((3, 8), "binary") for k in names}, "y": ((3, 8 * n), "binary")}, "y")))
    avgs = [((6, 6), 4, (2, 2), 2, "int8"), ((7, 5), 3, (2, 2), 3, "int4"),  # floor: last row/col dropped
            ((6, 6), 2, (3, 3), 1, "binary"), ((4, 6), 4, (2, 3), 4, "uint3"),
            ((4, 4), 12, (2, 2), 2, "int4"), ((2, 2), 3, (2, 2), 3, "int8")]  # C/PE 6 (memories), 1
    for dim, c, k, pe, dt in avgs:
        t = DataType.parse(dt)
        n = k[0] * k[1]
        odt = str(DataType.smallest(min(0, t.min * n), t.max * n))
        u = AveragePool(name=f"/avg/{dim[0]}x{dim[1]}x{c}_k{k[0]}{k[1]}_pe{pe}", ifm_dim=dim, channels=c,
                        kernel=k, pe=pe, idt=dt, odt=odt)
        oh, ow = u.ofm_dim
        out.append(("avgpool", _graph([u], (*dim, c), dt, [((oh, ow, c), odt)])))
    for px, c, pe, dt in [(9, 4, 2, "int8"), (5, 6, 3, "uint4"), (1, 3, 1, "int4"), (169, 8, 8, "int8"),
                          (4, 10, 2, "int4")]:  # C/PE = 5: the running sums in a memory
        t = DataType.parse(dt)
        odt = str(DataType.smallest(min(0, t.min * px), t.max * px))
        u = GlobalAveragePool(name=f"/gap/{px}x{c}_pe{pe}_{dt}", channels=c, pixels=px, pe=pe, idt=dt, odt=odt)
        out.append(("gap", _graph([u], (px, c), dt, [((1, 1, c), odt)])))
    return out


def _thresholds(rows: int, n: int, lo: int, hi: int) -> np.ndarray:
    return np.sort(RNG.integers(lo, hi + 1, size=(rows, n)), axis=1)


def _mvau_cases():
    cases = []
    # XNOR with one threshold, over PE x SIMD x reps
    for pe, simd, reps in [(1, 1, 1), (2, 4, 1), (8, 16, 3), (4, 2, 2)]:
        mw, mh = 16, 8
        u = MVAU(name=f"/xnor/pe{pe}_simd{simd}", mw=mw, mh=mh, reps=reps, pe=pe, simd=simd,
                 weights=RNG.integers(0, 2, (mh, mw)), thresholds=_thresholds(mh, 1, 0, mw + 1))
        cases.append((u, "binary", "binary"))
    # XNOR noact (signed accumulator out), wide SIMD (weight words > 64 bits: limbs)
    for pe, simd in [(3, 4), (1, 96)]:
        mw, mh = 96, 6
        u = MVAU(name=f"/xnor_noact/pe{pe}_simd{simd}", mw=mw, mh=mh, pe=pe, simd=simd, odt="int8",
                 acc_dt="int8", weights=RNG.integers(0, 2, (mh, mw)))
        cases.append((u, "binary", "int8"))
    # integer x binary weights, multi-bit thresholds (2-bit signed output)
    for idt, pe, simd in [("int8", 2, 3), ("uint4", 4, 9), ("int8", 1, 27)]:
        mw, mh = 27, 4
        u = MVAU(name=f"/intbin/{idt}_pe{pe}_simd{simd}", mw=mw, mh=mh, pe=pe, simd=simd, reps=2, mode="int",
                 idt=idt, odt="int2", out_base=-2, out_step=1, acc_dt="int14",
                 weights=RNG.integers(0, 2, (mh, mw)), thresholds=_thresholds(mh, 3, -300, 300))
        cases.append((u, idt, "int2"))
    # integer x integer weights: thresholds and noact, incl. 128-bit weight words
    for idt, wdt, pe, simd, act in [("uint2", "int3", 2, 4, True), ("int4", "int4", 5, 32, False),
                                    ("uint3", "uint2", 1, 1, False)]:
        mw, mh = 32, 10
        w = RNG.integers(DataType.parse(wdt).min, DataType.parse(wdt).max + 1, (mh, mw))
        u = MVAU(name=f"/intint/{idt}x{wdt}_pe{pe}_simd{simd}", mw=mw, mh=mh, pe=pe, simd=simd, mode="int",
                 binary_weights=False, idt=idt, wdt=wdt, acc_dt="int16", odt="uint2" if act else "int16",
                 weights=w, thresholds=_thresholds(mh, 3, -40, 40) if act else None)
        cases.append((u, idt, u.odt))
    # streams wider than ap_int's default 1024 bits (AP_INT_MAX_W): 600 x 2-bit input words
    w = RNG.integers(-2, 2, (4, 600))
    u = MVAU(name="/wide/int2x600", mw=600, mh=4, pe=2, simd=600, mode="int", binary_weights=False,
             idt="int2", wdt="int2", acc_dt="int12", odt="int12", weights=w)
    cases.append((u, "int2", "int12"))
    return cases


def _unit_graphs():
    out = []
    for u, idt, odt in _mvau_cases():
        in_shape = (u.reps, u.mw) if u.reps > 1 else (u.mw,)
        out_shape = (u.reps, u.mh) if u.reps > 1 else (u.mh,)
        out.append(("mvau", _graph([u], in_shape, idt, [(out_shape, odt)])))
    swus = [((5, 5), 4, (3, 3), (1, 1), (0, 0, 0, 0), 0, 1, "binary"),
            ((5, 5), 4, (3, 3), (2, 2), (1, 1, 1, 1), 1, 2, "binary"),
            ((6, 4), 6, (2, 3), (1, 2), (0, 1, 1, 0), 0, 3, "int8"),
            ((4, 4), 8, (3, 3), (1, 1), (1, 1, 1, 1), -3, 8, "int4"),
            ((7, 6), 2, (2, 2), (3, 3), (0, 0, 0, 0), 0, 2, "binary"),  # unused last rows: drained
            ((5, 5), 3, (1, 1), (2, 2), (0, 0, 0, 0), 0, 3, "int8"),  # stride > kernel
            ((5, 5), 3, (3, 3), (1, 1), (1, 1, 1, 1), 0, 9, "int8"),  # a window row per word
            ((6, 6), 2, (2, 3), (2, 1), (0, 1, 0, 1), 1, 12, "binary")]  # a whole window per word
    for dim, c, k, s, pads, pv, simd, dt in swus:
        u = SlidingWindow(name=f"/swu/{dim[0]}x{dim[1]}x{c}_k{k[0]}{k[1]}_simd{simd}", ifm_dim=dim, channels=c,
                          kernel=k, stride=s, pads=pads, pad_value=pv, simd=simd, idt=dt)
        oh, ow = u.ofm_dim
        out.append(("swu", _graph([u], (*dim, c), dt, [((oh, ow, k[0] * k[1] * c), dt)])))
    pools = [((4, 4), 4, (2, 2), (2, 2), (0, 0, 0, 0), False, 1, "binary", True),
             ((6, 6), 8, (2, 2), (2, 2), (0, 0, 0, 0), False, 4, "binary", True),
             ((5, 5), 6, (3, 3), (2, 2), (1, 1, 1, 1), True, 3, "int8", True),
             ((7, 5), 2, (3, 2), (2, 1), (0, 0, 0, 0), True, 2, "uint4", False),
             ((7, 7), 2, (2, 2), (3, 3), (0, 0, 0, 0), False, 1, "int8", True)]  # unused last rows
    for dim, c, k, s, pads, ceil, pe, dt, mask in pools:
        m = RNG.integers(0, 2, c).astype(bool) if mask else None
        u = StreamingMaxPool(name=f"/pool/{dim[0]}x{dim[1]}x{c}_pe{pe}_{dt}", ifm_dim=dim, channels=c, kernel=k,
                             stride=s, pads=pads, ceil_mode=ceil, pe=pe, idt=dt, min_mask=m)
        oh, ow = u.ofm_dim
        out.append(("pool", _graph([u], (*dim, c), dt, [((oh, ow, c), dt)])))
    for pe, n, idt, odt, base in [(1, 1, "int8", "binary", 0), (2, 3, "int8", "uint2", 0),
                                  (6, 3, "int12", "int2", -2), (3, 7, "uint5", "uint3", 0)]:
        lo, hi = DataType.parse(idt).min, DataType.parse(idt).max
        u = Thresholding(name=f"/thr/pe{pe}_{idt}_{n}", channels=6, pixels=5, pe=pe, idt=idt, odt=odt,
                         out_base=base, thresholds=_thresholds(6, n, lo - 1, hi + 1))
        out.append(("thr", _graph([u], (5, 6), idt, [((5, 6), odt)])))
    for labels, k, pe, idt in [(10, 1, 1, "int11"), (10, 3, 5, "int3"), (12, 4, 3, "uint2"), (7, 7, 7, "int8")]:
        u = LabelSelect(name=f"/ls/{labels}_k{k}_pe{pe}", labels=labels, k=k, pe=pe, idt=idt, odt="uint4")
        out.append(("ls", _graph([u], (labels,), idt, [((k,), "uint4")])))
    # a chain: MVAU (PE=2) -> LabelSelect (PE=5) needs a width converter between them
    mv = MVAU(name="/chain/fc", mw=8, mh=10, pe=2, simd=8, odt="int5", acc_dt="int5",
              weights=RNG.integers(0, 2, (10, 8)))
    ls = LabelSelect(name="/chain/argmax", labels=10, k=2, pe=5, idt="int5", odt="uint4")
    out.append(("dwc", _graph([mv, ls], (8,), "binary", [((10,), "int5"), ((2,), "uint4")])))
    return out + _branch_graphs()


GRAPHS = _unit_graphs()


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    return compile_designs([g for _, g in GRAPHS], tmp_path_factory.mktemp("units"))


def _codes(t: Tensor, n: int) -> np.ndarray:
    return RNG.integers(t.dtype.min, t.dtype.max + 1, size=(n, *t.shape))


@pytest.mark.parametrize("i", range(len(GRAPHS)), ids=[f"{k}:{g.name}" for k, g in GRAPHS])
def test_unit_csim_equals_simulate(compiled, i):
    from hwgen.sim.executor import execute

    _, g = GRAPHS[i]
    x = _codes(g.tensors["x"], N)
    want = execute(g, x)[g.outputs[0]].reshape(N, -1)
    got = compiled.run(i, x.reshape(N, -1))
    assert got.shape == want.shape
    assert np.array_equal(got, want), f"{g.name}: first mismatch at {np.argwhere(got != want)[0]}"


@pytest.fixture(scope="module")
def counting(tmp_path_factory):
    """The same designs compiled with HWGEN_COUNT_ITERATIONS: every pipelined loop counts."""
    from hwgen.backends.hls.codegen import write_design, write_testbench
    from hwgen.backends.hls.csim import compile_csim
    from hwgen.backends.hls.design import build_design

    root = tmp_path_factory.mktemp("units_count")
    designs = [build_design(g, 64, top=f"t{i}") for i, (_, g) in enumerate(GRAPHS)]
    for i, d in enumerate(designs):
        write_design(d, root / f"d{i}", f"test design {i}")
    write_testbench([(d, f"d{i}/top.hpp") for i, d in enumerate(designs)], root, ["tb.cpp", "all.cpp"])
    (root / "all.cpp").write_text("".join(f'#include "d{i}/top.cpp"\n' for i in range(len(designs))))
    compile_csim(root, ["tb.cpp", "all.cpp"], flags=("-std=c++14", "-O1", "-DHWGEN_COUNT_ITERATIONS"))
    return root, designs


@pytest.mark.parametrize("i", range(len(GRAPHS)), ids=[f"{k}:{g.name}" for k, g in GRAPHS])
def test_unit_cycles_equal_the_loop_iterations(counting, i):
    """cycles() of every unit (and TOTAL/min(IN, OUT) of every width converter) is exactly the
    number of pipelined-loop iterations the library runs per frame: at II = 1, its cycles; and
    loop_entries() the number of pipelined loops it enters (one fill and drain each)."""
    import itertools
    import subprocess

    from hwgen.units import unit_of

    root, designs = counting
    _, g = GRAPHS[i]
    d = designs[i]
    x = _codes(g.tensors["x"], 3).reshape(3, -1)
    fin, fout = root / f"in{i}.bin", root / f"out{i}.bin"
    np.ascontiguousarray(x, dtype="<i4").tofile(fin)
    r = subprocess.run([str(root / "csim"), str(fin), str(fout), "3", str(i)], capture_output=True, text=True,
                       check=False)
    assert r.returncode == 0, r.stderr
    got = int(r.stdout.split("loop iterations per frame")[0].split()[-1])
    entries = int(r.stdout.split("loop entries per frame")[0].split()[-1])
    units = [unit_of(n) for n in g.nodes]
    # the width converters the insert pass added: every stage's loop (dwc_chain: two)
    convs = [(c["targs"][:-2], c["targs"][-2]) for c in d.calls if c["func"] in ("dwc", "dwc_chain")]
    conv = sum(total // min(a, b) for w, total in convs for a, b in itertools.pairwise(w))
    assert got == sum(u.cycles() for u in units) + conv
    assert entries == sum(u.loop_entries() for u in units) + sum(len(w) - 1 for w, _ in convs)
