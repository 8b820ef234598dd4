"""``hwgen synth DIR``: Yosys synthesis of a project built with --backend rtl."""

from __future__ import annotations

import click


@click.command()
@click.argument("out_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--family", type=click.Choice(["xc7", "xcup"]), default=None,
              help="synth_xilinx family (default: from the board in report/estimate.json; xc7 = Zynq-7000, "
                   "xcup = Zynq UltraScale+).")
def synth_cmd(out_dir: str, family: str | None) -> None:
    """Synthesize DIR/rtl with Yosys; per-node LUT/FF/BRAM18/DSP beside the estimate (report/synth.json)."""
    import json
    from pathlib import Path

    from hwgen.backends.rtl.synth import family_of, synth_dir, synth_table
    from hwgen.core.boards import load_board
    from hwgen.core.log import console

    if family is None:
        est = Path(out_dir) / "report" / "estimate.json"
        family = "xc7"
        if est.is_file():
            family = family_of(load_board(json.loads(est.read_text())["board"]["name"]))
    console.print(synth_table(synth_dir(out_dir, family)))
