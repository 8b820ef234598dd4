"""Frontend: QONNX/ONNX file -> hwgen float-semantics IR."""

from __future__ import annotations

from pathlib import Path

from hwgen.core.errors import FrontendError
from hwgen.core.flow import FlowState, step
from hwgen.core.ir import Graph, IRError, verify
from hwgen.frontend.convert import SUPPORTED_OPS, convert
from hwgen.frontend.lint import constant_patterns
from hwgen.frontend.onnx_reader import read_model


def load(path: str | Path, warnings: list[str] | None = None) -> Graph:
    """Read ``path`` and return its float-semantics IR (NHWC). Patterns whose output is constant
    (``Relu -> BipolarQuant``) are appended to ``warnings`` (printed when None)."""
    model = read_model(path)
    found = constant_patterns(model)
    if warnings is not None:
        warnings.extend(found)
    else:
        from hwgen.core.log import say

        for w in found:
            say(f"[yellow]warning:[/] {Path(path).name}: {w}")
    g = convert(model, path)
    try:
        return verify(g)
    except IRError as e:
        raise FrontendError(f"{Path(path).name}: malformed graph ({e}); re-export the model") from None


__all__ = ["SUPPORTED_OPS", "load", "read_model"]


@step("load")
def _load_step(state: FlowState) -> FlowState:
    return state.with_stage("float", load(state.model))
