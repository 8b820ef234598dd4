"""Helpers for the C-simulation tests: model export, folding, a multi-design compiler."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from hwgen.backends.hls.codegen import write_design, write_testbench
from hwgen.backends.hls.design import Design, build_design
from hwgen.core.ir import Graph

needs_cxx = pytest.mark.skipif(shutil.which("g++") is None, reason="g++ not installed")


def export_bnn_pynq(name: str, path: Path, seed: int = 0) -> Path:
    """Export a brevitas_examples BNN-PYNQ model with random BatchNorm statistics (negative gammas too)."""
    from hwgen.zoo.bnn_pynq import export_bnn_pynq as export

    return export(name, path, seed)


def fold(g: Graph, folding: Sequence[tuple[int, int]], swu_follows_mvau: bool = True) -> Graph:
    """Set (pe, simd) on the MVAUs in order; a SlidingWindow takes its MVAU's SIMD (or 1)."""
    mvaus = [n for n in g.nodes if n.op == "MVAU"]
    assert len(mvaus) == len(folding)
    for n, (pe, simd) in zip(mvaus, folding):
        g = g.replace_node(g.node(n.name), [g.node(n.name).with_attrs(pe=pe, simd=simd)])
        prod = g.producer(n.inputs[0])
        if prod is not None and prod.op == "SlidingWindow":
            s = simd if swu_follows_mvau and prod.attrs["channels"] % simd == 0 else 1
            g = g.replace_node(prod, [prod.with_attrs(simd=s)])
    return g


class Compiled:
    """Several designs compiled into one testbench binary (one g++ run)."""

    def __init__(self, root: Path, designs: list[Design]):
        self.root, self.designs = root, designs

    def run(self, i: int, codes: np.ndarray) -> np.ndarray:
        from hwgen.backends.hls.csim import run_csim

        y, _, _ = run_csim(self.root, codes, self.designs[i].out_port["elems"], design=i)
        return y


def compile_designs(graphs: Sequence[Graph], root: Path, axi_bits: int = 64) -> Compiled:
    """Generate every graph as design t<i> under root/d<i>/ and compile them into root/csim."""
    from hwgen.backends.hls.csim import compile_csim

    designs = [build_design(g, axi_bits, top=f"t{i}") for i, g in enumerate(graphs)]
    for i, d in enumerate(designs):
        write_design(d, root / f"d{i}", f"test design {i}")
    unity = "".join(f'#include "d{i}/top.cpp"\n' for i in range(len(designs)))
    write_testbench([(d, f"d{i}/top.hpp") for i, d in enumerate(designs)], root, ["tb.cpp", "all.cpp"])
    (root / "all.cpp").write_text(unity)
    compile_csim(root, ["tb.cpp", "all.cpp"], flags=("-std=c++14", "-O1"))
    return Compiled(root, designs)
