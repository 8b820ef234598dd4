"""hwgen: compile binarized neural networks (QONNX) into verified FPGA dataflow accelerators.

``import hwgen`` stays light: the Python API loads on first use.

    acc = hwgen.compile("model.onnx", board="pynq-z1")   # hwgen.app.api.Accelerator
    hwgen.export(brevitas_model, example_input, "model.onnx")  # export QONNX, checked vs PyTorch
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

_LAZY = {"compile": ("hwgen.app.api", "compile"), "Accelerator": ("hwgen.app.api", "Accelerator"),
         "export": ("hwgen.app.export", "export")}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'hwgen' has no attribute {name!r}")
