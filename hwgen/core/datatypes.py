"""Integer and float datatypes of hwgen tensors, with their ranges and HLS spellings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DataType:
    """A tensor element type: ``bipolar`` {-1,+1}, ``binary`` {0,1}, ``int``/``uint`` of n bits, or ``float``."""

    kind: str  # "bipolar" | "binary" | "int" | "uint" | "float"
    bits: int

    def __post_init__(self) -> None:
        if self.kind not in ("bipolar", "binary", "int", "uint", "float"):
            raise ValueError(f"unknown datatype kind {self.kind!r}")
        if self.kind in ("bipolar", "binary") and self.bits != 1:
            raise ValueError(f"{self.kind} has 1 bit, not {self.bits}")
        if self.bits < 1 or self.bits > 64:
            raise ValueError(f"datatype width {self.bits} out of range 1..64")

    # -- constructors -----------------------------------------------------------------------
    @staticmethod
    def int(bits: int) -> DataType:
        return DataType("int", bits)

    @staticmethod
    def uint(bits: int) -> DataType:
        return DataType("uint", bits)

    @staticmethod
    def smallest(lo: int, hi: int) -> DataType:
        """The narrowest int/uint holding every integer in [lo, hi]."""
        lo, hi = int(lo), int(hi)
        if lo >= 0:
            return DataType("uint", max(1, int(hi).bit_length()))
        bits = max((-lo - 1).bit_length(), hi.bit_length() if hi > 0 else 0) + 1
        return DataType("int", bits)

    # -- properties -------------------------------------------------------------------------
    @property
    def is_integer(self) -> bool:
        return self.kind != "float"

    @property
    def min(self) -> int:
        return {
            "bipolar": -1,
            "binary": 0,
            "uint": 0,
            "int": -(1 << (self.bits - 1)) if self.kind == "int" else 0,
        }[self.kind]

    @property
    def max(self) -> int:
        if self.kind in ("bipolar", "binary"):
            return 1
        if self.kind == "uint":
            return (1 << self.bits) - 1
        if self.kind == "int":
            return (1 << (self.bits - 1)) - 1
        raise TypeError("float has no integer max")

    @property
    def hls(self) -> str:
        """The HLS C++ type storing one element (bipolar is stored as its bit, 1 = +1)."""
        if self.kind in ("bipolar", "binary", "uint"):
            return f"ap_uint<{self.bits}>"
        if self.kind == "int":
            return f"ap_int<{self.bits}>"
        return "float"

    @property
    def numpy(self) -> type:
        """The numpy dtype used to hold values of this type in the simulator."""
        if self.kind == "float":
            return np.float32
        return np.int64 if self.bits > 31 else np.int32

    @property
    def compact_numpy(self) -> type:
        """The smallest numpy integer dtype holding every value (what the simulator streams)."""
        if self.kind == "float":
            return np.float32
        for dt in (np.int8, np.int16, np.int32, np.int64):
            if np.iinfo(dt).min <= self.min and self.max <= np.iinfo(dt).max:
                return dt
        return np.int64

    def contains(self, values: np.ndarray) -> bool:
        """True if every value is representable (used by verify and tests)."""
        if self.kind == "float":
            return True
        v = np.asarray(values)
        if v.size == 0:
            return True
        if self.kind == "bipolar":
            return bool(np.all((v == 1) | (v == -1)))
        return bool(v.min() >= self.min and v.max() <= self.max and np.all(v == np.round(v)))

    def __str__(self) -> str:
        if self.kind in ("bipolar", "binary"):
            return self.kind
        if self.kind == "float":
            return "float32"
        return f"{self.kind}{self.bits}"

    @staticmethod
    def parse(text: str) -> DataType:
        """Inverse of ``str()``: "bipolar", "binary", "int8", "uint4", "float32"."""
        t = text.strip().lower()
        if t in ("bipolar", "binary"):
            return DataType(t, 1)
        if t == "float32":
            return FLOAT32
        for kind in ("uint", "int"):
            if t.startswith(kind) and t[len(kind) :].isdigit():
                return DataType(kind, int(t[len(kind) :]))
        raise ValueError(f"unknown datatype {text!r}")


BIPOLAR = DataType("bipolar", 1)
BINARY = DataType("binary", 1)
FLOAT32 = DataType("float", 32)
