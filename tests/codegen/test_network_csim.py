"""Whole-network C-simulation == simulator, bit for bit: TFC_1W1A and CNV_1W1A, several foldings."""

from __future__ import annotations

import numpy as np
import pytest
from codegen_helpers import compile_designs, fold, needs_cxx

from hwgen.backends.hls.design import accelerator_nodes
from hwgen.sim.executor import execute
from hwgen.sim.verify import random_inputs

pytestmark = needs_cxx

# (pe, simd) per MVAU, in order
TFC_FOLDINGS = [
    [(1, 1)] * 4,
    [(16, 49), (8, 16), (64, 64), (5, 2)],
    [(4, 784), (64, 8), (2, 32), (10, 64)],
]
CNV_FOLDINGS = [
    # BNN-PYNQ's CNV-W1A1 folding (FINN), SlidingWindow SIMD = its MVAU's SIMD where it divides C
    ([(16, 3), (32, 32), (16, 32), (16, 32), (4, 32), (1, 32), (1, 4), (1, 8), (5, 1)], True),
    # wide PE/SIMD everywhere; SlidingWindows at SIMD 1 so width converters sit in front of MVAUs
    ([(64, 27), (16, 64), (32, 64), (8, 128), (32, 128), (16, 256), (64, 16), (8, 64), (2, 512)], False),
]


def _check(g_list, compiled, n, seed):
    for i, g in enumerate(g_list):
        nodes = accelerator_nodes(g)
        x = random_inputs(tuple(g.tensors[g.inputs[0]].shape), n, seed + i)
        env = execute(g, x, keep=True)
        codes = env[nodes[0].inputs[0]].reshape(n, -1)
        want = env[nodes[-1].outputs[0]].reshape(n, -1)
        got = compiled.run(i, codes)
        assert np.array_equal(got, want), f"design {i}: {int(np.any(got != want, 1).sum())}/{n} inputs differ"


def test_tfc_csim_equals_simulator(tfc_graph, tmp_path):
    graphs = [fold(tfc_graph, f) for f in TFC_FOLDINGS]
    compiled = compile_designs(graphs, tmp_path)
    _check(graphs, compiled, 256, 0)


def test_cnv_csim_equals_simulator(cnv_graph, tmp_path):
    graphs = [fold(cnv_graph, f, swu) for f, swu in CNV_FOLDINGS]
    compiled = compile_designs(graphs, tmp_path)
    _check(graphs, compiled, 16, 100)


@pytest.mark.slow
def test_cnv_unfolded_csim(cnv_graph, tmp_path):
    """PE = SIMD = 1 everywhere (the slowest C-simulation: about 3 s per image)."""
    compiled = compile_designs([cnv_graph], tmp_path)
    _check([cnv_graph], compiled, 4, 7)
