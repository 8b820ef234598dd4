"""hwgen: compile binarized neural networks (QONNX) into verified FPGA dataflow accelerators."""

from __future__ import annotations

__version__ = "0.1.0"
