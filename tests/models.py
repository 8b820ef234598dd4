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
