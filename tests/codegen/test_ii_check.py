"""The static II check (hwgen.units.hls_memory, hwgen.backends.hls.ii_check): UG1399's port rules
on partitioned/reshaped arrays, a deliberately unpartitioned array reported (and refused) at
II > 1, and the library headers carrying every pragma the units' array specs claim."""

from __future__ import annotations

import re

import numpy as np
import pytest

from hwgen.backends.hls.codegen import LIB_DIR
from hwgen.backends.hls.ii_check import report, require_ii_1
from hwgen.core.errors import CodegenError
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
from hwgen.units.hls_memory import ONE, RMW_DISTANCE, UNROLLED, ArraySpec, Dim, IICheck, pragmas, rmw_buffer


def test_unpartitioned_weights_give_ii_above_1_and_are_refused():
    # an MVAU with PE = 8 reading weights[pe][tile] left whole: 8 reads per cycle from one ROM
    bare = ArraySpec("w", (Dim(8, UNROLLED), Dim(64, ONE)), 32, rom=True)
    assert bare.banks() == 1 and bare.accesses_per_bank() == 8 and bare.ii() == 4
    check = IICheck("/fc1/MatMul", (bare,))
    assert report({"/fc1/MatMul": check})["/fc1/MatMul"]["ii_bound"] == 4
    with pytest.raises(CodegenError, match=r"^node '/fc1/MatMul': array 'w' is accessed 8 times per cycle in one "
                                           r"of its 1 bank\(s\), so its loop runs at II = 4, not 1"):
        require_ii_1({"/fc1/MatMul": check})
    # the same array split on PE: one read per bank
    split = ArraySpec("w", (Dim(8, UNROLLED, "complete"), Dim(64, ONE)), 32, rom=True)
    assert split.banks() == 8 and split.accesses_per_bank() == 1 and split.ii() == 1
    require_ii_1({"/fc1/MatMul": IICheck("/fc1/MatMul", (split,))})


def test_port_rules():
    # limbs read by an unrolled loop: whole, 4 accesses; reshaped, one wide word
    assert ArraySpec("w", (Dim(4, UNROLLED, "complete"), Dim(9, ONE), Dim(4, UNROLLED)), 256).ii() == 2
    assert ArraySpec("w", (Dim(4, UNROLLED, "complete"), Dim(9, ONE), Dim(4, UNROLLED, "reshape")), 256).ii() == 1
    # cyclic factor 2 on 8 unrolled reads: 4 per bank
    assert ArraySpec("a", (Dim(8, UNROLLED, "cyclic:2"),), 8).accesses_per_bank() == 4
    # a run-time index into a split dimension: the multiplexer reads each bank once
    ring = ArraySpec("ring", (Dim(4, ONE, "complete"), Dim(32, ONE)), 64, reads=1, writes=1)
    assert ring.accesses_per_bank() == 2 and ring.ii() == 1
    assert ArraySpec("ring", (Dim(4, ONE, "complete"), Dim(32, ONE)), 64, reads=2, writes=1).ii() == 2
    # everything split: registers, any number of accesses
    regs = ArraySpec("r", (Dim(3, UNROLLED, "complete"), Dim(3, UNROLLED, "complete")), 8, reads=9, writes=9)
    assert regs.registers() and regs.ii() == 1


def test_pragmas_follow_the_spec():
    a = ArraySpec("L_weights", (Dim(4, UNROLLED, "complete"), Dim(9, ONE), Dim(2, UNROLLED, "reshape")), 96,
                  storage="bram", rom=True)
    assert pragmas(a) == [
        "#pragma HLS ARRAY_PARTITION variable=L_weights dim=1 complete",
        "#pragma HLS ARRAY_RESHAPE variable=L_weights dim=3 complete",
        "#ifdef __VITIS_HLS__",
        "#pragma HLS BIND_STORAGE variable=L_weights type=rom_2p impl=bram",
        "#else",
        "#pragma HLS RESOURCE variable=L_weights core=ROM_2P_BRAM",
        "#endif",
    ]
    regs = ArraySpec("t", (Dim(2, UNROLLED, "complete"), Dim(1, ONE, "complete")), 8, rom=True)
    assert not any("BIND_STORAGE" in p for p in pragmas(regs))


RNG = np.random.default_rng(3)
UNITS = [
    MVAU(name="/a", mw=96, mh=8, pe=4, simd=96, weights=RNG.integers(0, 2, (8, 96)),
         thresholds=np.sort(RNG.integers(0, 97, (8, 1)), axis=1)),
    MVAU(name="/b", mw=27, mh=4, pe=2, simd=9, mode="int", idt="int8", odt="int2", out_base=-2, acc_dt="int14",
         weights=RNG.integers(0, 2, (4, 27)), thresholds=np.sort(RNG.integers(-99, 99, (4, 3)), axis=1)),
    SlidingWindow(name="/c", ifm_dim=(5, 5), channels=4, kernel=(3, 3), simd=2, idt="binary"),
    SlidingWindow(name="/d", ifm_dim=(5, 5), channels=3, kernel=(3, 3), pads=(1, 1, 1, 1), simd=9, idt="int8"),
    StreamingMaxPool(name="/e", ifm_dim=(4, 4), channels=4, kernel=(2, 2), stride=(2, 2), pe=2, idt="binary"),
    Thresholding(name="/f", channels=6, pixels=5, pe=3, idt="int8", odt="uint2",
                 thresholds=np.sort(RNG.integers(-9, 9, (6, 3)), axis=1)),
    LabelSelect(name="/g", labels=10, k=3, pe=5, idt="int8", odt="uint4"),
    DuplicateStreams(name="/h", channels=6, pixels=5, n=3, pe=2, dt="int4"),
    AddStreams(name="/i", channels=6, pixels=5, pe=3, idt_a="int4", idt_b="int3", shift_b=1, odt="int6"),
    StreamingConcat(name="/j", channels=(6, 4), pixels=3, pe=2, dt="binary"),
    AveragePool(name="/k", ifm_dim=(6, 6), channels=4, kernel=(2, 2), pe=2, idt="int8", odt="int10"),
    AveragePool(name="/k1", ifm_dim=(2, 2), channels=4, kernel=(2, 2), pe=4, idt="int8", odt="int10"),
    AveragePool(name="/k8", ifm_dim=(6, 6), channels=16, kernel=(2, 2), pe=2, idt="int8", odt="int10"),
    GlobalAveragePool(name="/l", channels=6, pixels=9, pe=3, idt="uint4", odt="uint8"),
    GlobalAveragePool(name="/l1", channels=6, pixels=9, pe=6, idt="uint4", odt="uint8"),
    GlobalAveragePool(name="/l8", channels=32, pixels=9, pe=4, idt="uint4", odt="uint8"),
]


@pytest.mark.parametrize("u", UNITS, ids=lambda u: f"{type(u).__name__}{u.name}")
def test_every_unit_is_ii_1_and_its_library_pragmas_exist(u):
    check = IICheck(u.name, tuple(u.hls_arrays()))
    assert check.ii_bound == 1, check.report()
    header = (LIB_DIR / f"{u.template}.hpp").read_text()
    for a in u.hls_arrays():
        if a.where != "lib":
            continue
        for i, d in enumerate(a.dims, start=1):
            if d.pragma == "complete":
                pat = rf"ARRAY_PARTITION variable={a.name}( dim=({i}|0))? complete"
                assert re.search(pat, header), f"{u.template}.hpp lacks {pat}"
        if a.raw_distance:  # a memory read back after it is written: the dependence is declared
            pat = rf"DEPENDENCE variable={a.name} inter RAW distance={RMW_DISTANCE} true"
            assert re.search(pat, header), f"{u.template}.hpp lacks {pat}"


def test_read_modify_write_buffers_are_registers_when_too_close_for_a_memory():
    # a memory read back one iteration after it is written cannot run at II = 1 (the case that
    # must fail), at RMW_DISTANCE it can; rmw_buffer keeps closer ones in registers
    close = ArraySpec("acc_m", (Dim(2, ONE),), 8, reads=1, writes=1, storage="lutram", raw_distance=1)
    assert close.ii() == RMW_DISTANCE
    assert ArraySpec("acc_m", (Dim(8, ONE),), 8, reads=1, writes=1, raw_distance=RMW_DISTANCE).ii() == 1
    for d in range(1, 2 * RMW_DISTANCE):
        a = rmw_buffer("acc", d, 8, d)
        assert a.ii() == 1 and a.registers() == (d < RMW_DISTANCE), a.report()
    # GlobalAveragePool at C/PE = 1 re-reads its sum every iteration: registers, not a memory
    gap = GlobalAveragePool(name="/g", channels=6, pixels=9, pe=6, idt="uint4", odt="uint8")
    assert [a.registers() for a in gap.hls_arrays()] == [True]
    # AveragePool at C/PE = 1: the horizontal sums in registers, the row (IW words apart) in memory
    avg = AveragePool(name="/a", ifm_dim=(8, 8), channels=4, kernel=(2, 2), pe=4, idt="int8", odt="int10")
    assert [(a.name, a.registers()) for a in avg.hls_arrays()] == [("hsum_r", True), ("row_m", False)]


def test_generate_writes_hls_check_and_refuses_ii_above_1(tfc_graph, tmp_path, monkeypatch):
    import json

    from codegen_helpers import fold

    from hwgen.backends.hls.codegen import generate
    from hwgen.core.boards import load_board

    g = fold(tfc_graph, [(16, 49), (8, 16), (64, 64), (5, 2)])
    generate(g, load_board("pynq-z1"), tmp_path / "ok")
    rep = json.loads((tmp_path / "ok" / "report" / "hls_check.json").read_text())
    # every unit, width converter and FIFO of the design, each at II = 1
    assert {n.name for n in g.nodes if n.op == "MVAU"} < set(rep) and any(k.startswith("fifo_") for k in rep)
    assert all(r["ii_bound"] == 1 for r in rep.values())
    first = rep["/features.2/MatMul"]["arrays"]["features_2_MatMul_weights"]
    assert (first["banks"], first["depth"], first["accesses_per_bank"], first["storage"]) == (16, 64, 1, "bram")
    # the same design with the weights left whole: refused before anything is written
    orig = MVAU.hls_arrays

    def unsplit(self):
        return tuple(ArraySpec(a.name, tuple(Dim(d.size, d.index) for d in a.dims), a.width, rom=a.rom)
                     if a.name.endswith("_weights") else a for a in orig(self))

    monkeypatch.setattr(MVAU, "hls_arrays", unsplit)
    with pytest.raises(CodegenError, match=r"^node '/features.2/MatMul': array 'features_2_MatMul_weights' is "
                                           r"accessed 16 times per cycle in one of its 1 bank\(s\), so its loop runs at II = 8"):
        generate(g, load_board("pynq-z1"), tmp_path / "bad")
    assert not (tmp_path / "bad").exists()


def test_every_registered_unit_describes_its_arrays_and_loops():
    """frame_cycles() (the estimate's) needs loop_entries() and hls_arrays() from every unit."""
    from hwgen.units import UNITS
    from hwgen.units.base import Unit

    for name, cls in UNITS.items():
        assert cls.loop_entries is not Unit.loop_entries, f"{name} lacks loop_entries()"
        assert cls.hls_arrays is not Unit.hls_arrays, f"{name} lacks hls_arrays()"


def test_the_library_declares_the_same_rmw_distance():
    text = (LIB_DIR / "common.hpp").read_text()
    assert re.search(rf"static const unsigned RMW_DISTANCE = {RMW_DISTANCE};", text)
