"""Board tests: generated projects (HLS + Vivado scripts + driver) for both boards, compiled once."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "codegen"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from codegen_helpers import fold  # noqa: E402

from hwgen.core.ir import Graph  # noqa: E402

# (board, folding of TFC's four MVAUs): the two boards give 64- and 128-bit stream words
TFC_PROJECTS = {
    "pynq-z1": [(16, 49), (8, 16), (64, 64), (5, 2)],
    "zcu104": [(4, 784), (64, 8), (2, 32), (10, 64)],
}


@dataclass
class Project:
    board: object
    graph: Graph
    design: object
    root: Path

    @property
    def hls(self) -> Path:
        return self.root / "hls"


def make_project(g: Graph, board_name: str, root: Path, compile_: bool) -> Project:
    from hwgen.backends.board import generate_board
    from hwgen.backends.hls.codegen import generate
    from hwgen.backends.hls.csim import compile_csim
    from hwgen.core.boards import load_board

    b = load_board(board_name)
    d = generate(g, b, root)
    generate_board(g, b, d, root)
    if compile_:
        compile_csim(root / "hls", ["tb.cpp", "top.cpp"], flags=("-std=c++14", "-O1"))
    return Project(b, g, d, root)



@pytest.fixture(scope="session")
def tfc_projects(tfc_hw, tmp_path_factory) -> dict[str, Project]:
    """TFC_1W1A generated and g++-compiled for both boards (one compile per board per session)."""
    return {b: make_project(fold(tfc_hw, f), b, tmp_path_factory.mktemp(f"tfc_{b}"), True)
            for b, f in TFC_PROJECTS.items()}


@pytest.fixture(scope="session")
def tfc_scripts(tfc_hw, tmp_path_factory) -> dict[str, Project]:
    """TFC_1W1A generated (not compiled) for both boards: for the Tcl and Makefile checks."""
    return {b: make_project(fold(tfc_hw, f), b, tmp_path_factory.mktemp(f"tfcs_{b}"), False)
            for b, f in TFC_PROJECTS.items()}
