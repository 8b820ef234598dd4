"""Zoo model classes: BNN-PYNQ-style MLPs and CNV, and small residual and dense CNNs (Bi-Real, ReActNet, BinaryDenseNet).

Conventions that make exports compile exactly in hwgen: input quantizer first; bias-free
binary layers; BatchNorm then a bipolar activation after each layer; the last layer ends
in a positive scalar affine (TensorNorm); valid convolutions (or +1 padding of bipolar maps).
"""

from __future__ import annotations

import math

from brevitas_examples.bnn_pynq.models.tensor_norm import TensorNorm
from torch import Tensor, nn

from hwgen.zoo.blocks import (
    BinaryAct,
    BiRealBlock,
    DenseLayer,
    ReductionBlock,
    RPReLU,
    binary_conv,
    binary_linear,
    input_quant,
    int_conv,
    shortcut_quant,
)
from hwgen.zoo.methods import Method

CNV_CONVS = ((64, False), (64, True), (128, False), (128, True), (256, False), (256, False))
CNV_FCS = (512, 512)



def binary_block(layer: nn.Module, norm: nn.Module, channels: int, method: Method) -> list[nn.Module]:
    """layer -> BatchNorm -> (RPReLU) -> binary activation, the unit every zoo network repeats."""
    mods = [layer, norm]
    if method.rprelu:
        mods.append(RPReLU(channels))
    mods.append(BinaryAct(channels, method.act_grad, method.rsign))
    return mods

class BinaryMLP(nn.Module):
    """Input quantizer, then (binary linear, BN, [RPReLU], bipolar act) per hidden layer."""

    def __init__(
        self,
        input_shape: tuple[int, ...],
        hidden: tuple[int, ...],
        num_classes: int,
        method: Method,
        in_bits: int = 1,
    ) -> None:
        super().__init__()
        self.method = method
        self.input_quant = input_quant(in_bits)
        layers: list[nn.Module] = []
        in_f = math.prod(input_shape)
        for out_f in hidden:
            layers += binary_block(binary_linear(in_f, out_f, method), nn.BatchNorm1d(out_f), out_f, method)
            in_f = out_f
        layers += [binary_linear(in_f, num_classes, method), TensorNorm()]
        self.features = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:  # noqa: D102
        x = self.input_quant(x)
        return self.features(x.reshape(x.shape[0], -1))


class CNV(nn.Module):
    """BNN-PYNQ CNV: 3x3 valid convs 64, 64+pool, 128, 128+pool, 256, 256; FC 512, 512, N."""

    def __init__(
        self, in_channels: int, num_classes: int, method: Method, in_bits: int = 8
    ) -> None:
        super().__init__()
        self.method = method
        self.input_quant = input_quant(in_bits)
        layers: list[nn.Module] = []
        ch = in_channels
        for out_ch, pool in CNV_CONVS:
            layers += binary_block(binary_conv(ch, out_ch, method), nn.BatchNorm2d(out_ch, eps=1e-4), out_ch, method)
            if pool:
                layers.append(nn.MaxPool2d(2))
            ch = out_ch
        self.convs = nn.Sequential(*layers)
        fcs: list[nn.Module] = []
        in_f = ch
        for out_f in CNV_FCS:
            fcs += binary_block(binary_linear(in_f, out_f, method), nn.BatchNorm1d(out_f, eps=1e-4), out_f, method)
            in_f = out_f
        fcs += [binary_linear(in_f, num_classes, method), TensorNorm()]
        self.fcs = nn.Sequential(*fcs)

    def forward(self, x: Tensor) -> Tensor:  # noqa: D102
        x = self.convs(self.input_quant(x))
        return self.fcs(x.reshape(x.shape[0], -1))


def stem(in_channels: int, channels: int, out: nn.Module) -> nn.Sequential:
    """The CNNs' stem: a valid 3x3 conv with 4-bit weights on the 8-bit input (28 -> 26), BatchNorm,
    the output quantizer ``out`` (6-bit shortcut or bipolar), max-pool 2 (-> 13x13): the blocks
    then run at a quarter of the pixels, which buys the width that binary layers need."""
    return nn.Sequential(int_conv(in_channels, channels), nn.BatchNorm2d(channels), out, nn.MaxPool2d(2))


class ResidualCNN(nn.Module):
    """Bi-Real-style CNN for 1x28x28: stem (13x13xC), 2 residual blocks, max-pool, 2 residual
    blocks (6x6xC), a binary-weight FC on the 6-bit features.

    Every shortcut tensor is 6-bit with one constant power-of-two scale, so each Add is an integer
    add in hardware; the head reads those 6-bit features (binarizing them costs ~3 points here).
    ``residual=False`` is the plain network of the same shape and parameter count.
    """

    def __init__(
        self,
        num_classes: int,
        method: Method,
        channels: int = 48,
        in_channels: int = 1,
        in_bits: int = 8,
        shortcut_bits: int = 6,
        residual: bool = True,
    ) -> None:
        super().__init__()
        self.method = method
        self.input_quant = input_quant(in_bits)
        self.stem = stem(in_channels, channels, shortcut_quant(shortcut_bits))
        self.blocks = nn.Sequential(
            BiRealBlock(channels, method, shortcut_bits, residual),
            BiRealBlock(channels, method, shortcut_bits, residual),
            nn.MaxPool2d(2),
            BiRealBlock(channels, method, shortcut_bits, residual),
            BiRealBlock(channels, method, shortcut_bits, residual),
        )
        self.fc = binary_linear(channels * 6 * 6, num_classes, method)
        self.norm = TensorNorm()

    def forward(self, x: Tensor) -> Tensor:  # noqa: D102
        x = self.blocks(self.stem(self.input_quant(x)))
        return self.norm(self.fc(x.reshape(x.shape[0], -1)))


class ReActNetCNN(nn.Module):
    """ReActNet-style CNN for 1x28x28: stem (13x13xC), 2 blocks, a reduction block (AvgPool2d(2)
    shortcut, valid stride-2 binary convs, concat to 2C at 6x6), 1 block (6x6x2C), global
    average pool, quantized like the shortcuts, binary-weight FC. RSign/RPReLU from the method."""

    def __init__(self, num_classes: int, method: Method, channels: int = 32, in_channels: int = 1,
                 in_bits: int = 8, shortcut_bits: int = 6) -> None:
        super().__init__()
        self.method = method
        self.input_quant = input_quant(in_bits)
        self.stem = stem(in_channels, channels, shortcut_quant(shortcut_bits))
        self.blocks = nn.Sequential(
            BiRealBlock(channels, method, shortcut_bits),
            BiRealBlock(channels, method, shortcut_bits),
            ReductionBlock(channels, method, shortcut_bits),
            BiRealBlock(2 * channels, method, shortcut_bits),
        )
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.gap_quant = shortcut_quant(shortcut_bits)
        self.fc = binary_linear(2 * channels, num_classes, method)
        self.norm = TensorNorm()

    def forward(self, x: Tensor) -> Tensor:  # noqa: D102
        x = self.gap_quant(self.gap(self.blocks(self.stem(self.input_quant(x)))))
        return self.norm(self.fc(x.reshape(x.shape[0], -1)))


class DenseCNN(nn.Module):
    """BinaryDenseNet-style CNN for 1x28x28: stem (13x13xC, bipolar), 2 dense layers (+growth
    channels each, torch.cat of sign outputs), max-pool, 2 dense layers (6x6), binary FC."""

    def __init__(self, num_classes: int, method: Method, channels: int = 32, growth: int = 16,
                 in_channels: int = 1, in_bits: int = 8) -> None:
        super().__init__()
        self.method = method
        self.input_quant = input_quant(in_bits)
        layers: list[nn.Module] = [stem(in_channels, channels, BinaryAct(channels, method.act_grad, method.rsign))]
        ch = channels
        for i in range(2):
            for _ in range(2):
                layers.append(DenseLayer(ch, growth, method))
                ch += growth
            if i == 0:
                layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        self.fc = binary_linear(ch * 6 * 6, num_classes, method)
        self.norm = TensorNorm()

    def forward(self, x: Tensor) -> Tensor:  # noqa: D102
        x = self.features(self.input_quant(x))
        return self.norm(self.fc(x.reshape(x.shape[0], -1)))
