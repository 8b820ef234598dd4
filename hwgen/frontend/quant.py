"""The QONNX quantizer semantics, returning the integer code as well as the float value.

These mirror ``qonnx.custom_op.general.intquant.int_quant`` and ``bipolar_quant.binary_quant``
operation for operation (float32, same order), so the integer code hwgen computes is exactly the
one the reference executor produces.
"""

from __future__ import annotations

import numpy as np
from qonnx.custom_op.general.intquant import max_int, min_int, resolve_rounding_mode

from hwgen.core.datatypes import BIPOLAR, DataType


def quant_int(
    x: np.ndarray,
    scale: np.ndarray,
    zeropt: np.ndarray,
    bits: int,
    signed: bool,
    narrow: bool,
    rounding_mode: str = "ROUND",
) -> np.ndarray:
    """Integer code ``q`` of QONNX ``Quant``; the float output is ``(q - zeropt) * scale``."""
    y = x / scale
    y = y + zeropt
    if bits == 1 and signed:
        ones = np.ones(y.shape, dtype=y.dtype)
        return np.where(y >= 0.0, ones, -ones)
    lo = min_int(signed, narrow, bits)
    hi = max_int(signed, narrow, bits)
    y = np.where(y > hi, np.asarray(hi).astype(y.dtype), y)
    y = np.where(y < lo, np.asarray(lo).astype(y.dtype), y)
    return resolve_rounding_mode(rounding_mode)(y)


def dequant(q: np.ndarray, scale: np.ndarray, zeropt: np.ndarray) -> np.ndarray:
    """The float value QONNX ``Quant`` outputs for integer code ``q``."""
    out = q - zeropt
    return out * scale


def bipolar_int(x: np.ndarray) -> np.ndarray:
    """Integer code (+1/-1) of QONNX ``BipolarQuant``: ``x >= 0`` maps to +1."""
    ones = np.ones(x.shape, dtype=x.dtype)
    return np.where(x >= 0.0, ones, -ones)


def quant_dtype(bits: int, signed: bool, narrow: bool) -> DataType:
    """The integer datatype of ``Quant``'s code."""
    if bits == 1 and signed:
        return BIPOLAR
    lo = int(min_int(signed, narrow, bits))
    hi = int(max_int(signed, narrow, bits))
    return DataType.smallest(lo, hi) if lo < 0 else DataType.uint(bits)


def quant_levels_lo(bits: int, signed: bool, narrow: bool) -> int:
    """The smallest code ``Quant`` outputs (without listing them all)."""
    if bits == 1 and signed:
        return -1
    return int(min_int(signed, narrow, bits))


def quant_levels(bits: int, signed: bool, narrow: bool) -> np.ndarray:
    """Every integer code ``Quant`` can output, ascending."""
    if bits == 1 and signed:
        return np.array([-1, 1])
    return np.arange(int(min_int(signed, narrow, bits)), int(max_int(signed, narrow, bits)) + 1)
