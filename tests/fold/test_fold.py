"""Folding optimizer: exactness against brute force, the CNV target, folding configs, errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from hwgen.analysis.estimate import estimate
from hwgen.core.boards import Board, load_board
from hwgen.core.datatypes import BINARY
from hwgen.core.errors import ConfigError
from hwgen.core.flow import compile_model
from hwgen.core.ir import Graph, Tensor
from hwgen.fold.common import FoldingError
from hwgen.fold.config import apply_folding_config, folding_config
from hwgen.fold.optimizer import (
    brute_force,
    build_groups,
    fold_for_fps,
    fold_max_throughput,
    min_max_fold,
)
from hwgen.units import MVAU, StreamingMaxPool

PYNQ = load_board("pynq-z1")


def small_graph(dims: list[tuple[int, int]]) -> Graph:
    """A chain of binary MVAUs of (mw, mh) with a max pool in the middle."""
    tensors = {"x": Tensor("x", (dims[0][0],), BINARY)}
    nodes = []
    prev = "x"
    for i, (mw, mh) in enumerate(dims):
        out = f"y{i}"
        tensors[out] = Tensor(out, (mh,), BINARY)
        u = MVAU(name=f"fc{i}", mw=mw, mh=mh, reps=2, weights=np.zeros((mh, mw), np.int8),
                 thresholds=np.zeros((mh, 1), np.int64), acc_dt="int8")
        nodes.append(u.to_node((prev,), (out,)))
        prev = out
    tensors["z"] = Tensor("z", (1, 1, dims[-1][1]), BINARY)
    nodes.append(StreamingMaxPool(name="pool", ifm_dim=(1, 1), channels=dims[-1][1], kernel=(1, 1),
                                  stride=(1, 1)).to_node((prev,), ("z",)))
    return Graph(nodes, tensors, ("x",), ("z",), name="small")


@pytest.mark.parametrize("lut,bram", [(2500, 2), (4000, 1), (6000, 4), (1500, 0)])
def test_optimizer_equals_brute_force(lut, bram):
    g = small_graph([(12, 8), (8, 6), (6, 4)])
    groups = build_groups(g, PYNQ)
    assert [len(gr.options) for gr in groups] == [6 * 4, 4 * 4, 4 * 3, 3]
    limit = (lut, bram, 10)
    got = min_max_fold(groups, limit)
    want = brute_force(groups, limit)
    if want is None:
        assert got is None
        return
    t, picks = got
    assert t == want[0]  # same bottleneck: optimal for the min-max objective
    assert max(o.cycles for o in picks) == t
    assert sum(o.cost for o in picks) == pytest.approx(want[1])  # and as cheap; float quantity
    assert all(sum(o.vec[r] for o in picks) <= limit[r] for r in range(3))


@pytest.fixture(scope="module")
def cnv(bnn_pynq):
    return compile_model(bnn_pynq("CNV_1W1A")[0]).stages["hardware"]


def test_cnv_pynq_beats_bnn_pynq_twice(cnv):
    g = fold_max_throughput(cnv, PYNQ, 0.8)
    est = estimate(g, PYNQ, 0.8)
    for k in ("lut", "bram18", "dsp"):
        assert est["totals"][k] <= 0.8 * PYNQ.capacity()[k], k
    assert est["fits_budget"]
    assert est["performance"]["fps"] >= 2 * 3050, est["performance"]
    # every unit legal: PE | MH, SIMD | MW, window SIMD = its MVAU's SIMD
    for n in g.nodes:
        if n.op == "MVAU":
            assert n.attrs["mh"] % n.attrs["pe"] == 0 and n.attrs["mw"] % n.attrs["simd"] == 0
            swu = g.producer(n.inputs[0])
            if swu is not None and swu.op == "SlidingWindow":
                assert swu.attrs["simd"] == n.attrs["simd"]


def test_target_fps_is_cheapest_meeting_it(cnv):
    g = fold_for_fps(cnv, PYNQ, 3000)
    est = estimate(g, PYNQ)
    assert est["performance"]["fps"] >= 3000
    fast = estimate(fold_max_throughput(cnv, PYNQ), PYNQ)
    assert est["totals"]["lut"] < fast["totals"]["lut"]
    # each group's choice is its cheapest reaching the target: one step less parallel misses it
    t = int(100e6 / 3000)
    for gr in build_groups(cnv, PYNQ):
        chosen = [o for o in gr.options if all(dict(a) == {k: g.node(nm).attrs[k] for k in dict(a)}
                                               for nm, a in o.attrs)]
        assert chosen and chosen[0].cycles <= t
        assert all(o.cost >= chosen[0].cost - 1e-12 for o in gr.options if o.cycles <= t)


def test_unreachable_fps_names_limit(cnv):
    # the first layer's window unit reads one RGB pixel per cycle: 32 x 32 pixels, the last
    # window's word and one pipeline fill/drain, 1033 cycles per frame at best
    with pytest.raises(FoldingError, match=r"fastest legal folding reaches 96805 FPS.*conv_features\.1") as e:
        fold_for_fps(cnv, PYNQ, 500000)
    assert "\n" not in str(e.value) and isinstance(e.value, ConfigError)


def test_model_too_big_for_board(cnv):
    tiny = Board("tiny", "xc7z007s", "zynq7000", 100.0, 64, lut=14400, ff=28800, bram18=100, uram=0, dsp=66)
    with pytest.raises(FoldingError, match=r"does not fit tiny .* BRAM18 .*\+\d+%") as e:
        fold_max_throughput(cnv, tiny, 0.8)
    assert "\n" not in str(e.value)


def test_folding_config_roundtrip_and_errors(cnv, tmp_path):
    g = fold_max_throughput(cnv, PYNQ)
    cfg = folding_config(g)
    assert cfg["Defaults"] == {} and cfg["/conv_features.4/Conv"].keys() == {"PE", "SIMD"}
    p = tmp_path / "f.json"
    p.write_text(json.dumps(cfg))
    again = apply_folding_config(cnv, p)
    assert folding_config(again) == cfg
    # only the MVAU's SIMD given: its window follows
    g2 = apply_folding_config(cnv, {"/conv_features.4/Conv": {"PE": 4, "SIMD": 8}})
    assert g2.node("/conv_features.4/Conv_swu").attrs["simd"] == 8
    with pytest.raises(FoldingError, match="unknown node 'nope'"):
        apply_folding_config(cnv, {"nope": {"PE": 1}})
    with pytest.raises(FoldingError, match=r"PE=3 does not divide MH=64"):
        apply_folding_config(cnv, {"/conv_features.4/Conv": {"PE": 3}})
    with pytest.raises(FoldingError, match="StreamingMaxPool.* has no SIMD; it takes PE"):
        apply_folding_config(cnv, {"/conv_features.7/MaxPool": {"SIMD": 2}})
