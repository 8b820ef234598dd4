"""Fold: choose PE/SIMD per unit (the optimizer) or read them from a folding config."""

from __future__ import annotations

from hwgen.core.boards import Board, load_board
from hwgen.core.flow import FlowState, step
from hwgen.fold.config import apply_folding_config, folding_config
from hwgen.fold.optimizer import fold_for_fps, fold_max_throughput


@step("fold")
def _fold_step(state: FlowState) -> FlowState:
    """Fold by --folding, --target-fps, or for the highest throughput within --budget."""

    o = state.options
    board: Board = o.get("board") or load_board("pynq-z1")
    budget = float(o.get("budget") or 0.8)
    g = state.graph
    if o.get("folding"):
        g = apply_folding_config(g, o["folding"])
    elif o.get("target_fps"):
        g = fold_for_fps(g, board, float(o["target_fps"]), budget)
    else:
        g = fold_max_throughput(g, board, budget)
    cfg = folding_config(g)
    return state.with_stage("folded", g).with_artifact(folding_config=cfg)
