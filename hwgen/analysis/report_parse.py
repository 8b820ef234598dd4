"""``hwgen report parse DIR``: synthesis results brought back from Vitis HLS / Vivado vs estimates.

Reads, where present,

- Vitis HLS (and Vivado HLS) ``csynth.xml``: DIR/hls/<proj>/solution1/syn/report/csynth.xml and
  the per-function ``<module>_csynth.xml`` beside it; each layer is the dataflow process
  ``<top>_<C name of the ONNX node>`` (see templates/hls/top.cpp.j2);
- Vivado ``report_utilization`` text tables: DIR/vivado/out/utilization.rpt (totals) and
  utilization_hierarchical.rpt (``-hierarchical``: one row per instance, layers by name);

and writes DIR/report/actual.json and index.html (estimate vs actual per layer).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from hwgen.analysis.report import comparison_rows, render_html  # noqa: F401  (re-exported)
from hwgen.core.errors import ConfigError
from hwgen.units.hls_pack import cname

KINDS = ("lut", "ff", "bram18", "uram", "dsp")


def _num(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return None  # "undef", "-"


def parse_csynth(path: Path) -> dict[str, Any]:
    """Clock, latency, interval and resources of one csynth.xml (Vitis HLS or Vivado HLS)."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as e:
        raise ConfigError(f"{path}: not a readable csynth.xml ({e})") from None

    def text(p: str) -> str | None:
        el = root.find(p)
        return el.text.strip() if el is not None and el.text else None

    res = root.find("AreaEstimates/Resources")
    if res is None:
        raise ConfigError(f"{path}: no AreaEstimates/Resources; is this a csynth.xml from Vitis HLS?")

    def r(*tags: str) -> int:
        for t in tags:
            el = res.find(t)
            if el is not None and el.text and _num(el.text) is not None:
                return int(float(el.text))
        return 0

    lat = "PerformanceEstimates/SummaryOfOverallLatency/"
    return {
        "file": str(path), "top": text("UserAssignments/TopModelName"), "part": text("UserAssignments/Part"),
        "target_ns": _num(text("UserAssignments/TargetClockPeriod")),
        "estimated_ns": _num(text("PerformanceEstimates/SummaryOfTimingAnalysis/EstimatedClockPeriod")),
        "latency_best": _num(text(lat + "Best-caseLatency")), "latency_worst": _num(text(lat + "Worst-caseLatency")),
        "interval_min": _num(text(lat + "Interval-min")), "interval_max": _num(text(lat + "Interval-max")),
        "lut": r("LUT"), "ff": r("FF"), "bram18": r("BRAM_18K"), "uram": r("URAM"), "dsp": r("DSP", "DSP48E"),
    }


def _table_rows(text: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in text.splitlines() if line.strip().startswith("|")]


def parse_utilization(path: Path) -> dict[str, int]:
    """Totals of a flat ``report_utilization`` text report (7-series 'Slice' or UltraScale 'CLB')."""
    rows = _table_rows(path.read_text())
    out = {k: 0 for k in KINDS}
    names = {"lut": ("Slice LUTs", "CLB LUTs"), "ff": ("Slice Registers", "CLB Registers"),
             "bram36": ("Block RAM Tile",), "uram": ("URAM",), "dsp": ("DSPs",)}
    found = False
    for row in rows:
        if len(row) < 2:
            continue
        label = row[0].rstrip("*").strip()
        for k, labels in names.items():
            if label in labels and _num(row[1]) is not None:
                v = float(row[1])
                if k == "bram36":
                    out["bram18"] = int(round(2 * v))  # a Block RAM tile is two 18 Kb halves
                else:
                    out[k] = int(v)
                found = True
    if not found:
        raise ConfigError(f"{path}: no 'Slice LUTs'/'CLB LUTs' rows; pass Vivado's report_utilization output")
    return out


def parse_hierarchical(path: Path) -> dict[str, dict[str, int]]:
    """Per instance of ``report_utilization -hierarchical``: LUT, FF, BRAM18, URAM, DSP."""
    rows = _table_rows(path.read_text())
    head = next((r for r in rows if r and r[0] == "Instance"), None)
    if head is None:
        raise ConfigError(f"{path}: no 'Instance' table; pass report_utilization -hierarchical output")
    col = {h: i for i, h in enumerate(head)}

    def get(row: list[str], name: str) -> int:
        i = col.get(name)
        return int(float(row[i])) if i is not None and i < len(row) and _num(row[i]) is not None else 0

    out: dict[str, dict[str, int]] = {}
    for row in rows:
        if row is head or not row or row[0] == "Instance":
            continue
        out[row[0]] = {"lut": get(row, "Total LUTs"), "ff": get(row, "FFs"),
                       "bram18": 2 * get(row, "RAMB36") + get(row, "RAMB18"), "uram": get(row, "URAM"),
                       "dsp": get(row, "DSP Blocks") or get(row, "DSP48 Blocks")}
    return out


def collect(out_dir: str | Path) -> dict[str, Any]:
    """Estimate vs HLS vs Vivado per layer for a build directory."""
    root = Path(out_dir)
    est_path = root / "report" / "estimate.json"
    if not est_path.is_file():
        raise ConfigError(f"{root}: no report/estimate.json; pass a directory written by hwgen build")
    est = json.loads(est_path.read_text())
    csynth = sorted(root.glob("hls/*/solution1/syn/report/csynth.xml"))
    util, hier = root / "vivado" / "out" / "utilization.rpt", root / "vivado" / "out" / "utilization_hierarchical.rpt"
    if not csynth and not util.is_file():
        raise ConfigError(f"{root}: no hls/<proj>/solution1/syn/report/csynth.xml and no vivado/out/utilization.rpt; "
                          "run `make hls` / `make bitstream` (or copy the reports there) first")
    hls_top = parse_csynth(csynth[0]) if csynth else None
    top = (hls_top or {}).get("top") or "top"
    instances = parse_hierarchical(hier) if hier.is_file() else {}
    layers = []
    for u in est["units"]:
        module = f"{top}_{cname(u['name'])}"
        row: dict[str, Any] = {"name": u["name"], "module": module,
                               "estimate": {**{k: u[k] for k in KINDS}, "cycles": u["cycles"]}}
        f = csynth[0].parent / f"{module}_csynth.xml" if csynth else None
        row["hls"] = parse_csynth(f) if f is not None and f.is_file() else None
        match = [v for k, v in instances.items() if k == module or k.startswith(module + "_U")]
        row["vivado"] = match[0] if match else None
        layers.append(row)
    return {"model": est["model"], "board": est["board"]["name"], "layers": layers,
            "estimate_total": est["totals"], "hls_total": hls_top,
            "vivado_total": parse_utilization(util) if util.is_file() else None}


def write_actual(out_dir: str | Path, actual: dict[str, Any]) -> Path:
    """report/actual.json and index.html with the estimate-vs-actual table."""
    rep = Path(out_dir) / "report"
    (rep / "actual.json").write_text(json.dumps(actual, indent=1) + "\n")
    est = json.loads((rep / "estimate.json").read_text())
    (rep / "index.html").write_text(render_html(est, actual))
    return rep / "index.html"
