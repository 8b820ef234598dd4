"""The Python API: one object per compiled model, as hls4ml users expect.

    import hwgen
    acc = hwgen.compile("model.onnx", board="pynq-z1")
    y = acc.predict(x)                      # bit-accurate simulator (host ops included)
    acc.verify(x)                           # every stage == qonnx execute_onnx, or VerificationError
    acc.folding["/features.2/MatMul"]["PE"] = 4   # editable, hwgen's or FINN's node names
    est = acc.estimate()                    # cycles, FPS, LUT/BRAM/DSP for that folding
    acc.build("build/m", csim=64)           # the HLS project, C-simulated on 64 inputs
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np

from hwgen.core.boards import Board, load_board
from hwgen.core.errors import VerificationError
from hwgen.core.flow import FlowState, load_flow, run_flow


class Accelerator:
    """A model compiled to hardware units for ``board``; folding chosen on first use."""

    def __init__(self, model: str | Path, board: str | Board = "pynq-z1", *, target_fps: float | None = None,
                 budget: float = 0.8, folding: dict[str, Any] | str | Path | None = None) -> None:
        self.model = Path(model)
        self._board_arg = board if isinstance(board, str) else None
        self.board = board if isinstance(board, Board) else load_board(board)
        self.target_fps, self.budget = target_fps, budget
        self._state = run_flow(["load", "streamline", "lower"], FlowState(self.model))
        self._folding: dict[str, Any] | None = None
        if folding is not None:
            self._folding = self._fold({"folding": folding}).artifacts["folding_config"]

    # -- graphs and folding ----------------------------------------------------------------------
    @property
    def stages(self) -> dict[str, Any]:
        """The float, integer and hardware graphs."""
        return dict(self._state.stages)

    def _options(self, **extra: Any) -> dict[str, Any]:
        return {"board": self.board, "budget": self.budget, "target_fps": self.target_fps, **extra}

    def _fold(self, extra: dict[str, Any]) -> FlowState:
        from hwgen.core.flow import get_step

        st = FlowState(self.model, options=self._options(**extra), stages=self._state.stages)
        return get_step("fold")(st)

    @property
    def folding(self) -> dict[str, Any]:
        """The folding as a folding-config dict ({node: {"PE": .., "SIMD": ..}}); edit it in place."""
        if self._folding is None:
            self._folding = self._fold({}).artifacts["folding_config"]
        return self._folding

    @folding.setter
    def folding(self, cfg: dict[str, Any] | str | Path) -> None:
        self._folding = self._fold({"folding": cfg}).artifacts["folding_config"]

    # -- the four verbs --------------------------------------------------------------------------------
    def predict(self, x: np.ndarray) -> np.ndarray:
        """The accelerator's outputs (with the host's ops) for inputs ``x`` (N, ...), bit-accurate."""
        from hwgen.sim.executor import simulate

        return simulate(self._state.stages["hardware"], np.asarray(x, dtype=np.float32))[0]

    def verify(self, x: np.ndarray | None = None, n: int = 1000, seed: int = 0):
        """Every stage against qonnx execute_onnx on the original model; raises VerificationError."""
        from hwgen.sim.verify import random_inputs, verify_state

        g = self._state.stages["float"]
        if x is None:
            x = random_inputs(tuple(g.tensors[g.inputs[0]].shape), n, seed)
        res = verify_state(self._state, np.asarray(x, dtype=np.float32))
        if not res.passed:
            bad = [f"{r.stage}: {r.mismatches}/{r.n}" for r in res.rows if not r.passed]
            raise VerificationError(f"{self.model.name}: verification failed ({', '.join(bad)})")
        return res

    def estimate(self) -> dict[str, Any]:
        """Cycles, FPS, latency, LUT/FF/BRAM18/URAM/DSP per unit and total, for ``self.folding``."""
        steps = [s for s in load_flow("estimate") if s not in ("load", "streamline", "lower", "report")]
        st = FlowState(self.model, options=self._options(folding=copy.deepcopy(self.folding)),
                       stages=self._state.stages)
        return run_flow(steps, st).artifacts["estimate"]

    def build(self, out: str | Path, csim: int = 0, force: bool = False, verify_n: int = 64) -> Path:
        """Write the HLS project for ``self.folding`` into ``out`` (C-simulated on ``csim`` inputs)."""
        from hwgen.app.build import run_build

        state = run_build(str(self.model), board=self._board_arg or self.board.name, out_dir=str(out),
                          force=force, flow="default",
                          verify_n=verify_n, csim_n=csim, folding=copy.deepcopy(self.folding),
                          budget=self.budget, target_fps=self.target_fps)
        return Path(state.artifacts["out_dir"])

    def __repr__(self) -> str:
        units = sum(1 for n in self._state.stages["hardware"].nodes if not n.attrs.get("host"))
        return f"Accelerator({self.model.name!r}, board={self.board.name!r}, {units} hardware units)"


def compile(model: str | Path, board: str | Board = "pynq-z1", **options: Any) -> Accelerator:
    """Load, streamline and lower ``model`` for ``board``: an :class:`Accelerator`."""
    return Accelerator(model, board, **options)
