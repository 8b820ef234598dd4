"""Errors a user can cause. The CLI prints them on one line and exits with status 2."""

from __future__ import annotations


class HwgenError(Exception):
    """A user-facing error: the message names the file/node/op and a way out."""


class FrontendError(HwgenError):
    """The ONNX file cannot be read or contains something hwgen does not accept."""


class UnsupportedOpError(FrontendError):
    """An operator hwgen has no lowering for."""


class StreamlineError(HwgenError):
    """A float chain that cannot be folded into integer thresholds exactly."""


class LoweringError(HwgenError):
    """An integer graph that has no hardware-unit mapping."""


class ConfigError(HwgenError):
    """Bad command-line or configuration input (board, folding, flow, output dir)."""


class VerificationError(HwgenError):
    """Two executions that must agree did not."""


class CodegenError(ConfigError):
    """A unit configuration the HLS library cannot build, or a missing C-simulation tool."""
