"""The static II check on the BNN-PYNQ models, both boards, a published folding and hwgen's
optimizer folding: every unit's II bound, the estimate (FPS, LUT, BRAM18) that uses it.

Run: .venv/bin/python bench/hls_check.py [out_dir]   (exports the Brevitas bnn_pynq models)
Writes <out_dir>/<model>_<board>_<folding>/report/hls_check.json; the optimizer foldings go
through the real build step (hwgen.backends.hls.codegen.generate), the published ones (whose
padded MVAU shapes only the estimate takes) through the same check functions.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from hwgen.analysis.estimate import estimate  # noqa: E402
from hwgen.backends.hls.codegen import generate  # noqa: E402
from hwgen.backends.hls.ii_check import check_nodes, write_report  # noqa: E402
from hwgen.core.boards import load_board  # noqa: E402
from hwgen.core.flow import compile_model  # noqa: E402
from hwgen.fold.optimizer import fold_max_throughput  # noqa: E402
from hwgen.passes.insert import insert_stream_nodes  # noqa: E402
from hwgen.units import hardware_nodes  # noqa: E402
from hwgen.zoo.bnn_pynq import apply_folding, export_bnn_pynq  # noqa: E402

MODELS = ["TFC_1W1A", "SFC_1W1A", "LFC_1W1A", "TFC_2W2A", "CNV_1W1A", "CNV_1W2A"]
# BNN-PYNQ published foldings exist for CNV (W1A1 and W1A2 share it) and LFC; TFC/SFC have no
# BNN-PYNQ accelerator: FINN's TFC end-to-end example folding, and the same style for SFC
HAND = {"TFC": [(16, 49), (8, 8), (8, 8), (10, 8)], "SFC": [(16, 49), (16, 32), (16, 32), (10, 8)]}
console = Console(highlight=False, width=170)


def published(g, name: str):
    if name.startswith("CNV"):
        return apply_folding(g, "CNV_1W1A"), "BNN-PYNQ"
    if name.startswith("LFC"):
        return apply_folding(g, "LFC_1W1A"), "BNN-PYNQ"
    folding = HAND[name[:3]]
    for n, (pe, simd) in zip([n for n in g.nodes if n.op == "MVAU"], folding):
        g = g.replace_node(n, [n.with_attrs(pe=pe, simd=simd)])
    return g, "FINN example" if name.startswith("TFC") else "hand"


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="hwgen-hlscheck-"))
    t = Table(title="Static II check (report/hls_check.json) and the estimate that uses it", title_justify="left")
    for c in ("model", "board", "folding", "units", "max II bound", "FPS", "bottleneck", "LUT", "BRAM18"):
        t.add_column(c, justify="left" if c in ("model", "board", "folding", "bottleneck") else "right")
    worst = 1
    for name in MODELS:
        g = compile_model(export_bnn_pynq(name, out / f"{name}.onnx", randomize=False)).stages["hardware"]
        for bname in ("pynq-z1", "zcu104"):
            board = load_board(bname)
            pub, label = published(g, name)
            for fold_label, fg in ((label, pub), ("hwgen optimizer", fold_max_throughput(g, board, 0.8))):
                case = out / f"{name}_{bname}_{fold_label.split()[0].lower()}"
                if fold_label == "hwgen optimizer":
                    generate(fg, board, case)  # the build step: refuses II > 1, writes the report
                    checks = check_nodes(hardware_nodes(insert_stream_nodes(fg, board.axi_port_bits)))
                else:
                    checks = check_nodes(hardware_nodes(insert_stream_nodes(fg, board.axi_port_bits)))
                    write_report(checks, case)
                ii = max(c.ii_bound for c in checks.values())
                worst = max(worst, ii)
                e = estimate(fg, board)
                p, tot = e["performance"], e["totals"]
                t.add_row(name, bname, fold_label, str(len(checks)), str(ii), f"{p['fps']:.0f}", str(p["bottleneck"]),
                          str(tot["lut"]), str(tot["bram18"]))
    console.print(t)
    console.print(f"reports under {out}; worst II bound over every unit of every design: {worst}")


if __name__ == "__main__":
    main()
