"""``hwgen build``: run a flow and write the project directory atomically."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from hwgen.analysis.perf_text import bottleneck_text
from hwgen.app.outdir import check_target, output_dir
from hwgen.core.boards import load_board
from hwgen.core.flow import FlowState, load_flow, run_flow


def _jsonable(v):
    if isinstance(v, (tuple, list)):
        return [_jsonable(x) for x in v]
    if hasattr(v, "item") and getattr(v, "ndim", 1) == 0:
        return v.item()
    return v if isinstance(v, (str, int, float, bool)) or v is None else str(v)


def graph_summary(g) -> list[dict]:
    """Nodes with their tensors (name, shape, dtype), attributes and parameter shapes, as JSON."""
    rows = []
    for n in g.nodes:
        rows.append({
            "name": n.name, "op": n.op, "host": bool(n.attrs.get("host")),
            "attrs": {k: _jsonable(v) for k, v in n.attrs.items() if k != "host"},
            "params": {k: list(v.shape) for k, v in n.params.items()},
            "inputs": [[t, list(g.tensors[t].shape), str(g.tensors[t].dtype)] for t in n.inputs],
            "outputs": [[t, list(g.tensors[t].shape), str(g.tensors[t].dtype)] for t in n.outputs],
        })
    return rows


def run_build(model: str, *, board: str, out_dir: str | None, force: bool, flow: str,
              verify_n: int, **options) -> FlowState:
    """Run ``flow`` on ``model`` for ``board``; steps write into ``state.options["out_dir"]``.

    The directory is assembled in a temporary sibling and renamed into place only when every
    step succeeded, so a failed build leaves nothing half-written (hwgen.app.outdir: lock,
    commit-time check, signals).
    """
    b = load_board(board)
    if options.get("backend", "hls") != "hls":  # the cost model prices the chosen unit library
        b = dataclasses.replace(b, backend=options["backend"])
    steps = load_flow(flow)
    if "board" in steps:
        from hwgen.backends.board import check_board

        check_board(b)  # a PS family without a block-design template: fail before writing
    out = Path(out_dir) if out_dir else Path("build") / Path(model).name.split(".")[0]
    check_target(out, force)  # before any work: an existing file, or a directory without --force
    from hwgen.core.log import console

    with output_dir(out, force, log=lambda m: console.print(f"[yellow]note:[/] {m}")) as tmp:
        state = FlowState(Path(model), options={"board": b, "verify_n": verify_n, "out_dir": tmp,
                                                "final_out_dir": out, **options})
        state = run_flow(steps, state)
        report = tmp / "report"
        report.mkdir(exist_ok=True)
        (report / "graph.json").write_text(json.dumps(graph_summary(state.graph), indent=1))
        if options.get("save_intermediate"):
            stages = report / "stages"
            stages.mkdir()
            for i, (name, g) in enumerate(state.stages.items()):
                (stages / f"{i}_{name}.json").write_text(json.dumps(graph_summary(g), indent=1))
    console.print(f"wrote {out}/ (board {b.name}, part {b.part})")
    est = state.artifacts.get("estimate")
    if est:
        for line in build_summary(est, out):
            console.print(line)
    return state.with_artifact(out_dir=out)


def build_summary(est: dict, out: Path) -> list[str]:
    """The few lines ``hwgen build`` ends with: throughput, latency, resources and fit, bottleneck."""
    p, tot, cap, util = est["performance"], est["totals"], est["board"]["capacity"], est["utilisation"]
    res = ", ".join(f"{tot[k]:,} {name} ({100 * util[k]:.0f}%)" if cap[k] else f"{tot[k]:,} {name}"
                    for k, name in (("lut", "LUT"), ("bram18", "BRAM18"), ("dsp", "DSP")))
    fits = all(tot[k] <= cap[k] for k in ("lut", "ff", "bram18", "uram", "dsp") if k in cap)
    return [
        (f"[bold]{p['fps']:,.0f} FPS[/] at {p['clock_mhz']:g} MHz, latency {p['latency_us']:.1f} us "
         f"({p['latency_cycles']:,} cycles); " + bottleneck_text(p)),
        f"{res} of {est['board']['name']}" + ("" if fits else " [red]: does not fit[/]"),
        f"report: {out / 'report' / 'index.html'}",
    ]
