"""The reference: qonnx's ``execute_onnx`` on the original (cleaned) model."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hwgen.frontend import read_model


class Reference:
    """Runs the original QONNX model node by node with qonnx, one sample at a time."""

    def __init__(self, path: str | Path):
        self.model = read_model(path)
        inits = {i.name for i in self.model.graph.initializer}
        self.input = next(i.name for i in self.model.graph.input if i.name not in inits)
        self.outputs = [o.name for o in self.model.graph.output]

    def __call__(self, x: np.ndarray) -> list[np.ndarray]:
        from qonnx.core.onnx_exec import execute_onnx

        x = np.asarray(x, dtype=np.float32)
        per_sample = [execute_onnx(self.model, {self.input: x[i : i + 1]}) for i in range(len(x))]
        return [np.concatenate([r[o] for r in per_sample]) for o in self.outputs]
