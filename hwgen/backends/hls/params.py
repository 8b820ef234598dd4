"""Each layer's parameter arrays as ``static const`` locals of its wrapper function in top.cpp,
with the pragmas of the unit's array spec (hwgen.units.hls_memory): Vitis partitions and binds
a function-local array as told, where a global one would be left to its defaults (and, before
2023.1, not partitioned automatically at all). The initializer data stay in params.hpp, one
macro per array."""

from __future__ import annotations

from typing import Any

from hwgen.core.errors import CodegenError
from hwgen.units.base import Unit
from hwgen.units.hls_memory import pragmas
from hwgen.units.hls_pack import CArray


def init_macro(p: CArray, top: str) -> str:
    """The initializer macro's name (the top's name in it: several designs share a C-sim binary)."""
    return f"HWGEN_{top}_{p.name}"


def layer_arrays(unit: Unit, params: list[CArray], top: str) -> list[dict[str, Any]]:
    """Declaration, initializer macro and pragma lines of every parameter array of ``unit``.

    Every array must have a spec with the same dimensions: the pragmas and the estimate then
    describe exactly the array that is declared."""
    specs = {a.name: a for a in unit.hls_arrays() if a.where == "codegen"}
    out = []
    for p in params:
        spec = specs.get(p.name)
        if spec is None or tuple(d.size for d in spec.dims) != tuple(p.dims):
            raise CodegenError(f"node {unit.name!r} ({type(unit).__name__}): parameter array {p.name} {list(p.dims)} "
                               f"has no matching array spec ({spec.dims if spec else 'none'}); "
                               "hls_arrays() and context() disagree")
        out.append({"name": p.name, "decl": p.decl, "macro": init_macro(p, top), "pragmas": pragmas(spec),
                    "storage": "registers" if spec.registers() else spec.storage})
    return out


def param_macro(p: CArray, top: str) -> dict[str, str]:
    """What params.hpp prints for ``p``: comment, macro name, the initializer as a macro body."""
    return {"comment": p.comment, "macro": init_macro(p, top),
            "body": "{ \\\n" + p.init.replace("\n", " \\\n") + " \\\n}"}
