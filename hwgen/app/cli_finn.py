"""``hwgen finn-check``: FINN's per-layer cycles and resources beside hwgen's, one folding."""

from __future__ import annotations

import click
from rich.table import Table


def _s(v) -> str:
    return "" if v is None else f"{v:g}" if isinstance(v, float) else str(v)


@click.command("finn-check")
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--folding", type=click.Path(dir_okay=False), default=None,
              help="Folding config (hwgen's or FINN's node names); default: hwgen's optimizer.")
@click.option("--board", default="pynq-z1", show_default=True, help="Board name or path to a board .toml.")
@click.option("--budget", type=float, default=0.8, show_default=True, help="Resource budget of the optimizer.")
def finn_check_cmd(model: str, folding: str | None, board: str, budget: float) -> None:
    """Run finn-plus's flow to estimates on MODEL with hwgen's folding; print both side by side."""
    from hwgen.app.cli_estimate import wide_console
    from hwgen.app.finn_check import compare
    from hwgen.core.log import console

    with console.status("running hwgen's estimate and FINN's flow to estimates ..."):
        res = compare(model, board, folding, budget)
    t = Table(title=f"{model}: FINN (finn-plus {res['finn_version']}) vs hwgen, same folding",
              title_justify="left")
    for col in ("FINN layer", "hwgen unit", "FINN cycles", "hwgen loop cycles", "FINN LUT", "hwgen LUT",
                "FINN BRAM18", "hwgen BRAM18", "FINN DSP", "hwgen DSP"):
        t.add_column(col, justify="left" if "layer" in col or "unit" in col else "right")
    for r in res["rows"]:
        same = r["cycles"] is not None and r["finn_cycles"] == r["cycles"]
        t.add_row(r["finn"], r["ours"], _s(r["finn_cycles"]), _s(r["cycles"]), _s(r["finn_lut"]), _s(r["lut"]),
                  _s(r["finn_bram18"]), _s(r["bram18"]), _s(r["finn_dsp"]), _s(r["dsp"]),
                  style=None if same or r["cycles"] is None else "yellow")
    ft, ot = res["finn_total"], res["totals"]
    t.add_section()
    t.add_row("total (FINN: layers; hwgen: with FIFOs, DMA shell)", "", "", "", _s(ft.get("LUT")), _s(ot["lut"]),
              _s(ft.get("BRAM_18K")), _s(ot["bram18"]), _s(ft.get("DSP")), _s(ot["dsp"]), style="bold")
    wide_console().print(t)
    verdict = "[green]equal[/]" if res["mvau_equal"] == res["mvau_total"] else "[red]differ[/]"
    console.print(f"MVAU cycles: {res['mvau_equal']} of {res['mvau_total']} {verdict}; "
                  f"FINN's flow took {res['finn_seconds']:.1f} s")
