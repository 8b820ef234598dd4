"""Backward passes of the binary sign: identity forward, shaped gradient.

A `GradShape` in front of a straight-through sign makes the sign's derivative equal to
`derivative(kind, x)`. In eval mode (and so at export) it is the identity and leaves no
node in the graph.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from hwgen.core.errors import HwgenError

GRAD_KINDS = ("ste", "ste_clip", "approxsign", "ede")


def derivative(kind: str, x: Tensor, t: float = 1.0, k: float = 1.0) -> Tensor:
    """The surrogate d sign(x)/dx of a backward kind.

    ste: 1; ste_clip (BinaryNet): 1 on |x| <= 1; approxsign (Bi-Real): 2+2x on [-1,0),
    2-2x on [0,1), 0 elsewhere; ede (IR-Net): k*t*(1 - tanh(t*x)^2).
    """
    if kind == "ste":
        return torch.ones_like(x)
    if kind == "ste_clip":
        return (x.abs() <= 1).to(x.dtype)
    if kind == "approxsign":
        return torch.where(x.abs() < 1, 2 - 2 * x.abs(), torch.zeros_like(x))
    if kind == "ede":
        return k * t * (1 - torch.tanh(t * x) ** 2)
    raise HwgenError(f"unknown gradient kind {kind!r}; use one of {', '.join(GRAD_KINDS)}")


class _ShapeFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: Tensor, kind: str, t: float, k: float) -> Tensor:  # noqa: D102
        ctx.save_for_backward(x)
        ctx.kind, ctx.t, ctx.k = kind, t, k
        return x.view_as(x)

    @staticmethod
    def backward(ctx, g: Tensor):  # noqa: D102
        (x,) = ctx.saved_tensors
        return g * derivative(ctx.kind, x, ctx.t, ctx.k), None, None, None


class GradShape(nn.Module):
    """Identity whose backward multiplies by `derivative(kind, x)`; `t`, `k` for EDE."""

    def __init__(self, kind: str = "ste_clip") -> None:
        super().__init__()
        if kind not in GRAD_KINDS:
            raise HwgenError(f"unknown gradient kind {kind!r}; use one of {', '.join(GRAD_KINDS)}")
        self.kind = kind
        self.t = 1.0
        self.k = 1.0

    def forward(self, x: Tensor) -> Tensor:  # noqa: D102
        if not self.training or not x.requires_grad or self.kind == "ste":
            return x
        return _ShapeFn.apply(x, self.kind, self.t, self.k)

    def extra_repr(self) -> str:  # noqa: D102
        return f"kind={self.kind}"


def ede_schedule(progress: float, t_min: float = 0.1, t_max: float = 10.0) -> tuple[float, float]:
    """IR-Net EDE (t, k) at training progress in [0, 1]: t = t_min*10^(p*log10(t_max/t_min)),
    k = max(1/t, 1)."""
    p = min(max(progress, 0.0), 1.0)
    t = t_min * 10 ** (p * math.log10(t_max / t_min))
    return t, max(1.0 / t, 1.0)


def set_ede(model: nn.Module, progress: float) -> None:
    """Set the EDE (t, k) of every EDE-shaped module in `model` for this training progress."""
    t, k = ede_schedule(progress)
    for m in model.modules():
        if isinstance(m, GradShape) and m.kind == "ede":
            m.t, m.k = t, k
