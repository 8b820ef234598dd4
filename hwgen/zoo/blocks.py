"""Binary building blocks: activation, layers, RSign, RPReLU and the residual blocks."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from brevitas.nn import QuantConv2d, QuantIdentity, QuantLinear
from torch import Tensor, nn

import hwgen.zoo.quant as quant
from hwgen.zoo.grad import GradShape
from hwgen.zoo.methods import Method
from hwgen.zoo.transforms import add_weight_transforms


class RSign(nn.Module):
    """ReActNet RSign shift: x - beta per channel, in front of the sign (folds to thresholds)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.beta = nn.Parameter(torch.zeros(channels))

    def forward(self, x: Tensor) -> Tensor:  # noqa: D102
        shape = (1, -1) + (1,) * (x.dim() - 2)
        return x - self.beta.view(shape)


class RPReLU(nn.Module):
    """ReActNet RPReLU: PReLU(x - gamma) + zeta per channel.

    The slope must stay >= 0 so the chain is monotone and folds into thresholds: training
    clamps it after every optimizer step (`clamp_slope_`), export refuses a negative one.
    """

    def __init__(self, channels: int, init_slope: float = 0.25) -> None:
        super().__init__()
        self.gamma = nn.Parameter(torch.zeros(channels))
        self.prelu = nn.PReLU(channels, init=init_slope)
        self.zeta = nn.Parameter(torch.zeros(channels))

    def forward(self, x: Tensor) -> Tensor:  # noqa: D102
        shape = (1, -1) + (1,) * (x.dim() - 2)
        return self.prelu(x - self.gamma.view(shape)) + self.zeta.view(shape)

    @torch.no_grad()
    def clamp_slope_(self) -> None:
        """Keep the PReLU slope non-negative."""
        self.prelu.weight.clamp_(min=0.0)


class BinaryAct(nn.Module):
    """Bipolar activation: [RSign] -> GradShape(backward) -> Brevitas bipolar quantizer."""

    def __init__(self, channels: int, grad: str = "ste_clip", rsign: bool = False) -> None:
        super().__init__()
        self.rsign = RSign(channels) if rsign else None
        self.shape = GradShape(grad)
        self.quant = QuantIdentity(act_quant=quant.BipolarActSte)

    def forward(self, x: Tensor) -> Tensor:  # noqa: D102
        if self.rsign is not None:
            x = self.rsign(x)
        return self.quant(self.shape(x))


def binary_linear(in_f: int, out_f: int, method: Method) -> QuantLinear:
    """Bias-free QuantLinear with the method's weight quantizer, transform and backward."""
    layer = QuantLinear(in_f, out_f, bias=False, weight_quant=method.weight_quant)
    nn.init.uniform_(layer.weight, -1, 1)
    add_weight_transforms(layer, method.weight_transform, method.weight_grad)
    return layer


def binary_conv(in_ch: int, out_ch: int, method: Method, kernel: int = 3, stride: int = 1) -> QuantConv2d:
    """Bias-free valid QuantConv2d with the method's weight quantizer and backward."""
    layer = QuantConv2d(in_ch, out_ch, kernel, stride=stride, bias=False, weight_quant=method.weight_quant)
    nn.init.uniform_(layer.weight, -1, 1)
    add_weight_transforms(layer, method.weight_transform, method.weight_grad)
    return layer


def int_conv(in_ch: int, out_ch: int, kernel: int = 3) -> QuantConv2d:
    """Bias-free valid QuantConv2d with 4-bit power-of-two-scaled weights (a stem's first layer;
    PyTorch's default init, which the 2^-3 grid resolves)."""
    return QuantConv2d(in_ch, out_ch, kernel, bias=False, weight_quant=quant.Int4WeightConst)


def input_quant(bits: int) -> QuantIdentity:
    """Model input quantizer: bipolar for 1 bit, Q1.7-style signed fixed point otherwise."""
    if bits == 1:
        return QuantIdentity(act_quant=quant.BipolarActSte)
    return QuantIdentity(act_quant=quant.Int8InputQuant, bit_width=bits)


class PadBipolar(nn.Module):
    """Pad a bipolar tensor by `pad` pixels with +1 (never 0, which is not bipolar)."""

    def __init__(self, pad: int = 1, value: float = 1.0) -> None:
        super().__init__()
        self.pad, self.value = pad, value

    def forward(self, x: Tensor) -> Tensor:  # noqa: D102
        return F.pad(x, (self.pad,) * 4, value=self.value)


def shortcut_quant(bits: int = 6) -> QuantIdentity:
    """The quantizer of every shortcut tensor: one constant power-of-two scale (see quant.py)."""
    return QuantIdentity(act_quant=quant.ShortcutConstQuant, bit_width=bits)


class BiRealBlock(nn.Module):
    """Bi-Real block on a quantized shortcut stream x:
    out = q(RPReLU(q(BN(conv(sign(x)))) + x)) — the branch goes through the shortcut's
    quantizer before the Add (so the sum is an integer add, DESIGN §3), the sum is requantized.
    ``residual=False`` drops the shortcut (the plain model of the same shape)."""

    def __init__(self, channels: int, method: Method, shortcut_bits: int = 6, residual: bool = True) -> None:
        super().__init__()
        self.residual = residual
        self.act = BinaryAct(channels, method.act_grad, method.rsign)
        self.pad = PadBipolar(1)
        self.conv = binary_conv(channels, channels, method)
        self.bn = nn.BatchNorm2d(channels)
        self.branch_quant = shortcut_quant(shortcut_bits)
        self.rprelu = RPReLU(channels) if method.rprelu else None
        needs_requant = residual or self.rprelu is not None
        self.out_quant = shortcut_quant(shortcut_bits) if needs_requant else None

    def forward(self, x: Tensor) -> Tensor:  # noqa: D102
        y = self.branch_quant(self.bn(self.conv(self.pad(self.act(x)))))
        if self.residual:
            y = y + x
        if self.rprelu is not None:
            y = self.rprelu(y)
        return y if self.out_quant is None else self.out_quant(y)


class ReductionBlock(nn.Module):
    """ReActNet-style reduction C -> 2C, H -> floor(H/2) for odd H: two valid stride-2 binary 3x3
    convs share sign(x) ((H - 3) // 2 + 1 = (H - 1) / 2 rows, the AvgPool2d(2) shortcut's count);
    each is added to the AvgPool2d(2) shortcut (requantized), then RPReLU, requantized, and the
    two halves are concatenated (ReActNet's duplicated-shortcut channel expansion)."""

    def __init__(self, channels: int, method: Method, shortcut_bits: int = 6) -> None:
        super().__init__()
        self.act = BinaryAct(channels, method.act_grad, method.rsign)
        self.pool = nn.AvgPool2d(2)
        self.pool_quant = shortcut_quant(shortcut_bits)
        self.convs = nn.ModuleList([binary_conv(channels, channels, method, stride=2) for _ in range(2)])
        self.bns = nn.ModuleList([nn.BatchNorm2d(channels) for _ in range(2)])
        self.branch_quants = nn.ModuleList([shortcut_quant(shortcut_bits) for _ in range(2)])
        self.rprelus = nn.ModuleList([RPReLU(channels) for _ in range(2)]) if method.rprelu else None
        self.out_quants = nn.ModuleList([shortcut_quant(shortcut_bits) for _ in range(2)])

    def forward(self, x: Tensor) -> Tensor:  # noqa: D102
        a = self.act(x)
        s = self.pool_quant(self.pool(x))
        outs = []
        for i in range(2):
            y = self.branch_quants[i](self.bns[i](self.convs[i](a))) + s
            if self.rprelus is not None:
                y = self.rprelus[i](y)
            outs.append(self.out_quants[i](y))
        return torch.cat(outs, 1)


class DenseLayer(nn.Module):
    """BinaryDenseNet layer on a bipolar map: cat(x, sign(BN(conv(x)))) adds ``growth`` channels."""

    def __init__(self, channels: int, growth: int, method: Method) -> None:
        super().__init__()
        self.pad = PadBipolar(1)
        self.conv = binary_conv(channels, growth, method)
        self.bn = nn.BatchNorm2d(growth)
        self.act = BinaryAct(growth, method.act_grad, method.rsign)

    def forward(self, x: Tensor) -> Tensor:  # noqa: D102
        return torch.cat([x, self.act(self.bn(self.conv(self.pad(x))))], 1)
