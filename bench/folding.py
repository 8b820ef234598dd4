"""Folding benchmark: BNN-PYNQ's CNV-W1A1 folding vs hwgen's optimizer, and FPS per model/board.

Run: .venv/bin/python bench/folding.py   (exports the Brevitas bnn_pynq models to a temp dir)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from hwgen.analysis.estimate import estimate  # noqa: E402
from hwgen.core.boards import load_board  # noqa: E402
from hwgen.core.flow import compile_model  # noqa: E402
from hwgen.fold.optimizer import fold_max_throughput  # noqa: E402
from hwgen.units.cost import XNOR_LANE_LUTS  # noqa: E402
from hwgen.zoo.bnn_pynq import FOLDING, apply_folding, export_bnn_pynq  # noqa: E402

BNN_PYNQ_CNV = FOLDING["CNV_1W1A"]
BNN_PYNQ_FPS = 3050
console = Console(highlight=False, width=160)


def export(name: str, out: Path) -> Path:
    return export_bnn_pynq(name, out / f"{name}.onnx", randomize=False)


def bnn_pynq_graph(g):
    """CNV with BNN-PYNQ's folding (its last layer padded to 64 outputs, pools a pixel per cycle)."""
    return apply_folding(g, "CNV_1W1A")


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="hwgen-bench-"))
    pynq = load_board("pynq-z1")
    cnv = compile_model(export("CNV_1W1A", tmp)).stages["hardware"]
    t0 = time.perf_counter()
    ours = fold_max_throughput(cnv, pynq, 0.8)
    dt = time.perf_counter() - t0
    theirs_e = estimate(bnn_pynq_graph(cnv), pynq, 0.8)
    ours_e = estimate(ours, pynq, 0.8)

    t = Table(title="CNV-W1A1 on PYNQ-Z1 @ 100 MHz: BNN-PYNQ folding vs hwgen (budget 80%)", title_justify="left")
    for c in ("unit", "shape", "BNN-PYNQ PE/SIMD", "cycles", "hwgen PE/SIMD", "cycles ", "LUT", "BRAM18"):
        t.add_column(c, justify="left" if c in ("unit", "shape") else "right")
    th = {r["name"]: r for r in theirs_e["units"]}
    for r in ours_e["units"]:
        o = th[r["name"]]
        fmt = lambda x: f"{x['PE'] or '-'}/{x['SIMD'] or '-'}"  # noqa: E731
        t.add_row(r["name"], r["shape"], fmt(o), str(o["cycles"]), fmt(r), str(r["cycles"]), str(r["lut"]),
                  str(r["bram18"]))
    console.print(t)
    for label, e in (("BNN-PYNQ folding", theirs_e), ("hwgen optimizer", ours_e)):
        p, tot, u = e["performance"], e["totals"], e["utilisation"]
        console.print(f"{label:17s} {p['fps']:8.0f} FPS  bottleneck {p['max_cycles']:6d} cycles ({p['bottleneck']})  "
                      f"LUT {tot['lut']} ({100 * u['lut']:.0f}%)  BRAM18 {tot['bram18']} ({100 * u['bram18']:.0f}%)  "
                      f"DSP {tot['dsp']}  latency {p['latency_us']:.0f} us")
    ratio = ours_e["performance"]["fps"] / BNN_PYNQ_FPS
    console.print(f"hwgen / BNN-PYNQ published ({BNN_PYNQ_FPS} FPS): {ratio:.2f}x   (optimizer took {dt:.2f} s)")

    # compute bound: MACs per frame over the lanes the LUT budget affords at our per-lane cost
    macs = sum(n.attrs["mw"] * n.attrs["mh"] * n.attrs["reps"] for n in cnv.nodes if n.op == "MVAU")
    lane_luts = XNOR_LANE_LUTS * 1.1
    fixed = ours_e["totals"]["lut"] - sum(
        XNOR_LANE_LUTS * 1.1 * r["PE"] * r["SIMD"] for r in ours_e["units"] if r["op"] == "MVAU")
    lanes = (0.8 * pynq.lut - max(0, fixed)) / lane_luts
    bound = pynq.clock_mhz * 1e6 * lanes / macs
    used = sum(r["PE"] * r["SIMD"] for r in ours_e["units"] if r["op"] == "MVAU")
    console.print(f"compute bound: {macs / 1e6:.1f} M MAC/frame; 80% LUT minus non-lane logic affords "
                  f"~{lanes:.0f} lanes at {lane_luts:.1f} LUT/lane -> {bound:.0f} FPS; hwgen uses {used} lanes, "
                  f"{100 * ours_e['performance']['fps'] / bound:.0f}% of the bound")

    t = Table(title="Highest-throughput folding within 80% of LUT/BRAM18/DSP, 100 MHz", title_justify="left")
    for c in ("model", "board", "FPS", "bottleneck", "cycles", "LUT %", "BRAM18 %", "latency us"):
        t.add_column(c, justify="left" if c in ("model", "board", "bottleneck") else "right")
    for name in ("CNV_1W1A", "TFC_1W1A", "SFC_1W1A", "LFC_1W1A"):
        g = cnv if name == "CNV_1W1A" else compile_model(export(name, tmp)).stages["hardware"]
        for bn in ("pynq-z1", "zcu104"):
            b = load_board(bn)
            e = estimate(fold_max_throughput(g, b, 0.8), b, 0.8)
            p, u = e["performance"], e["utilisation"]
            t.add_row(name, bn, f"{p['fps']:.0f}", p["bottleneck"], str(p["max_cycles"]), f"{100 * u['lut']:.0f}",
                      f"{100 * u['bram18']:.0f}", f"{p['latency_us']:.1f}")
    console.print(t)


if __name__ == "__main__":
    main()
