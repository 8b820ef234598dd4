"""Sign-flip metrics of binary weights: FF-ratio (epoch to epoch) and C2I-ratio (vs init)."""

from __future__ import annotations

import torch
from brevitas.nn import QuantConv2d, QuantLinear
from torch import Tensor, nn


def binary_layers(model: nn.Module) -> list[nn.Module]:
    """Every layer with binarized weights, in module order."""
    return [m for m in model.modules() if isinstance(m, QuantLinear | QuantConv2d)]


@torch.no_grad()
def weight_signs(model: nn.Module) -> Tensor:
    """Flat bool tensor: sign (>= 0) of every weight as the quantizer sees it (post-transform)."""
    return torch.cat([(m.weight >= 0).flatten() for m in binary_layers(model)]).cpu()


def flip_ratio(before: Tensor, after: Tensor) -> float:
    """Fraction of entries whose sign differs between two sign tensors of the same shape."""
    if before.shape != after.shape:
        raise ValueError(f"sign tensors differ in shape: {before.shape} vs {after.shape}")
    return float((before != after).float().mean()) if before.numel() else 0.0


class FlipTracker:
    """Remembers the initial and previous signs; `update` returns (ff_ratio, c2i_ratio)."""

    def __init__(self, model: nn.Module) -> None:
        self.initial = weight_signs(model)
        self.previous = self.initial

    def update(self, model: nn.Module) -> tuple[float, float]:
        """FF-ratio since the previous call (or init), C2I-ratio since initialisation."""
        current = weight_signs(model)
        ff = flip_ratio(self.previous, current)
        c2i = flip_ratio(self.initial, current)
        self.previous = current
        return ff, c2i
