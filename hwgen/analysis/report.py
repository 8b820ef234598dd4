"""Reports in <out>/report/: estimate.json, FINN-compatible estimate files, folding config, HTML."""

from __future__ import annotations

import html
import io
import json
import math
from pathlib import Path
from typing import Any

from hwgen.core.flow import FlowState, step
from hwgen.units.cost import RESOURCES


def finn_layer_cycles(est: dict[str, Any]) -> dict[str, int]:
    """FINN's estimate_layer_cycles.json: {node: cycles}."""
    return {r["name"]: r["cycles"] for r in est["units"]}


def finn_layer_resources(est: dict[str, Any]) -> dict[str, dict[str, int]]:
    """FINN's estimate_layer_resources.json: per node BRAM_18K/LUT/URAM/DSP (+FF) and "total"."""
    def conv(r: dict[str, Any]) -> dict[str, int]:
        return {"BRAM_18K": r["bram18"], "LUT": r["lut"], "URAM": r["uram"], "DSP": r["dsp"], "FF": r["ff"]}

    out = {r["name"]: conv(r) for r in est["units"]}
    out["total"] = conv(est["totals"])
    return out


def finn_network_performance(est: dict[str, Any]) -> dict[str, Any]:
    """FINN's estimate_network_performance.json keys."""
    p = est["performance"]
    return {
        "critical_path_cycles": p["latency_cycles"],
        "max_cycles": p["max_cycles"],
        "max_cycles_node_name": p["bottleneck"],
        "estimated_throughput_fps": p["fps"],
        "estimated_latency_ns": p["latency_cycles"] * 1e3 / p["clock_mhz"],
    }


def _json_default(o: Any) -> Any:
    if isinstance(o, float) and not math.isfinite(o):
        return None
    if hasattr(o, "item"):
        return o.item()
    raise TypeError(type(o).__name__)


def _dump(obj: Any) -> str:
    def clean(x: Any) -> Any:
        if isinstance(x, float) and not math.isfinite(x):
            return None
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items()}
        if isinstance(x, list | tuple):
            return [clean(v) for v in x]
        return x

    return json.dumps(clean(obj), indent=2, default=_json_default) + "\n"


def write_json_reports(est: dict[str, Any], folding: dict[str, Any], out_dir: str | Path,
                       finn_folding: dict[str, Any] | None = None) -> Path:
    """Write estimate.json, the FINN-compatible estimates, folding_config.json and (given)
    folding_config.finn.json, the same folding named for FINN's ApplyConfig."""
    rep = Path(out_dir) / "report"
    rep.mkdir(parents=True, exist_ok=True)
    (rep / "estimate.json").write_text(_dump(est))
    (rep / "estimate_layer_cycles.json").write_text(_dump(finn_layer_cycles(est)))
    (rep / "estimate_layer_resources.json").write_text(_dump(finn_layer_resources(est)))
    (rep / "estimate_network_performance.json").write_text(_dump(finn_network_performance(est)))
    if folding:
        (rep / "folding_config.json").write_text(_dump(folding))
    if finn_folding:
        (rep / "folding_config.finn.json").write_text(_dump(finn_folding))
    return rep


# -- HTML ------------------------------------------------------------------------------------------
def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    text = buf.getvalue()
    return text[text.find("<svg"):]


def _short(name: str) -> str:
    return name.strip("/").replace("/", ".")[-28:]


def plot_cycles(est: dict[str, Any]) -> str:
    """Cycles per unit, bottleneck in red."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = est["units"]
    bott = est["performance"]["bottleneck"]
    fig, ax = plt.subplots(figsize=(9, 0.32 * len(rows) + 1.2))
    names = [_short(r["name"]) for r in rows]
    colors = ["#d62728" if r["name"] == bott else "#1f77b4" for r in rows]
    ax.barh(range(len(rows)), [r["cycles"] for r in rows], color=colors)
    ax.set_yticks(range(len(rows)), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("cycles per frame (bottleneck in red)")
    ax.set_title("Cycles per unit")
    return _svg(fig)


def plot_board(est: dict[str, Any]) -> str:
    """Total use of each resource type against the board's capacity (and the budget)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cap = est["board"]["capacity"]
    kinds = [k for k in RESOURCES if cap[k] > 0]
    pct = [100 * est["totals"][k] / cap[k] for k in kinds]
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.bar([k.upper() for k in kinds], pct, color=["#d62728" if p > 100 else "#2ca02c" for p in pct])
    ax.axhline(100, color="black", lw=1)
    if est.get("budget"):
        ax.axhline(100 * est["budget"], color="gray", ls="--", lw=1, label=f"budget {est['budget']:.0%}")
        ax.legend(loc="upper right", fontsize=8)
    for i, (k, p) in enumerate(zip(kinds, pct)):
        ax.text(i, p + 1, f"{est['totals'][k]}/{cap[k]}", ha="center", fontsize=7)
    ax.set_ylabel("% of board")
    ax.set_title(f"Resources on {est['board']['name']}")
    return _svg(fig)


def plot_unit_resources(est: dict[str, Any]) -> str:
    """Each unit's share of the board's LUT and BRAM18."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = est["units"]
    cap = est["board"]["capacity"]
    fig, ax = plt.subplots(figsize=(9, 0.32 * len(rows) + 1.2))
    y = list(range(len(rows)))
    ax.barh([v - 0.2 for v in y], [100 * r["lut"] / cap["lut"] for r in rows], height=0.4, label="LUT")
    if cap["bram18"]:
        ax.barh([v + 0.2 for v in y], [100 * r["bram18"] / cap["bram18"] for r in rows], height=0.4, label="BRAM18")
    ax.set_yticks(y, [_short(r["name"]) for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("% of board")
    ax.legend(fontsize=8)
    ax.set_title("Resources per unit")
    return _svg(fig)


def comparison_rows(actual: dict[str, Any]) -> list[tuple[str, ...]]:
    """Rows (layer, kind, estimate, HLS, Vivado) for the terminal and the HTML page."""
    def fmt(d: dict | None, k: str) -> str:
        return "-" if d is None or d.get(k) is None else f"{d[k]:g}" if isinstance(d[k], float) else str(d[k])

    rows = []
    for layer in actual["layers"] + [{"name": "total", "estimate": actual["estimate_total"],
                                       "hls": actual["hls_total"], "vivado": actual["vivado_total"]}]:
        for k in ("lut", "ff", "bram18", "dsp"):
            rows.append((layer["name"], k.upper(), fmt(layer["estimate"], k), fmt(layer["hls"], k),
                         fmt(layer["vivado"], k)))
        if layer["name"] != "total":
            rows.append((layer["name"], "cycles", fmt(layer["estimate"], "cycles"),
                         fmt(layer["hls"], "interval_max"), "-"))
    return rows


def render_actual(actual: dict[str, Any] | None) -> str:
    """The estimate-vs-synthesis table (``hwgen report parse``), or nothing."""
    if not actual:
        return ""
    e = html.escape
    trs = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in comparison_rows(actual))
    clock = actual.get("hls_total") or {}
    note = (f"<p>Vitis HLS: estimated clock {clock.get('estimated_ns')} ns (target {clock.get('target_ns')} ns), "
            f"interval {clock.get('interval_max')} cycles.</p>" if clock else "")
    return (f'<h2>Estimate vs synthesis</h2>{note}<table id="actual"><tr><th>layer</th><th>what</th>'
            f"<th>hwgen estimate</th><th>Vitis HLS</th><th>Vivado (placed)</th></tr>{trs}</table>")


def render_dataflow(est: dict[str, Any]) -> str:
    """The cycle-level check's line (interval, latency, FIFO peaks), or nothing if it did not run."""
    d = est.get("dataflow")
    if not d:
        return ""
    e = html.escape
    verdict = "equals" if d["matches_estimate"] else "differs from"
    peaks = ", ".join(f"{e(k)} {v}/{d['depth'][k]}" for k, v in d["peak"].items())
    return (f'<p id="dataflow">Cycle-level check ({d["frames"]} frames, {d["cycles_run"]} cycles in '
            f'{d["seconds"]:.2f} s): interval {d["interval"]} cycles ({verdict} the estimate\'s '
            f'{d["estimate_max_cycles"]}), latency {d["latency"]} cycles. FIFO peak/depth: {peaks}.</p>')


def render_rtl(est: dict[str, Any]) -> str:
    """The rtl backend's checks (``--rtlsim``, ``--synth``): Verilator and Yosys beside the estimate."""
    e = html.escape
    out = ""
    r = est.get("rtlsim")
    if r:
        fifos = ", ".join(f"{e(f['node'])} {f['peak']}/{f['depth']}" for f in r["fifos"])
        out += (f'<p id="rtlsim">Verilator ({r["n"]} inputs, equal to the simulator): {r["interval_cycles"]:g} '
                f'cycles per frame (estimate {r["estimate_interval"]}), latency {r["latency_cycles"]} cycles '
                f'(estimate {r["estimate_latency"]}). FIFO peak/depth: {fifos}.</p>')
    y = est.get("rtl_synth")
    if y:
        keys = ("lut", "ff", "bram18", "dsp")
        rows = []
        for u in y["units"] + [{"node": "total (accelerator)", "wrapper": "", "yosys": y["total"], "estimate": None}]:
            cells = [u["node"] or u["wrapper"]] + [f"{u['yosys'][k]}" + (f" / {u['estimate'][k]}" if u["estimate"] else "")
                                                   for k in keys]
            rows.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>")
        out += (f'<h2>Yosys synth_xilinx -family {e(y["family"])} vs estimate</h2><table id="rtl_synth"><tr>'
                + "".join(f"<th>{h}</th>" for h in ("node", "LUT yosys / est", "FF", "BRAM18", "DSP"))
                + "</tr>" + "".join(rows) + "</table>")
    return out


def render_html(est: dict[str, Any], actual: dict[str, Any] | None = None) -> str:
    """index.html: summary, three embedded SVG plots, the folding table (and, after
    ``hwgen report parse``, estimate vs synthesis per layer)."""
    p = est["performance"]
    e = html.escape
    head = ("name", "op", "shape", "PE", "SIMD", "cycles", "pipeline %", "LUT", "FF", "BRAM18", "URAM", "DSP")
    trs = []
    for r in est["units"]:
        cls = ' class="bottleneck"' if r["name"] == p["bottleneck"] else ""
        cells = (r["name"], r["op"], r["shape"], r["PE"] or "", r["SIMD"] or "", r["cycles"],
                 f"{100 * r['pipeline_utilisation']:.0f}", r["lut"], r["ff"], r["bram18"], r["uram"], r["dsp"])
        trs.append(f"<tr{cls}>" + "".join(f"<td>{e(str(c))}</td>" for c in cells) + "</tr>")
    t = est["totals"]
    cap = est["board"]["capacity"]
    util = " &middot; ".join(f"{k.upper()} {t[k]}/{cap[k]}" for k in RESOURCES)
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>hwgen estimate: {e(est['model'])}</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse;font-size:12px}}
td,th{{border:1px solid #ccc;padding:2px 6px;text-align:right}} td:first-child{{text-align:left}}
tr.bottleneck{{background:#fdd}} .plot{{margin:1em 0}}</style></head><body>
<h1>{e(est['model'])} on {e(est['board']['name'])} ({e(est['board']['part'])}, {est['board']['clock_mhz']:g} MHz)</h1>
<p><b>{p['fps']:.0f} FPS</b> (initiation interval {p['ii_cycles']} cycles{' by the cycle-level check' if p.get('interval_source') == 'check' else ''}, slowest unit {e(str(p['bottleneck']))}: {p.get('units_max_cycles', p['max_cycles'])} cycles);
latency {p['latency_cycles']} cycles = {p['latency_us']:.1f} &micro;s. Totals (units + FIFOs, width converters, DMA shell): {util}.</p>
{render_dataflow(est)}
<div class="plot" id="cycles">{plot_cycles(est)}</div>
<div class="plot" id="board">{plot_board(est)}</div>
<div class="plot" id="units">{plot_unit_resources(est)}</div>
<h2>Folding</h2>
<table id="folding"><tr>{''.join(f'<th>{h}</th>' for h in head)}</tr>
{''.join(trs)}
</table>{render_actual(actual)}{render_rtl(est)}</body></html>
"""


def write_reports(est: dict[str, Any], folding: dict[str, Any], out_dir: str | Path,
                  finn_folding: dict[str, Any] | None = None) -> Path:
    rep = write_json_reports(est, folding, out_dir, finn_folding)
    (rep / "index.html").write_text(render_html(est))
    return rep


@step("report")
def _report_step(state: FlowState) -> FlowState:
    """Write every report (JSON + index.html) into out_dir/report/."""
    from hwgen.analysis.estimate import estimate

    est = state.artifacts.get("estimate") or estimate(state.graph, state.options["board"], state.options.get("budget"))
    # the check step's run, the FIFO search, the rtl backend's Verilator run and Yosys counts, if they ran
    for key in ("dataflow", "fifo_sizing", "rtlsim", "rtl_synth"):
        if key in state.artifacts:
            est = {**est, key: state.artifacts[key]}
    out = state.options.get("out_dir")
    if out is None:
        return state.with_artifact(estimate=est)
    from hwgen.analysis.finn_names import finn_folding_config

    folding = state.artifacts.get("folding_config") or {}
    rep = write_reports(est, folding, out, finn_folding_config(state.graph) if folding else None)
    return state.with_artifact(estimate=est, report_dir=rep)
