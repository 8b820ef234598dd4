"""Measure the rtl units with Yosys: the figures behind hwgen/units/cost_rtl.py.

    python bench/rtl_calibrate.py [--family xc7] [--out DIR] [--only SUBSTRING ...]

Every configuration below (MVAUs, windows, pools, a Thresholding, a LabelSelect, FIFOs, width
converters; CNV's shapes at hwgen's rtl folding among them) is one keep_hierarchy wrapper of one
Yosys run (synth_xilinx -flatten), so the counts per unit come from a single synthesis; ``--only``
keeps the configurations whose name contains one of the given strings (a single unit in a minute). Prints, per configuration, Yosys's LUT /
FF / BRAM18 / DSP beside hwgen.units.cost_rtl's model and the ratio, then the least-squares
fit of the MVAU XNOR datapath (LUT = a*PE*SIMD + b*PE*acc_bits + c) that cost_rtl.py quotes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def configs():
    from hwgen.units import MVAU, LabelSelect, SlidingWindow, StreamingMaxPool, Thresholding

    rng = np.random.default_rng(7)
    out = []
    for pe, simd, mw, mh in [(4, 32, 576, 64), (16, 32, 576, 128), (32, 32, 576, 64), (8, 64, 1152, 128),
                             (16, 64, 1152, 256), (2, 128, 2304, 256), (1, 8, 512, 10), (32, 16, 256, 512)]:
        out.append(MVAU(name=f"mvau_xnor_p{pe}_s{simd}_{mw}x{mh}", mw=mw, mh=mh, pe=pe, simd=simd,
                        weights=rng.integers(0, 2, (mh, mw)),
                        thresholds=np.sort(rng.integers(0, mw + 1, (mh, 1)), axis=1)))
    for pe, simd in [(16, 3), (8, 27), (64, 27)]:
        out.append(MVAU(name=f"mvau_int8_p{pe}_s{simd}", mw=27, mh=64, reps=900, pe=pe, simd=simd, mode="int",
                        idt="int8", odt="binary", weights=rng.integers(0, 2, (64, 27)),
                        thresholds=np.sort(rng.integers(-500, 500, (64, 1)), axis=1)))
    for dim, c, simd, dt in [((32, 32), 3, 3, "int8"), ((30, 30), 64, 32, "binary"), ((12, 12), 128, 32, "binary"),
                             ((5, 5), 256, 64, "binary"), ((32, 32), 3, 9, "int8"), ((30, 30), 64, 576, "binary"),
                             ((14, 14), 64, 64, "binary"), ((12, 12), 128, 384, "binary"), ((3, 3), 256, 16, "binary")]:
        out.append(SlidingWindow(name=f"swu_{dim[0]}_c{c}_s{simd}", ifm_dim=dim, channels=c, kernel=(3, 3), simd=simd,
                                 idt=dt))
    for dim, c, pe in [((28, 28), 64, 1), ((10, 10), 128, 4), ((28, 28), 64, 16), ((28, 28), 64, 8), ((10, 10), 128, 2)]:
        out.append(StreamingMaxPool(name=f"pool_{dim[0]}_c{c}_p{pe}", ifm_dim=dim, channels=c, pe=pe,
                                    min_mask=rng.integers(0, 2, c).astype(bool)))
    out.append(Thresholding(name="thr_c64_p4", channels=64, pixels=100, pe=4, idt="int16", odt="uint2",
                            thresholds=np.sort(rng.integers(-3000, 3000, (64, 3)), axis=1)))
    out.append(LabelSelect(name="ls_10_p1", labels=10, k=1, pe=1, idt="int16", odt="uint8"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--family", default="xc7")
    ap.add_argument("--out", default=None)
    ap.add_argument("--only", nargs="*", default=None,
                    help="measure only the configurations whose name contains one of these strings")
    a = ap.parse_args()

    from hwgen.backends.rtl.verilator import LIB_DIR, render, verilog_params
    from hwgen.backends.rtl.yosys import synth
    from hwgen.core.boards import load_board
    from hwgen.units.cost_rtl import dwc_rtl_resources, fifo_rtl_resources, rtl_resources
    from hwgen.units.rtl import dwc_rtl, fifo_rtl, rtl_context

    board = load_board("pynq-z1")
    units = [u for u in configs() if not a.only or any(o in u.name for o in a.only)]
    insts, models = [], []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(a.out or tmp)
        root.mkdir(parents=True, exist_ok=True)
        for u in units:
            c = rtl_context(u)
            files = {}
            for p, lines in c.mems.items():
                files[p] = f"{u.name}_{p.lower()}.mem"
                (root / files[p]).write_text("\n".join(lines) + "\n")
            insts.append({"wrapper": f"cal_{u.name}", "node": u.name, "module": c.module, "summary": c.summary,
                          "params": verilog_params(c.params, files), "in_width": c.in_width, "out_width": c.out_width})
            models.append(rtl_resources(u, board))
        for depth, width in [(2, 64), (32, 64), (128, 32), (512, 8)]:
            if a.only and not any(o in f"fifo_d{depth}_w{width}" for o in a.only):
                continue
            c = fifo_rtl(1, width, depth, 1)
            insts.append({"wrapper": f"cal_fifo_d{depth}_w{width}", "node": f"fifo d={depth} w={width}",
                          "module": c.module, "summary": c.summary, "params": verilog_params(c.params, {}),
                          "in_width": c.in_width, "out_width": c.out_width})
            models.append(fifo_rtl_resources(width, depth))

        for i_epw, o_epw, bits_ in [(8, 3, 8), (16, 64, 1), (16, 128, 1), (2, 64, 1), (4, 8, 1), (1, 5, 11), (64, 16, 1), (16, 1, 1), (10, 5, 11), (576, 64, 1)]:
            name = f"dwc_{i_epw}to{o_epw}_b{bits_}"
            if a.only and not any(o in name for o in a.only):
                continue
            total = i_epw * o_epw * 4
            c = dwc_rtl(i_epw, o_epw, bits_, total)
            insts.append({"wrapper": f"cal_{name}", "node": name, "module": c.module, "summary": c.summary,
                          "params": verilog_params(c.params, {}), "in_width": c.in_width, "out_width": c.out_width})
            models.append(dwc_rtl_resources(i_epw * bits_, o_epw * bits_, bits_))

        class D:
            top = "cal"
            instances = insts

        (root / "units.v").write_text(render("rtl/units.v.j2", d=D, model="calibration"))
        ports, body = ["input wire clk", "input wire rst_n"], []
        for i, x in enumerate(insts):
            ports += [f"input wire [{x['in_width'] - 1}:0] i{i}", f"input wire iv{i}", f"output wire ir{i}",
                      f"output wire [{x['out_width'] - 1}:0] o{i}", f"output wire ov{i}", f"input wire or{i}"]
            body.append(f"  {x['wrapper']} u{i} (clk, rst_n, i{i}, iv{i}, ir{i}, o{i}, ov{i}, or{i});")
        (root / "cal.v").write_text("module cal (\n  " + ",\n  ".join(ports) + "\n);\n" + "\n".join(body) + "\nendmodule\n")
        s = synth([root / "cal.v", root / "units.v", *sorted(LIB_DIR.glob("*.v"))], "cal", a.family, cwd=root)
    print(f"Yosys synth_xilinx -family {a.family}: {s.seconds:.0f} s for {len(insts)} configurations")
    keys = ("lut", "ff", "bram18", "dsp")
    print(f"{'configuration':34s}" + "".join(f"{k.upper() + ' yosys/model':>22s}" for k in keys))
    fit_rows, fit_y = [], []
    for x, m, u in zip(insts, models, units + [None] * (len(insts) - len(units))):
        y = s.modules[x["wrapper"]]
        print(f"{x['node'][-34:]:34s}" + "".join(f"{y[k]:>9d}/{m[k]:<7d}{(y[k] / m[k] if m[k] else 0):>6.2f}" for k in keys))
        if u is not None and type(u).__name__ == "MVAU" and u.mode == "xnor":
            from hwgen.units.cost_rtl import memory_rtl, mvau_rtl_memories

            mem = mvau_rtl_memories(u)
            acc = int(np.ceil(np.log2(2 * u.mw + 1))) + 1
            fit_rows.append([u.pe * u.simd, u.pe * acc, 1.0])
            fit_y.append(y["lut"] - sum(memory_rtl(*m_)["lut"] for m_ in mem))
    if len(fit_rows) >= 3:
        coef, *_ = np.linalg.lstsq(np.array(fit_rows, float), np.array(fit_y, float), rcond=None)
        print(f"XNOR MVAU datapath fit: LUT = {coef[0]:.3f} * PE*SIMD + {coef[1]:.3f} * PE*acc_bits + {coef[2]:.0f}")


if __name__ == "__main__":
    main()
