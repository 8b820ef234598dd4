"""Brevitas models the tests export to QONNX: each exercises a streamlining case."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from brevitas.core.restrict_val import RestrictValueType
from brevitas.core.scaling import ScalingImplType
from brevitas.core.stats import StatsOp
from brevitas.export import export_qonnx
from brevitas.nn import QuantConv2d, QuantIdentity, QuantLinear
from brevitas_examples.bnn_pynq.models.common import CommonActQuant, CommonWeightQuant
from torch import nn

from hwgen.zoo.bnn_pynq import randomize_batchnorm


class PerChannelBinaryWeight(CommonWeightQuant):
    """XNOR-Net style: per-output-channel scale = mean |W|."""

    scaling_impl_type = ScalingImplType.STATS
    scaling_stats_op = StatsOp.AVE
    scaling_per_output_channel = True


def sign(bits: int = 1) -> QuantIdentity:
    return QuantIdentity(act_quant=CommonActQuant, bit_width=bits)


def input_quant_8bit() -> QuantIdentity:
    return QuantIdentity(act_quant=CommonActQuant, bit_width=8, min_val=-1.0, max_val=1.0 - 2.0**-7,
                         narrow_range=False, restrict_scaling_type=RestrictValueType.POWER_OF_TWO)


def linear(i: int, o: int, per_channel: bool = False) -> QuantLinear:
    q = PerChannelBinaryWeight if per_channel else CommonWeightQuant
    return QuantLinear(i, o, bias=False, weight_quant=q, weight_bit_width=1)


def conv(i: int, o: int, k: int = 3, stride: int = 1, per_channel: bool = False, padding: int = 0) -> QuantConv2d:
    q = PerChannelBinaryWeight if per_channel else CommonWeightQuant
    return QuantConv2d(i, o, k, stride=stride, padding=padding, bias=False, weight_quant=q, weight_bit_width=1)


class ScalarAffine(nn.Module):
    """TensorNorm-like positive scalar affine before the class decision."""

    def __init__(self) -> None:
        super().__init__()
        self.a = nn.Parameter(torch.tensor(0.37))
        self.b = nn.Parameter(torch.tensor(-1.5))

    def forward(self, x):
        return x * self.a + self.b


class BinaryMLP(nn.Module):
    """TFC-like: bipolar input, 3 binary hidden layers, BatchNorm, no activation at the end."""

    input_shape = (1, 28, 28)

    def __init__(self, hidden: int = 64):
        super().__init__()
        self.inp = sign()
        layers: list[nn.Module] = []
        width = 784
        for _ in range(3):
            layers += [linear(width, hidden), nn.BatchNorm1d(hidden), sign()]
            width = hidden
        layers += [linear(width, 10), nn.BatchNorm1d(10)]
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return self.body(self.inp(2.0 * x.flatten(1) - 1.0))


class RSignRPReLU(nn.Module):
    """ReActNet: RPReLU (shift, PReLU with slope >= 0, shift) then RSign (shift, sign)."""

    def __init__(self, c: int):
        super().__init__()
        self.s1 = nn.Parameter(torch.randn(c) * 0.5)
        self.prelu = nn.PReLU(c)
        self.s2 = nn.Parameter(torch.randn(c) * 0.5)
        self.s3 = nn.Parameter(torch.randn(c) * 0.5)
        self.act = sign()
        with torch.no_grad():
            self.prelu.weight.uniform_(0.0, 0.5)

    def forward(self, x):
        shape = (1, -1) + (1,) * (x.dim() - 2)
        y = self.prelu(x - self.s1.view(shape)) + self.s2.view(shape)
        return self.act(y - self.s3.view(shape))


class BinaryCNN(nn.Module):
    """8-bit input; conv, +-1 padding, stride 2, max-pool after sign, per-channel weight scales,
    a 2-bit activation layer, RSign/RPReLU shifts, and a scalar affine before ArgMax."""

    input_shape = (3, 16, 16)

    def __init__(self, argmax: bool = True):
        super().__init__()
        self.argmax = argmax
        self.inp = input_quant_8bit()
        self.c1 = conv(3, 16, per_channel=True)  # 14x14
        self.b1 = nn.BatchNorm2d(16)
        self.a1 = sign()
        self.pad = nn.ConstantPad2d(1, -1.0)  # pad bipolar data with -1, as trained
        self.c2 = conv(16, 16, stride=2)  # 16 -> 7
        self.b2 = nn.BatchNorm2d(16)
        self.a2 = sign()
        self.pool = nn.MaxPool2d(2, ceil_mode=False)  # 7 -> 3, after the sign
        self.c3 = conv(16, 24, k=2)  # 3 -> 2
        self.b3 = nn.BatchNorm2d(24)
        self.a3 = sign(2)  # 2-bit activation: codes -1, 0, 1
        self.c4 = conv(24, 24, k=1, per_channel=True)
        self.b4 = nn.BatchNorm2d(24)
        self.react = RSignRPReLU(24)
        self.fc = linear(24 * 4, 10)
        self.norm = ScalarAffine()

    def forward(self, x):
        x = self.inp(2.0 * x - 1.0)
        x = self.a1(self.b1(self.c1(x)))
        x = self.a2(self.b2(self.c2(self.pad(x))))
        x = self.pool(x)
        x = self.a3(self.b3(self.c3(x)))
        x = self.react(self.b4(self.c4(x)))
        x = self.norm(self.fc(x.flatten(1)))
        return torch.argmax(x, dim=1, keepdim=True) if self.argmax else x


class PoolBeforeSign(nn.Module):
    """conv -> max-pool -> BN -> sign: the pool sits inside the chain, before BatchNorm, so channels
    with negative gamma (flipped into the weights) need a min-pool after thresholding."""

    input_shape = (1, 10, 10)

    def __init__(self):
        super().__init__()
        self.inp = sign()
        self.c1 = conv(1, 8)
        self.b1 = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.a1 = sign()
        self.fc = linear(8 * 16, 10)

    def forward(self, x):
        x = self.inp(x - 0.5)
        x = self.a1(self.b1(self.pool(self.c1(x))))
        return self.fc(x.flatten(1))


def randomize_bn(model: nn.Module, seed: int = 0, negative: float = 0.3) -> nn.Module:
    """Random BatchNorm statistics, a fraction of them with negative gamma."""
    return randomize_batchnorm(model, seed, negative)


def export(model: nn.Module, path: Path, dynamo: bool = False) -> Path:
    model.eval()
    x = torch.rand(1, *model.input_shape)
    if dynamo:
        export_qonnx(model, input_t=x, export_path=str(path))
    else:
        export_qonnx(model, input_t=x, export_path=str(path), dynamo=False)
    return path


def torch_forward(model: nn.Module, x: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return model(torch.from_numpy(x)).numpy()


def rand_inputs(shape, n: int, seed: int = 0) -> np.ndarray:
    """Uniform [0, 1) float32 inputs (N, *shape)."""
    return np.random.default_rng(seed).random((n, *shape), dtype=np.float32)


# -- branching blocks (issue 9) ----------------------------------------------------------------
def pow2_act(bits: int = 8) -> QuantIdentity:
    """A signed fixed-point activation quantizer with a power-of-two scale (FINN-style shortcut)."""
    from brevitas.quant.fixed_point import Int8ActPerTensorFixedPoint

    return QuantIdentity(act_quant=Int8ActPerTensorFixedPoint, bit_width=bits)


class ResNetBlock(nn.Module):
    """FINN-style residual block: the branch (sign -> 1x1 conv -> BN) and the shortcut both go
    through one shared 8-bit power-of-two quantizer, the sum is requantized, then sign -> FC."""

    input_shape = (2, 6, 6)

    def __init__(self):
        super().__init__()
        self.inp = input_quant_8bit()
        self.c0 = conv(2, 4)  # 6 -> 4, 8-bit input x binary weights
        self.b0 = nn.BatchNorm2d(4)
        self.shared = pow2_act(8)
        self.a1 = sign()
        self.c1 = conv(4, 4, k=1)
        self.b1 = nn.BatchNorm2d(4)
        self.requant = pow2_act(8)
        self.a2 = sign()
        self.fc = linear(4 * 16, 10)

    def forward(self, x):
        x = self.shared(self.b0(self.c0(self.inp(2.0 * x - 1.0))))
        y = self.shared(self.b1(self.c1(self.a1(x)))) + self.shared(x)
        return self.fc(self.a2(self.requant(y)).flatten(1))


class FloatShortcut(nn.Module):
    """Bi-Real without a quantizer on the branch: float BN output + 8-bit shortcut (refused)."""

    input_shape = (2, 6, 6)

    def __init__(self):
        super().__init__()
        self.inp = input_quant_8bit()
        self.c0 = conv(2, 4)
        self.b0 = nn.BatchNorm2d(4)
        self.q0 = pow2_act(8)
        self.a1 = sign()
        self.c1 = conv(4, 4, k=1)
        self.b1 = nn.BatchNorm2d(4)
        self.q1 = pow2_act(8)
        self.fc = linear(4 * 16, 10)

    def forward(self, x):
        x = self.q0(self.b0(self.c0(self.inp(2.0 * x - 1.0))))
        y = self.b1(self.c1(self.a1(x))) + x
        return self.fc(self.a1(self.q1(y)).flatten(1))


class RoundingScales(nn.Module):
    """Two addends through one quantizer whose constant scale (0.1) is not a power of two: the
    float sum of two dequantized codes rounds, so no integer add reproduces it (refused)."""

    input_shape = (2, 6, 6)

    def __init__(self):
        super().__init__()
        self.inp = input_quant_8bit()
        self.c0 = conv(2, 4)
        self.b0 = nn.BatchNorm2d(4)
        self.shared = QuantIdentity(act_quant=CommonActQuant, bit_width=8, scaling_impl_type=ScalingImplType.CONST,
                                    scaling_init=12.7, min_val=-12.8, max_val=12.7)
        self.a1 = sign()
        self.c1 = conv(4, 4, k=1)
        self.b1 = nn.BatchNorm2d(4)
        self.fc = linear(4 * 16, 10)

    def forward(self, x):
        x = self.shared(self.b0(self.c0(self.inp(2.0 * x - 1.0))))
        y = self.shared(self.b1(self.c1(self.a1(x)))) + x
        return self.fc(self.a1(y).flatten(1))


class DenseBlock(nn.Module):
    """DenseNet-style: torch.cat of two sign outputs (the input map and a new one), then a 1x1
    conv over the concatenation, sign, FC."""

    input_shape = (2, 6, 6)

    def __init__(self):
        super().__init__()
        self.inp = input_quant_8bit()
        self.c0 = conv(2, 4)
        self.b0 = nn.BatchNorm2d(4)
        self.a0 = sign()
        self.c1 = conv(4, 3, k=1)
        self.b1 = nn.BatchNorm2d(3)
        self.a1 = sign()
        self.c2 = conv(7, 4, k=1)
        self.b2 = nn.BatchNorm2d(4)
        self.a2 = sign()
        self.fc = linear(4 * 16, 10)

    def forward(self, x):
        a = self.a0(self.b0(self.c0(self.inp(2.0 * x - 1.0))))
        y = torch.cat([a, self.a1(self.b1(self.c1(a)))], 1)
        return self.fc(self.a2(self.b2(self.c2(y))).flatten(1))


class ReActNetReduction(nn.Module):
    """ReActNet reduction block (hwgen.zoo's: RSign, AvgPool2d(2) shortcut, two stride-2 binary
    convs added to it, RPReLU, concat to 2C), then global average pool, quantizer, FC."""

    input_shape = (2, 11, 11)

    def __init__(self):
        super().__init__()
        from hwgen.zoo.blocks import ReductionBlock, shortcut_quant
        from hwgen.zoo.methods import get_method

        self.inp = input_quant_8bit()
        self.c0 = conv(2, 4)  # 11 -> 9 (odd: the valid stride-2 convs and AvgPool2d(2) both give 4)
        self.b0 = nn.BatchNorm2d(4)
        self.q0 = shortcut_quant()
        self.red = ReductionBlock(4, get_method("reactnet"))  # 8x8x4 -> 4x4x8
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.q1 = shortcut_quant()
        self.fc = linear(8, 10)
        g = torch.Generator().manual_seed(5)
        with torch.no_grad():  # trained-looking RSign/RPReLU parameters (slopes >= 0)
            for name, p in self.red.named_parameters():
                if name.endswith(("beta", "gamma", "zeta")):
                    p.copy_(torch.randn(p.shape, generator=g) * 0.5)
                elif name.endswith("prelu.weight"):
                    p.copy_(torch.rand(p.shape, generator=g) * 0.5)

    def forward(self, x):
        x = self.q0(self.b0(self.c0(self.inp(2.0 * x - 1.0))))
        x = self.q1(self.gap(self.red(x)))
        return self.fc(x.flatten(1))
