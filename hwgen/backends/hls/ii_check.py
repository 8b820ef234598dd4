"""The static II check of a generated HLS project (DESIGN §6): for every unit, every array its
code touches (the parameter ROMs codegen declares with their pragmas, the library's buffers),
the accesses per bank per cycle after ARRAY_PARTITION / ARRAY_RESHAPE, and the II bound they
give (hwgen.units.hls_memory has the UG1399 rules). The build writes ``report/hls_check.json``
and refuses a design in which any unit's bound exceeds 1: a pipelined loop at II = n runs n
times slower than every estimate says, so such a project is not written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from hwgen.core.errors import CodegenError
from hwgen.core.ir import Node
from hwgen.units import unit_of
from hwgen.units.hls_memory import IICheck


def check_nodes(nodes: Iterable[Node]) -> dict[str, IICheck]:
    """The II check of every unit node, by node name."""
    return {n.name: IICheck(n.name, tuple(unit_of(n).hls_arrays())) for n in nodes}


def report(checks: dict[str, IICheck]) -> dict:
    """``{unit: {"ii_bound": n, "arrays": {...}}}``, the content of report/hls_check.json."""
    return {name: c.report() for name, c in checks.items()}


def write_report(checks: dict[str, IICheck], out_dir: str | Path) -> Path:
    path = Path(out_dir) / "report" / "hls_check.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report(checks), indent=1) + "\n")
    return path


def require_ii_1(checks: dict[str, IICheck]) -> None:
    """CodegenError (one line, the first offender) when a unit's II bound exceeds 1."""
    for name, c in checks.items():
        if c.ii_bound > 1:
            worst = max(c.arrays, key=lambda a: a.ii())
            raise CodegenError(
                f"node {name!r}: array {worst.name!r} is accessed {worst.accesses_per_bank()} times per "
                f"cycle in one of its {worst.banks()} bank(s), so its loop runs at II = {c.ii_bound}, not 1; "
                "partition it (hwgen.units.hls_memory) or fold the unit with less parallelism")
