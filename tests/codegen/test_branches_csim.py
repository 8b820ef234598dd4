"""Branching blocks (residual add, dense concat, ReActNet reduction with average pools) in g++
C-simulation == the simulator, bit for bit, unfolded and with every unit at PE/SIMD up to 4
(width converters between branches that fold differently)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from codegen_helpers import compile_designs, needs_cxx

from hwgen.core.flow import compile_model
from hwgen.core.ir import Graph
from hwgen.sim.executor import execute
from hwgen.sim.verify import random_inputs
from hwgen.units import hardware_nodes, unit_of

sys.path.insert(0, str(Path(__file__).parents[1] / "sim"))
from test_branches_exact import BLOCKS  # noqa: E402

pytestmark = needs_cxx


def widen(g: Graph, most: int) -> Graph:
    """Every unit at its largest legal folding with each knob <= ``most``."""
    for n in hardware_nodes(g):
        legal = [c for c in unit_of(n).legal_foldings() if c and all(v <= most for v in c.values())]
        if legal:
            best = max(legal, key=lambda c: sorted(c.values()))
            g = g.replace_node(g.node(n.name), [g.node(n.name).with_attrs(**best)])
    return g


def test_branching_blocks_csim_equal_simulator(export_model, tmp_path):
    graphs = []
    for case in sorted(BLOCKS):
        path, _ = export_model(case, BLOCKS[case][0])
        hw = compile_model(path).stages["hardware"]
        graphs += [hw, widen(hw, 4)]
    compiled = compile_designs(graphs, tmp_path)
    for i, g in enumerate(graphs):
        d = compiled.designs[i]
        x = random_inputs(tuple(g.tensors[g.inputs[0]].shape), 24, seed=i)
        env = execute(g, x, keep=True)
        codes = env[d.in_tensor].reshape(24, -1)
        want = env[d.out_tensor].reshape(24, -1)
        got = compiled.run(i, codes)
        assert np.array_equal(got, want), f"design {i}: {int(np.any(got != want, 1).sum())}/24 inputs differ"
