"""Weight transforms applied before binarization, as torch parametrizations.

Standardization (IR-Net Libra-PB) and ReCU's centering/clamping change which latent
weights are positive. Export binarizes the stored weight tensor, so `bake` writes the
transformed weights into the parameter and removes the parametrization first.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn
from torch.nn.utils import parametrize

from hwgen.zoo.grad import GradShape


def _per_out_channel(w: Tensor) -> Tensor:
    return w.reshape(w.shape[0], -1)


class LibraPB(nn.Module):
    """IR-Net Libra-PB: per-output-channel W' = (W - mean) / std (balanced, standardized)."""

    def __init__(self, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps

    def forward(self, w: Tensor) -> Tensor:  # noqa: D102
        flat = _per_out_channel(w)
        mean = flat.mean(dim=1, keepdim=True)
        std = flat.std(dim=1, keepdim=True)
        return ((flat - mean) / (std + self.eps)).reshape(w.shape)


def recu_quantile(mean_abs: Tensor, tau: float) -> Tensor:
    """Tau-quantile of a zero-mean Laplace fit with E|w| = mean_abs: -E|w| * ln(2 - 2 tau)."""
    return -mean_abs * math.log(2.0 - 2.0 * tau)


class ReCU(nn.Module):
    """ReCU: per-channel standardization, then clamp at +-Q_tau (Laplace fit of |w|).

    `tau` is a buffer (saved with the weights), moved from 0.85 to 0.99 by `set_recu`.
    """

    def __init__(self, tau: float = 0.85, eps: float = 1e-5) -> None:
        super().__init__()
        self.register_buffer("tau", torch.tensor(float(tau)))
        self.eps = eps

    def forward(self, w: Tensor) -> Tensor:  # noqa: D102
        flat = _per_out_channel(w)
        flat = (flat - flat.mean(dim=1, keepdim=True)) / (flat.std(dim=1, keepdim=True) + self.eps)
        q = recu_quantile(flat.abs().mean(dim=1, keepdim=True).detach(), float(self.tau))
        return torch.maximum(torch.minimum(flat, q), -q).reshape(w.shape)


def recu_tau(progress: float, tau_start: float = 0.85, tau_end: float = 0.99) -> float:
    """Exponential (geometric) schedule tau_start * (tau_end / tau_start) ** progress."""
    p = min(max(progress, 0.0), 1.0)
    return tau_start * (tau_end / tau_start) ** p


def set_recu(model: nn.Module, progress: float) -> None:
    """Set tau of every ReCU transform in `model` for this training progress in [0, 1]."""
    tau = recu_tau(progress)
    for m in model.modules():
        if isinstance(m, ReCU):
            m.tau.fill_(tau)


def add_weight_transforms(layer: nn.Module, transform: str | None, grad: str) -> None:
    """Parametrize `layer.weight`: optional transform ('librapb' | 'recu'), then grad shape."""
    if transform == "librapb":
        parametrize.register_parametrization(layer, "weight", LibraPB())
    elif transform == "recu":
        parametrize.register_parametrization(layer, "weight", ReCU())
    elif transform is not None:
        raise ValueError(f"unknown weight transform {transform!r}")
    if grad != "ste":
        parametrize.register_parametrization(layer, "weight", GradShape(grad))


def latent_weight(layer: nn.Module) -> Tensor:
    """The trained (raw) weight tensor of a possibly parametrized layer."""
    if parametrize.is_parametrized(layer, "weight"):
        return layer.parametrizations.weight.original
    return layer.weight


def has_parametrizations(model: nn.Module) -> bool:
    """True if any submodule of `model` is parametrized."""
    return any(parametrize.is_parametrized(m) for m in model.modules())


def bake(model: nn.Module) -> nn.Module:
    """Write every parametrized weight's transformed value into the parameter (in place).

    Never call this on a `copy.deepcopy` of a parametrized model: the copy shares the
    dynamically created parametrized classes, and removal would break the original.
    """
    for m in list(model.modules()):
        if parametrize.is_parametrized(m):
            for name in list(m.parametrizations.keys()):
                parametrize.remove_parametrizations(m, name, leave_parametrized=True)
    return model
