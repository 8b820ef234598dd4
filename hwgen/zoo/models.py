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


class ResidualCNN(nn.Module):
    """Small Bi-Real-style CNN for 1x28x28: stem, 2x2 residual blocks, max-pools, FC.

    Shapes: 28 -stem(3x3 valid)-> 26 -2 blocks, pool-> 13 -2 blocks, pool-> 6 -> FC. Every
    shortcut tensor is 6-bit with one constant power-of-two scale, so each Add is an integer
    add in hardware. ``residual=False`` is the plain network of the same shape.
    """

    def __init__(
        self,
        num_classes: int,
        method: Method,
        channels: int = 16,
        in_channels: int = 1,
        in_bits: int = 8,
        shortcut_bits: int = 6,
        residual: bool = True,
    ) -> None:
        super().__init__()
        self.method = method
        self.input_quant = input_quant(in_bits)
        self.stem = nn.Sequential(
            binary_conv(in_channels, channels, method),
            nn.BatchNorm2d(channels),
            shortcut_quant(shortcut_bits),
        )
        blocks: list[nn.Module] = []
        for _ in range(2):
            blocks += [BiRealBlock(channels, method, shortcut_bits, residual) for _ in range(2)]
            blocks.append(nn.MaxPool2d(2))
        self.blocks = nn.Sequential(*blocks)
        self.head_act = BinaryAct(channels, method.act_grad, method.rsign)
        self.fc = binary_linear(channels * 6 * 6, num_classes, method)
        self.norm = TensorNorm()

    def forward(self, x: Tensor) -> Tensor:  # noqa: D102
        x = self.blocks(self.stem(self.input_quant(x)))
        x = self.head_act(x)
        return self.norm(self.fc(x.reshape(x.shape[0], -1)))


class ReActNetCNN(nn.Module):
    """Small ReActNet-style CNN for 1x28x28: stem, 2 blocks (26x26xC), a reduction block
    (AvgPool2d(2) shortcut, stride-2 binary convs, concat to 2C), 1 block (13x13x2C), global
    average pool, quantized like the shortcuts, binary FC. RSign/RPReLU come from the method."""

    def __init__(self, num_classes: int, method: Method, channels: int = 16, in_channels: int = 1,
                 in_bits: int = 8, shortcut_bits: int = 6) -> None:
        super().__init__()
        self.method = method
        self.input_quant = input_quant(in_bits)
        self.stem = nn.Sequential(
            binary_conv(in_channels, channels, method),
            nn.BatchNorm2d(channels),
            shortcut_quant(shortcut_bits),
        )
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
    """Small BinaryDenseNet-style CNN for 1x28x28: stem (26x26xC, bipolar), 2 dense layers
    (+growth channels each, torch.cat of sign outputs), max-pool, 2 dense layers, max-pool, FC."""

    def __init__(self, num_classes: int, method: Method, channels: int = 16, growth: int = 8,
                 in_channels: int = 1, in_bits: int = 8) -> None:
        super().__init__()
        self.method = method
        self.input_quant = input_quant(in_bits)
        layers = binary_block(binary_conv(in_channels, channels, method), nn.BatchNorm2d(channels),
                              channels, method)
        ch = channels
        for _ in range(2):
            for _ in range(2):
                layers.append(DenseLayer(ch, growth, method))
                ch += growth
            layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        self.fc = binary_linear(ch * 6 * 6, num_classes, method)
        self.norm = TensorNorm()

    def forward(self, x: Tensor) -> Tensor:  # noqa: D102
        x = self.features(self.input_quant(x))
        return self.norm(self.fc(x.reshape(x.shape[0], -1)))
