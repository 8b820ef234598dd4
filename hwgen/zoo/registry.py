"""The model table: names, input shapes, whether hwgen can compile them, and builders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from torch import nn

from hwgen.core.errors import HwgenError
from hwgen.zoo.methods import Method, get_method
from hwgen.zoo.models import CNV, BinaryMLP, DenseCNN, ReActNetCNN, ResidualCNN


@dataclass(frozen=True)
class ModelInfo:
    """A zoo entry. `input_shape` is (C, H, W) without the batch dimension; `in_bits` is
    the default input quantizer width (1 = bipolar, else signed fixed point, scale 2^-(b-1))."""

    name: str
    input_shape: tuple[int, int, int]
    in_bits: int
    is_compilable: bool
    default_method: str
    description: str
    build: Builder


Builder = Callable[[tuple[int, int, int], int, Method, int], nn.Module]


def _mlp(hidden: tuple[int, ...]) -> Builder:
    return lambda shape, n, m, bits: BinaryMLP(shape, hidden, n, m, in_bits=bits)


MODELS: dict[str, ModelInfo] = {
    i.name: i
    for i in (
        ModelInfo("tfc", (1, 28, 28), 1, True, "binarynet", "BNN-PYNQ TFC: 3 x FC 64",
                  _mlp((64, 64, 64))),
        ModelInfo("sfc", (1, 28, 28), 1, True, "binarynet", "BNN-PYNQ SFC: 3 x FC 256",
                  _mlp((256, 256, 256))),
        ModelInfo("lfc", (1, 28, 28), 1, True, "binarynet", "BNN-PYNQ LFC: 3 x FC 1024",
                  _mlp((1024, 1024, 1024))),
        ModelInfo("digits-mlp", (1, 8, 8), 8, True, "binarynet",
                  "64-64-64-10 MLP for sklearn digits (8x8, 17 grey levels)", _mlp((64, 64))),
        ModelInfo("cnv", (3, 32, 32), 8, True, "binarynet",
                  "BNN-PYNQ CNV: 6 valid 3x3 convs, FC 512-512",
                  lambda shape, n, m, bits: CNV(shape[0], n, m, in_bits=bits)),
        ModelInfo("plain-cnn", (1, 28, 28), 8, True, "bireal",
                  "bireal-cnn without its shortcuts (the plain baseline of the same shape)",
                  lambda shape, n, m, bits: ResidualCNN(n, m, in_channels=shape[0], in_bits=bits,
                                                        residual=False)),
        ModelInfo("bireal-cnn", (1, 28, 28), 8, True, "bireal",
                  "Bi-Real residual CNN: 6-bit shortcuts, integer adds",
                  lambda shape, n, m, bits: ResidualCNN(n, m, in_channels=shape[0], in_bits=bits)),
        ModelInfo("reactnet-cnn", (1, 28, 28), 8, True, "reactnet",
                  "ReActNet CNN: RSign, RPReLU, avg-pool reduction block with concat, global avg pool",
                  lambda shape, n, m, bits: ReActNetCNN(n, m, in_channels=shape[0], in_bits=bits)),
        ModelInfo("densenet-cnn", (1, 28, 28), 8, True, "bireal",
                  "BinaryDenseNet-style CNN: dense layers concatenating sign outputs",
                  lambda shape, n, m, bits: DenseCNN(n, m, in_channels=shape[0], in_bits=bits)),
    )
}


def get_info(name: str) -> ModelInfo:
    """Look up a model; unknown names raise HwgenError listing the valid ones."""
    try:
        return MODELS[name]
    except KeyError:
        raise HwgenError(f"unknown model {name!r}; valid models: {', '.join(MODELS)}") from None


def build(
    name: str,
    method: str | None = None,
    num_classes: int = 10,
    input_shape: tuple[int, int, int] | None = None,
    in_bits: int | None = None,
) -> nn.Module:
    """Build zoo model `name` with a training method (default: the model's own).

    `input_shape` overrides the channel count / size where the topology allows it (e.g.
    CNV on 1-channel 32x32 images); `in_bits` overrides the input quantizer width. The result carries `zoo_name`, `input_shape` and `zoo_spec` (see `clone`).
    """
    info = get_info(name)
    shape = tuple(input_shape) if input_shape is not None else info.input_shape
    bits = info.in_bits if in_bits is None else in_bits
    if not 1 <= bits <= 8:
        raise HwgenError(f"input width {bits} bits is not supported; use 1 (bipolar) to 8")
    model = info.build(shape, num_classes, get_method(method or info.default_method), bits)
    model.zoo_name = name
    model.input_shape = shape
    model.zoo_spec = {"name": name, "method": model.method.name, "num_classes": num_classes,
                      "input_shape": shape, "in_bits": bits}
    return model


def clone(model: nn.Module) -> nn.Module:
    """An independent copy of a zoo model: rebuilt from its spec, then its state loaded."""
    copy_ = build(**model.zoo_spec)
    copy_.load_state_dict(model.state_dict())
    return copy_
