"""The cycle-level dataflow check and the FIFO depths it proves (issue 9, item 4).

The fork/join is a residual block of real units: DuplicateStreams, a 3x3 SlidingWindow + MVAU
on the long branch, the shortcut, AddStreams.
"""

from __future__ import annotations

import numpy as np
import pytest

from hwgen.analysis.dataflow import DeadlockError, deadlock_message
from hwgen.analysis.estimate import estimate
from hwgen.core.boards import load_board
from hwgen.core.datatypes import DataType
from hwgen.core.ir import Graph, Tensor
from hwgen.kernels.dataflow import Process, run
from hwgen.passes.fifo import refine_depths, size_fifos
from hwgen.passes.insert import insert_stream_nodes
from hwgen.sim.dataflow import build_network, run_network, simulate_dataflow
from hwgen.units import MVAU, AddStreams, DuplicateStreams, SlidingWindow

BOARD = load_board("pynq-z1")
AXI = BOARD.axi_port_bits


def _mvau(name, mw, mh, pe, simd, reps=1):
    w = np.random.default_rng(0).integers(0, 2, (mh, mw))
    return MVAU(name=name, mw=mw, mh=mh, pe=pe, simd=simd, reps=reps, weights=w,
                thresholds=np.zeros((mh, 1), np.int64), acc_dt="int16")


def residual(h: int = 8, c: int = 8, simd: int = 8, pe: int = 8) -> Graph:
    """x -> dup -> (3x3 window, pad 1 -> MVAU) + shortcut -> add: a residual block."""
    b = DataType.parse("binary")
    swu = SlidingWindow(name="swu", ifm_dim=(h, h), channels=c, kernel=(3, 3), pads=(1, 1, 1, 1), simd=simd)
    nodes = [
        DuplicateStreams(name="dup", channels=c, pixels=h * h, n=2, pe=c).to_node(("x",), ("a", "s")),
        swu.to_node(("a",), ("win",)),
        _mvau("conv", 9 * c, c, pe, simd, reps=h * h).to_node(("win",), ("y",)),
        AddStreams(name="add", channels=c, pixels=h * h, pe=c, idt_a="binary", idt_b="binary",
                   odt="uint2").to_node(("y", "s"), ("out",)),
    ]
    tensors = {t: Tensor(t, (1, h, h, c), b) for t in ("x", "a", "s", "y")}
    tensors["out"] = Tensor("out", (1, h, h, c), DataType.parse("uint2"))
    tensors["win"] = Tensor("win", (1, h, h, 9 * c), b)
    return Graph(nodes, tensors, ("x",), ("out",), name="residual")


def chain(units, in_size) -> Graph:
    nodes, tensors, prev = [], {"x": Tensor("x", (in_size,), DataType.parse("binary"))}, "x"
    for i, u in enumerate(units):
        tensors[f"t{i}"] = Tensor(f"t{i}", (u.mh,), DataType.parse("binary"))
        nodes.append(u.to_node((prev,), (f"t{i}",)))
        prev = f"t{i}"
    return Graph(nodes, tensors, ("x",), (prev,), name="chain")


def sized(g: Graph) -> Graph:
    return size_fifos(insert_stream_nodes(g, AXI))


# -- the fork/join ------------------------------------------------------------------------------

def test_burst_depths_deadlock_the_fork_and_the_check_names_the_fifos():
    # the per-edge burst rule gives the shortcut 2 words; the window needs 2 rows (16 words)
    # before the MVAU emits anything, so the fork stops on the full shortcut: a deadlock
    g = sized(residual())
    r = simulate_dataflow(g, AXI)
    assert r.deadlock and r.interval is None and r.latency is None
    assert "fifo_add_in1" in r.full
    assert "fifo_add_in0" in r.empty  # the adder waits on the long branch
    msg = deadlock_message(g, r)
    assert "\n" not in msg and "fifo_add_in1" in msg and "full" in msg


def test_computed_shortcut_depth_is_tight_and_reaches_the_estimate():
    g, info = refine_depths(sized(residual()), AXI)
    d = g.node("fifo_add_in1").attrs["depth"]
    assert info["burst_deadlock"] and "fifo_add_in1" in info["grown"] and d > 16  # two rows at least
    est = estimate(g, BOARD)
    r = simulate_dataflow(g, AXI, frames=6)
    assert not r.deadlock
    assert r.interval == est["performance"]["max_cycles"]  # the slowest unit, exactly
    assert r.intervals[-2:] == [r.interval] * 2  # steady state
    # one word less on the shortcut: a deadlock or a worse interval
    net = build_network(g, AXI)
    worse = run_network(net, 6, {"fifo_add_in1": d - 1})
    assert worse.deadlock or worse.interval > est["performance"]["max_cycles"]
    # and the estimate prices the deeper FIFO
    row = next(r for r in est["infrastructure"] if r["name"] == "fifo_add_in1")
    assert row["shape"].startswith(f"{d} x") and row["lut"] > 0


def test_every_grown_depth_is_tight():
    g, info = refine_depths(sized(residual(h=10, c=4, simd=4, pe=2)), AXI)
    net = build_network(g, AXI)
    assert info["grown"]
    for name, (_, d) in info["grown"].items():
        assert run_network(net, 4, {name: d}).ok
        assert not run_network(net, 4, {name: d - 1}).ok, name


# -- linear chains ------------------------------------------------------------------------------

def test_linear_chain_interval_equals_the_slowest_unit():
    g = sized(chain([_mvau("l0", 64, 64, 8, 8), _mvau("l1", 64, 64, 2, 8), _mvau("l2", 64, 16, 4, 4)], 64))
    est = estimate(g, BOARD)
    r = simulate_dataflow(g, AXI, frames=6)
    assert r.interval == est["performance"]["max_cycles"] and r.slowest == "l1"
    assert set(r.peak) == {n.name for n in g.nodes if n.op == "FIFO"}
    assert all(0 < r.peak[k] <= r.depth[k] for k in r.peak)


def test_a_too_shallow_fifo_slows_a_chain():
    # l1 reads its 8 input words in 8 cycles, then computes 8 more folds without reading: a
    # producer at 1 word a cycle needs the FIFO to hold a whole vector, else the chain stalls
    g = sized(chain([_mvau("l0", 16, 64, 64, 16), _mvau("l1", 64, 64, 8, 8), _mvau("l2", 64, 8, 8, 8)], 16))
    net = build_network(g, AXI)
    good = run_network(net, 6)
    assert good.ok
    slow = run_network(net, 6, {"fifo_l1": 1})
    assert not slow.deadlock and slow.interval > good.interval


def test_deadlock_fails_the_check_step():
    from pathlib import Path

    from hwgen.core.flow import FlowState, get_step

    state = FlowState(Path("m.onnx"), {"board": BOARD}, {"inserted": sized(residual())})
    with pytest.raises(DeadlockError, match=r"deadlocks .*full FIFOs: fifo_add_in1, .*empty: fifo_add_in0"):
        get_step("check")(state)
    ok, _ = refine_depths(sized(residual()), AXI)
    out = get_step("check")(FlowState(Path("m.onnx"), {"board": BOARD}, {"fifo": ok})).artifacts["dataflow"]
    assert out["matches_estimate"] and out["steady"] and not out["deadlock"]


# -- the engine ---------------------------------------------------------------------------------

def _schedule(rng, reads: int | None, writes: int | None) -> np.ndarray:
    """A random one-frame schedule reading ``reads`` and writing ``writes`` words in bursts."""
    n = max(reads or 0, writes or 0) + int(rng.integers(0, 40))
    cols = []
    for total in (reads, writes):
        if total is None:
            continue
        v = np.zeros(n, np.int64)
        v[np.sort(rng.choice(n, total, replace=False))] = 1
        if rng.integers(0, 2):  # a burst: the words at the start
            v[:] = 0
            v[:total] = 1
        cols.append(v)
    cyc = np.stack(cols, 1)
    runs, start = [], 0
    for i in range(1, n + 1):
        if i == n or (cyc[i] != cyc[start]).any():
            runs.append([i - start, *cyc[start]])
            start = i
    return np.array(runs, np.int64)


def _random_network(rng, n_fifos=5):
    words = [int(w) for w in rng.integers(1, 30, n_fifos)]
    procs = [Process((), (0,), _schedule(rng, None, words[0]))]
    for c in range(n_fifos - 1):
        procs.append(Process((c,), (c + 1,), _schedule(rng, words[c], words[c + 1])))
    procs.append(Process((n_fifos - 1,), (), _schedule(rng, words[-1], None)))
    return procs


def _random_fork_join(rng):
    """source -> fork -> (bursty process) + shortcut -> join -> sink: deadlocks when shallow."""
    w = int(rng.integers(4, 30))
    fork = _schedule(rng, w, w)
    fork = np.concatenate([fork, fork[:, 2:]], 1)  # the same words to both outputs
    both = _schedule(rng, w, w)
    join = np.concatenate([both[:, :2], both[:, 1:]], 1)  # both inputs in the same cycles
    return [Process((), (0,), _schedule(rng, None, w)), Process((0,), (1, 2), fork),
            Process((1,), (3,), _schedule(rng, w, w)), Process((3, 2), (4,), join),
            Process((4,), (), _schedule(rng, w, None))]


def _random_case(seed):
    rng = np.random.default_rng(seed)
    procs = _random_fork_join(rng) if seed % 2 else _random_network(rng)
    return procs, [int(c) for c in rng.integers(1, 16, 5)]


@pytest.mark.parametrize("seed", range(16))
def test_c_engine_equals_python(seed):
    # the C loop fast-forwards over repeated cycles; the Python loop steps every cycle
    procs, cap = _random_case(seed)
    a = run(procs, cap, 3, 100_000, use_c=True)
    b = run(procs, cap, 3, 100_000, use_c=False)
    assert (a.cycles, a.deadlock, a.blocked) == (b.cycles, b.deadlock, b.blocked)
    assert (a.done_at == b.done_at).all() and (a.peak == b.peak).all() and (a.occupancy == b.occupancy).all()
    assert (a.stalls == b.stalls).all()


def test_random_cases_cover_deadlocks_and_runs():
    dead = [run(*_random_case(seed), 3, 100_000).deadlock for seed in range(16)]
    assert 0 < sum(dead) < len(dead)


@pytest.mark.parametrize("shortcut", [2, 20, 23, 24, 40])
def test_c_engine_equals_python_on_a_residual_block(shortcut):
    net = build_network(sized(residual()), AXI)
    a = run_network(net, 3, {"fifo_add_in1": shortcut}, use_c=True)
    b = run_network(net, 3, {"fifo_add_in1": shortcut}, use_c=False)
    assert (a.completions, a.deadlock, a.full, a.empty, a.peak, a.cycles_run) == \
        (b.completions, b.deadlock, b.full, b.empty, b.peak, b.cycles_run)


def test_engine_depth_one_halves_the_rate():
    # producer and consumer at a word a cycle: depth 2 keeps the rate, depth 1 halves it
    procs = [Process((), (0,), np.array([[100, 1]])), Process((0,), (), np.array([[100, 1]]))]
    assert run(procs, [2], 1, 10_000).done_at[1, 0] == 100
    assert run(procs, [1], 1, 10_000).done_at[1, 0] == 2 * 100 - 1


def test_engine_reports_a_deadlock():
    # a join reading both inputs whose fork fills one of them: the classic shortcut deadlock
    fork = Process((), (0, 1), np.array([[10, 1, 1]]))
    long = Process((0,), (2,), np.array([[5, 1, 0], [5, 1, 1]]))
    join = Process((2, 1), (), np.array([[5, 1, 1]]))
    t = run([fork, long, join], [2, 2, 2], 1, 10_000)
    assert t.deadlock
    assert (0, 1, "full") in t.blocked and (2, 2, "empty") in t.blocked
    assert not run([fork, long, join], [2, 6, 2], 1, 10_000).deadlock
