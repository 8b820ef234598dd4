"""Model zoo: Brevitas BNN blocks and models that export to QONNX hwgen compiles."""

from __future__ import annotations

from hwgen.zoo.export import ExportError, export
from hwgen.zoo.methods import METHODS, Method, get_method
from hwgen.zoo.registry import MODELS, ModelInfo, build, get_info

__all__ = [
    "METHODS",
    "MODELS",
    "ExportError",
    "Method",
    "ModelInfo",
    "build",
    "export",
    "get_info",
    "get_method",
]
