"""``hwgen synth DIR`` / flow step ``synth``: Yosys on a generated rtl/ project, beside the estimate.

Writes ``report/synth.json``: per stream node (unit, FIFO, width converter) the Yosys counts of its
keep_hierarchy wrapper, the estimate's figures for the units, and the whole design's total.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hwgen.backends.rtl.yosys import FAMILIES, RESOURCES, synth
from hwgen.core.errors import ConfigError


def family_of(board: Any) -> str:
    """Yosys synth_xilinx family of a board (xc7 for Zynq-7000, xcup for Zynq UltraScale+)."""
    fam = FAMILIES.get(str(board.ps_family).lower())
    if fam is None:
        raise ConfigError(f"board {board.name}: no Yosys family for PS family {board.ps_family!r} (known: "
                          f"{', '.join(sorted(FAMILIES))})")
    return fam


def synth_dir(out_dir: str | Path, family: str = "xc7", top: str = "top") -> dict[str, Any]:
    """Synthesize ``out_dir/rtl``; returns (and writes to report/synth.json) the comparison."""
    out = Path(out_dir)
    rtl = out / "rtl"
    if not (rtl / "top.v").is_file():
        raise ConfigError(f"{out}: no rtl/top.v; build with --backend rtl first")
    sources = [rtl / "top.v", rtl / "units.v", *sorted((rtl / "lib").glob("*.v"))]
    r = synth(sources, top, family, cwd=rtl)
    est_path = out / "report" / "estimate.json"
    est = json.loads(est_path.read_text()) if est_path.is_file() else {"units": []}
    est_by_node = {u["name"]: u for u in est.get("units", []) + est.get("infrastructure", [])}
    nodes = json.loads((rtl / "nodes.json").read_text()) if (rtl / "nodes.json").is_file() else {}
    rows = []
    for wrapper, counts in sorted(r.modules.items()):
        if wrapper == top:
            continue
        info = nodes.get(wrapper, {})
        e = est_by_node.get(info.get("node", ""))
        rows.append({"wrapper": wrapper, "node": info.get("node", ""), "kind": info.get("kind", ""),
                     "yosys": counts, "estimate": {k: e[k] for k in RESOURCES} if e else None,
                     "xnor_lanes": info.get("xnor_lanes", 0)})
    report = {"family": family, "seconds": r.seconds, "total": r.total, "units": rows,
              "estimate_total": est.get("totals"), "cells": r.cells}
    rep = out / "report"
    rep.mkdir(parents=True, exist_ok=True)
    (rep / "synth.json").write_text(json.dumps(report, indent=1))
    return report


def synth_table(report: dict[str, Any]):
    """Estimate vs Yosys per stream node and in total (LUT, FF, BRAM18, DSP)."""
    from rich.table import Table

    t = Table(title=f"Yosys synth_xilinx -family {report['family']} ({report['seconds']:.0f} s) vs estimate",
              title_justify="left")
    t.add_column("node")
    for k in ("lut", "ff", "bram18", "dsp"):
        t.add_column(f"{k.upper()} yosys / est", justify="right")
    t.add_column("LUT/lane", justify="right")
    for r in report["units"]:
        e = r["estimate"]
        cells = [f"{r['yosys'][k]}" + (f" / {e[k]}" if e else "") for k in ("lut", "ff", "bram18", "dsp")]
        lane = f"{r['yosys']['lut'] / r['xnor_lanes']:.2f}" if r["xnor_lanes"] else ""
        t.add_row(r["node"] or r["wrapper"] if r["kind"] == "unit" else f"  {r['wrapper']}", *cells, lane)
    e = report.get("estimate_total") or {}
    t.add_row("total (accelerator)", *[f"{report['total'][k]}" + (f" / {e[k]}" if e else "")
                                       for k in ("lut", "ff", "bram18", "dsp")], "")
    return t


# -- flow step ---------------------------------------------------------------------------------
from hwgen.core.flow import FlowState, step  # noqa: E402


@step("synth")
def _synth_step(state: FlowState) -> FlowState:
    """With ``options["synth"]`` and the rtl backend: Yosys counts beside the estimate."""
    if not state.options.get("synth") or "rtl_dir" not in state.artifacts:
        return state
    from hwgen.core.log import console

    rep = synth_dir(state.options["out_dir"], family_of(state.options["board"]))
    console.print(synth_table(rep))
    return state.with_artifact(synth=rep)
