"""Frontend: QONNX/ONNX file -> hwgen float-semantics IR."""

from __future__ import annotations

from pathlib import Path

from hwgen.frontend.convert import SUPPORTED_OPS, convert
from hwgen.frontend.onnx_reader import read_model
from hwgen.errors import FrontendError
from hwgen.ir import Graph, IRError, verify


def load(path: str | Path) -> Graph:
    """Read ``path`` and return its float-semantics IR (NHWC)."""
    g = convert(read_model(path), path)
    try:
        return verify(g)
    except IRError as e:
        raise FrontendError(f"{Path(path).name}: malformed graph ({e}); re-export the model") from None


__all__ = ["SUPPORTED_OPS", "load", "read_model"]
