"""Export a trained zoo model to QONNX: check foldability, bake transforms, write atomically."""

from __future__ import annotations

import copy
import os
import tempfile
from pathlib import Path

import torch
from brevitas.export import export_qonnx
from torch import nn

from hwgen.core.errors import HwgenError
from hwgen.zoo.blocks import RPReLU
from hwgen.zoo.registry import clone
from hwgen.zoo.transforms import bake, has_parametrizations


class ExportError(HwgenError):
    """A model that cannot be exported to a QONNX file hwgen compiles exactly."""


def _umask_mode(path: str) -> None:
    """mkstemp creates 0600 files; give the output the mode a plain open() would."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


def check_exportable(model: nn.Module) -> None:
    """Refuse RPReLU layers with a negative slope: the chain would not be monotone."""
    for name, m in model.named_modules():
        if isinstance(m, RPReLU):
            neg = int((m.prelu.weight < 0).sum())
            if neg:
                raise ExportError(
                    f"RPReLU {name!r} has {neg} negative slope(s), so sign(RPReLU(x)) is not "
                    "monotone and cannot fold into thresholds; train with hwgen.train (it clamps "
                    "slopes to >= 0 after every step) or call clamp_slope_() on it"
                )


def prepare_for_export(model: nn.Module) -> nn.Module:
    """A baked eval-mode copy of `model` (the original is left untouched)."""
    check_exportable(model)
    if hasattr(model, "zoo_spec"):
        return bake(clone(model).cpu().eval())
    if has_parametrizations(model):
        raise ExportError(
            "cannot copy a parametrized model not built by hwgen.zoo.build; call "
            "hwgen.zoo.transforms.bake(model) on it first, then export"
        )
    return copy.deepcopy(model).cpu().eval()


def export(model: nn.Module, path: str | Path, input_shape: tuple[int, ...] | None = None) -> Path:
    """Bake weight transforms into a copy of `model` and export it as QONNX to `path`.

    Parameters
    ----------
    model : a zoo model (or any Brevitas model following the zoo conventions).
    path : output .onnx file; written to a temporary file and renamed into place.
    input_shape : (C, H, W) or (N, C, H, W); default `model.input_shape`.
    """
    if input_shape is None:
        input_shape = getattr(model, "input_shape", None)
        if input_shape is None:
            raise ExportError("export needs input_shape=(C, H, W) for a model not built by the zoo")
    shape = tuple(input_shape)
    if len(shape) == 3:
        shape = (1, *shape)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    prepared = prepare_for_export(model)
    fd, tmp = tempfile.mkstemp(suffix=".onnx", dir=path.parent)
    os.close(fd)
    try:
        with torch.no_grad():
            export_qonnx(prepared, input_t=torch.zeros(shape), export_path=tmp, dynamo=False)
        _umask_mode(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
