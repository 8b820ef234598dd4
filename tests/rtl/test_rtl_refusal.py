"""--backend rtl builds every registered unit; a unit without a Verilog module is refused in one
line naming the node (never a traceback or a silent skip)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from hwgen.core.errors import CodegenError
from hwgen.units import UNITS, Unit
from hwgen.units.rtl import rtl_context


def test_every_registered_unit_has_an_rtl_face():
    assert all(callable(getattr(cls, "rtl_context", None)) for cls in UNITS.values())


def test_a_unit_without_verilog_is_refused_in_one_line():
    @dataclass(frozen=True, eq=False)
    class NoVerilog(Unit):
        pass

    with pytest.raises(CodegenError) as e:
        rtl_context(NoVerilog(name="odd"))
    assert "\n" not in str(e.value) and "'odd'" in str(e.value) and "--backend hls" in str(e.value)
