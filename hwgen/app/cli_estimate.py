"""``hwgen estimate`` and ``hwgen boards``: fold and estimate without generating code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.table import Table

from hwgen.analysis.perf_text import bottleneck_text
from hwgen.app.cli_types import BUDGET, FPS
from hwgen.core.errors import ConfigError


def estimate_model(model: str, board: str, target_fps: float | None = None, budget: float = 0.8,
                   folding: str | None = None, out_dir: str | Path | None = None) -> dict[str, Any]:
    """Run flows/estimate.toml (load .. fold, fifo, estimate; its report step only with ``out_dir``)."""
    from hwgen.core.boards import load_board
    from hwgen.core.flow import FlowState, load_flow, run_flow

    if not 0 < budget <= 1:  # also refuses NaN
        raise ConfigError(f"--budget must be in (0, 1], got {budget:g}")
    if target_fps is not None and not 0 < target_fps < float("inf"):
        raise ConfigError(f"--target-fps must be a finite number > 0, got {target_fps:g}")
    b = load_board(board)
    opts: dict[str, Any] = {"board": b, "target_fps": target_fps, "budget": budget, "folding": folding}
    steps = load_flow("estimate")[:-1]  # flows/estimate.toml without its report step
    if out_dir is not None:
        opts["out_dir"] = Path(out_dir)
        steps.append("report")
    state = run_flow(steps, FlowState(Path(model), options=opts))
    return state.artifacts["estimate"]


def estimate_table(est: dict[str, Any]) -> Table:
    """The per-unit rich table with totals and board utilisation."""
    p = est["performance"]
    t = Table(title=f"{est['model']} on {est['board']['name']} @ {est['board']['clock_mhz']:g} MHz",
              title_justify="left")
    for col in ("unit", "op", "shape", "PE", "SIMD", "cycles", "LUT", "FF", "BRAM18", "URAM", "DSP"):
        t.add_column(col, justify="left" if col in ("unit", "op", "shape") else "right")
    for r in est["units"]:
        style = "bold red" if r["name"] == p["bottleneck"] else None
        t.add_row(r["name"], r["op"], r["shape"], str(r["PE"] or ""), str(r["SIMD"] or ""), str(r["cycles"]),
                  *(str(r[k]) for k in ("lut", "ff", "bram18", "uram", "dsp")), style=style)
    infra: dict[str, int] = {k: 0 for k in ("lut", "ff", "bram18", "uram", "dsp")}
    for r in est["infrastructure"]:
        for k in infra:
            infra[k] += r[k]
    t.add_section()
    t.add_row("FIFOs, width converters, DMA shell", "", "", "", "", "", *(str(infra[k]) for k in infra))
    tot, cap, util = est["totals"], est["board"]["capacity"], est["utilisation"]
    t.add_row("total", "", "", "", "", str(p["max_cycles"]), *(str(tot[k]) for k in infra), style="bold")
    t.add_row("board", "", "", "", "", "", *(str(cap[k]) for k in infra))
    t.add_row("utilisation", "", "", "", "", "",
              *(f"{100 * util[k]:.0f}%" if cap[k] else "-" for k in infra))
    return t


def wide_console():
    """The CLI console, but at least 160 columns when output is not a terminal (pipes, logs)."""
    from rich.console import Console

    from hwgen.core.log import console

    return console if console.is_terminal else Console(highlight=False, width=160)


@click.command("estimate")
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--board", default="pynq-z1", show_default=True, help="Board name or path to a board .toml.")
@click.option("--target-fps", type=FPS, default=None, help="Cheapest folding reaching this throughput.")
@click.option("--budget", type=BUDGET, default=0.8, show_default=True,
              help="Fraction of the board's LUT/BRAM/DSP the design may use.")
@click.option("--folding", "folding", type=click.Path(dir_okay=False), default=None,
              help="Apply this folding config JSON (FINN format) instead of optimizing.")
@click.option("--report", "report_dir", type=click.Path(file_okay=False), default=None,
              help="Also write estimate.json, FINN estimates, folding_config.json, index.html here.")
def estimate_cmd(model: str, board: str, target_fps: float | None, budget: float, folding: str | None,
                 report_dir: str | None) -> None:
    """Fold MODEL for BOARD and print cycles and resources per unit (no code generation)."""
    from hwgen.core.log import console

    est = estimate_model(model, board, target_fps, budget, folding, report_dir)
    wide_console().print(estimate_table(est))
    p = est["performance"]
    console.print(f"throughput {p['fps']:.0f} FPS ({bottleneck_text(p)}); "
                  f"latency {p['latency_cycles']} cycles = {p['latency_us']:.1f} us")
    if report_dir:
        console.print(f"wrote {report_dir}/report/")


@click.command("boards")
def boards_cmd() -> None:
    """List the known boards (boards/*.toml); --board also takes a path to your own .toml."""
    from hwgen.core.boards import BOARDS_DIR, known_boards, load_board

    t = Table(title=f"boards ({BOARDS_DIR})", title_justify="left")
    for col in ("name", "part", "PS", "clock MHz", "AXI bits", "LUT", "FF", "BRAM18", "URAM", "DSP"):
        t.add_column(col, justify="left" if col in ("name", "part", "PS") else "right")
    for name in known_boards():
        b = load_board(name)
        t.add_row(b.name, b.part, b.ps_family, f"{b.clock_mhz:g}", str(b.axi_port_bits),
                  *(f"{getattr(b, k):,}" for k in ("lut", "ff", "bram18", "uram", "dsp")))
    wide_console().print(t)


@click.group("report")
def report_cmd() -> None:
    """Reports of a build directory."""


@report_cmd.command("parse")
@click.argument("out_dir", type=click.Path(file_okay=False))
def report_parse_cmd(out_dir: str) -> None:
    """Read Vitis HLS csynth.xml and Vivado utilization reports in OUT_DIR; estimate vs actual per layer."""
    from hwgen.analysis.report_parse import collect, comparison_rows, write_actual
    from hwgen.core.log import console

    actual = collect(out_dir)
    t = Table(title=f"{actual['model']} on {actual['board']}: estimate vs synthesis", title_justify="left")
    for col in ("layer", "what", "estimate", "Vitis HLS", "Vivado"):
        t.add_column(col, justify="left" if col in ("layer", "what") else "right")
    for row in comparison_rows(actual):
        t.add_row(*row)
    wide_console().print(t)
    console.print(f"wrote {write_actual(out_dir, actual)}")
