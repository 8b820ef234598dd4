"""The QONNX quantizer semantics: codes, datatypes and levels.

The code computation itself lives in ``hwgen.core.host_runtime`` (``quant_code``,
``bipolar_code``, ``dequant``): one implementation, shared with the simulator and the generated
driver, that mirrors ``qonnx.custom_op.general.intquant.int_quant`` and ``bipolar_quant``
operation for operation (float32, same order), so hwgen's codes are the reference executor's.
"""

from __future__ import annotations

import numpy as np

from hwgen.core.datatypes import BIPOLAR, DataType
from hwgen.core.host_runtime import bipolar_code as bipolar_int
from hwgen.core.host_runtime import dequant, int_range
from hwgen.core.host_runtime import quant_code as quant_int

__all__ = ["bipolar_int", "dequant", "quant_dtype", "quant_int", "quant_levels"]


def quant_dtype(bits: int, signed: bool, narrow: bool) -> DataType:
    """The integer datatype of ``Quant``'s code."""
    if bits == 1 and signed:
        return BIPOLAR
    lo, hi = int_range(bits, signed, narrow)
    return DataType.smallest(lo, hi) if lo < 0 else DataType.uint(bits)


def quant_levels_lo(bits: int, signed: bool, narrow: bool) -> int:
    """The smallest code ``Quant`` outputs (without listing them all)."""
    if bits == 1 and signed:
        return -1
    return int_range(bits, signed, narrow)[0]


def quant_levels(bits: int, signed: bool, narrow: bool) -> np.ndarray:
    """Every integer code ``Quant`` can output, ascending."""
    if bits == 1 and signed:
        return np.array([-1, 1])
    lo, hi = int_range(bits, signed, narrow)
    return np.arange(lo, hi + 1)
