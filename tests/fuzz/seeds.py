"""Small exported models the fuzzer mutates (TFC-like sizes, seconds to check)."""

from __future__ import annotations

from pathlib import Path

import models
import torch
from torch import nn


class QuantMLP(nn.Module):
    """8-bit signed input, binary weights, BatchNorm, a 2-bit Quant activation: Quant attributes
    (signed, narrow, rounding_mode, bit width, zero point) to mutate."""

    input_shape = (1, 8, 8)

    def __init__(self) -> None:
        super().__init__()
        self.inp = models.input_quant_8bit()
        self.fc1 = models.linear(64, 16)
        self.bn1 = nn.BatchNorm1d(16)
        self.act = models.sign(2)
        self.fc2 = models.linear(16, 10)
        self.bn2 = nn.BatchNorm1d(10)

    def forward(self, x):
        x = self.inp(2.0 * x.flatten(1) - 1.0)
        return self.bn2(self.fc2(self.act(self.bn1(self.fc1(x)))))


SEEDS = {
    "mlp": lambda: models.BinaryMLP(hidden=16),
    "qmlp": QuantMLP,
    "cnn": lambda: models.BinaryCNN(),
}


def export_seeds(root: Path) -> dict[str, Path]:
    """Export every seed model (random BatchNorm statistics, fixed seed) into ``root``."""
    paths = {}
    for name, build in SEEDS.items():
        torch.manual_seed(0)
        m = build()
        models.randomize_bn(m, seed=1)
        m.eval()
        paths[name] = models.export(m, root / f"{name}.onnx")
    return paths
