"""Frontend: QONNX/ONNX file -> hwgen float-semantics IR."""

from __future__ import annotations

from pathlib import Path

from hwgen.frontend.convert import SUPPORTED_OPS, convert
from hwgen.frontend.onnx_reader import read_model
from hwgen.ir import Graph, verify


def load(path: str | Path) -> Graph:
    """Read ``path`` and return its float-semantics IR (NHWC)."""
    return verify(convert(read_model(path), path))


__all__ = ["SUPPORTED_OPS", "load", "read_model"]
