"""Shared codegen math: C identifiers, folding checks, and packing parameters into C arrays.

Parameter words are stored as plain C integers (see templates/hls/lib/common.hpp): a word of
up to 64 bits is one uint8/16/32/64_t, a wider one is L little-endian uint64 limbs. Element i
of a word sits at bits [i*B, (i+1)*B), two's complement for negative values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from hwgen.core.datatypes import DataType
from hwgen.core.host_runtime import pack_elements


def cname(name: str) -> str:
    """A C identifier that still reads like the ONNX node name: "/features.2/MatMul" -> features_2_MatMul."""
    s = re.sub(r"[^0-9A-Za-z_]+", "_", name).strip("_")
    s = re.sub(r"_+", "_", s)
    if not s:
        s = "node"
    if s[0].isdigit():
        s = "n" + s
    return s


def uint_ctype(bits: int) -> str:
    for b in (8, 16, 32, 64):
        if bits <= b:
            return f"uint{b}_t"
    return "uint64_t"


def int_ctype(lo: int, hi: int) -> str:
    """The narrowest C signed integer type holding [lo, hi]."""
    for b in (8, 16, 32, 64):
        if -(1 << (b - 1)) <= lo and hi < (1 << (b - 1)):
            return f"int{b}_t"
    raise ValueError(f"range [{lo}, {hi}] does not fit in 64 bits")


def pack_words(values: np.ndarray, bits: int) -> np.ndarray:
    """Pack the last axis (n elements of ``bits`` bits) into little-endian uint64 limbs (..., L).

    The bit layout is ``hwgen.core.host_runtime.pack_elements`` (the one the driver uses too).
    """
    v = np.asarray(values)
    limbs = max(1, -(-v.shape[-1] * bits // 64))
    packed = pack_elements(v, bits, limbs * 8)
    return packed.view("<u8").reshape(*v.shape[:-1], limbs)


@dataclass(frozen=True)
class CArray:
    """One parameter array of params.hpp: C declaration pieces plus the flat initializer."""

    name: str
    ctype: str
    dims: tuple[int, ...]
    init: str
    comment: str

    @property
    def decl(self) -> str:
        return f"{self.ctype} {self.name}" + "".join(f"[{d}]" for d in self.dims)


def _initializer(flat: np.ndarray, hexa: bool) -> str:
    vals = flat.ravel().tolist()
    fmt = (lambda x: f"0x{x:x}ULL") if hexa else str
    per_line = 8 if hexa else 32
    lines = [", ".join(map(fmt, vals[i : i + per_line])) for i in range(0, len(vals), per_line)]
    return ",\n".join(lines)


def word_array(name: str, values: np.ndarray, bits: int, comment: str) -> CArray:
    """A C array of packed words: ``values`` (*dims, elements_per_word) of ``bits``-bit elements."""
    limbs = pack_words(values, bits)
    dims = tuple(int(d) for d in values.shape[:-1])
    width = values.shape[-1] * bits
    if width <= 64:
        ctype = uint_ctype(width)
        return CArray(name, ctype, dims, _initializer(limbs[..., 0], ctype == "uint64_t"), comment)
    return CArray(name, "uint64_t", (*dims, limbs.shape[-1]), _initializer(limbs, True), comment)


def int_array(name: str, values: np.ndarray, comment: str) -> CArray:
    """A C array of signed integers (thresholds), narrowest type that holds them."""
    v = np.asarray(values).astype(np.int64)
    ctype = int_ctype(int(v.min()), int(v.max())) if v.size else "int8_t"
    return CArray(name, ctype, tuple(int(d) for d in v.shape), _initializer(v, False), comment)


def hls_type(dt: str | DataType) -> str:
    """The ap_int/ap_uint type of one stream element (bipolar travels as its bit)."""
    d = DataType.parse(dt) if isinstance(dt, str) else dt
    return d.hls


def dtype_bits(dt: str | DataType) -> int:
    d = DataType.parse(dt) if isinstance(dt, str) else dt
    return d.bits


def require(ok: bool, unit, msg: str) -> None:
    """Raise a CodegenError naming the unit when the HLS library cannot build its configuration."""
    if not ok:
        from hwgen.core.errors import CodegenError

        raise CodegenError(f"node {unit.name!r} ({type(unit).__name__}): {msg}; "
                           "choose a folding whose PE/SIMD divide the dimensions")
