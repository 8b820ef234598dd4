"""Shared fixtures for the training tests: one torch thread, seeded RNG, ONNX runner."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _seed() -> None:
    torch.manual_seed(0)


@pytest.fixture
def qonnx_run():
    """`run_qonnx` as a fixture (test modules here are not importable as a package)."""
    return run_qonnx


@pytest.fixture
def fit():
    """`quick_fit` as a fixture."""
    return quick_fit


def run_qonnx(path: Path, x: torch.Tensor) -> np.ndarray:
    """Execute an exported model with qonnx's reference executor, one sample at a time."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.util.cleanup import cleanup_model

    model = cleanup_model(ModelWrapper(str(path)))
    iname, oname = model.graph.input[0].name, model.graph.output[0].name
    outs = [execute_onnx(model, {iname: x[i : i + 1].numpy()})[oname] for i in range(len(x))]
    return np.concatenate(outs)


def quick_fit(model: torch.nn.Module, x: torch.Tensor, steps: int = 5) -> None:
    """A few Adam steps on a random target so BatchNorm statistics and weights move."""
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    y = torch.randint(0, 10, (len(x),))
    for _ in range(steps):
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
