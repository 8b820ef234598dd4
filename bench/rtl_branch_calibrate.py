"""Measure the branching units' Verilog with Yosys: the figures behind the branching units'
functions at the end of hwgen/units/cost_rtl.py.

    python bench/rtl_branch_calibrate.py [--family xc7] [--out DIR]

Every configuration below is one keep_hierarchy wrapper of one Yosys run (synth_xilinx -flatten),
so the counts per unit come from a single synthesis. Prints, per configuration, Yosys's LUT / FF /
BRAM18 / DSP beside the cost model (hwgen.units.cost_rtl) and the ratio.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def configs():
    from hwgen.units import (
        AddStreams,
        AveragePool,
        DuplicateStreams,
        GlobalAveragePool,
        StreamingConcat,
    )

    out = []
    for c, n, pe, dt in [(64, 2, 1, "binary"), (64, 2, 16, "binary"), (64, 2, 8, "int8"), (64, 3, 4, "int8"),
                         (256, 2, 32, "int6"), (64, 4, 8, "binary"), (64, 5, 2, "int4"), (64, 3, 16, "binary")]:
        out.append(DuplicateStreams(name=f"dup_c{c}_n{n}_p{pe}_{dt}", channels=c, pixels=16, n=n, pe=pe, dt=dt))
    for pe, a, b, sa, sb, o in [(1, "int8", "int8", 0, 0, "int9"), (4, "int8", "int8", 0, 0, "int9"),
                                (16, "int6", "int6", 0, 0, "int7"), (8, "int6", "int8", 2, 0, "int11"),
                                (32, "int4", "int4", 0, 1, "int6")]:
        out.append(AddStreams(name=f"add_p{pe}_{a}s{sa}_{b}s{sb}", channels=64, pixels=16, pe=pe, idt_a=a, idt_b=b,
                              shift_a=sa, shift_b=sb, odt=o))
    for chans, pe, dt in [((64, 64), 1, "binary"), ((64, 64), 16, "binary"), ((32, 64), 8, "int6"),
                          ((32, 32, 32), 4, "int8"), ((128, 64, 64, 32), 32, "binary")]:
        out.append(StreamingConcat(name=f"cat_{'_'.join(map(str, chans))}_p{pe}_{dt}", channels=chans, pixels=16,
                                   pe=pe, dt=dt))
    for dim, c, pe, idt, odt in [((8, 8), 64, 1, "int6", "int8"), ((8, 8), 64, 8, "int6", "int8"),
                                 ((16, 16), 32, 4, "int8", "int10"), ((32, 32), 64, 1, "int4", "int6"),
                                 ((16, 16), 128, 2, "int6", "int8")]:
        out.append(AveragePool(name=f"avg_{dim[0]}_c{c}_p{pe}_{idt}", ifm_dim=dim, channels=c, kernel=(2, 2), pe=pe,
                               idt=idt, odt=odt))
    for pixels, c, pe, idt, odt in [(16, 64, 1, "int6", "int10"), (16, 64, 8, "int6", "int10"),
                                    (64, 256, 4, "int8", "int14"), (49, 128, 32, "int6", "int12"),
                                    (16, 512, 1, "int6", "int10")]:
        out.append(GlobalAveragePool(name=f"gap_{pixels}_c{c}_p{pe}_{idt}", channels=c, pixels=pixels, pe=pe,
                                     idt=idt, odt=odt))
    return out


def measure(units, family: str = "xc7", out: str | None = None) -> list[tuple[str, dict, dict]]:
    """(name, Yosys counts, cost model) per unit, all wrappers in one Yosys run."""
    from hwgen.backends.rtl.verilator import LIB_DIR, render, verilog_params
    from hwgen.backends.rtl.yosys import synth
    from hwgen.units.cost_rtl import rtl_resources
    from hwgen.units.rtl import rtl_context

    insts, models = [], []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(out or tmp)
        root.mkdir(parents=True, exist_ok=True)
        for u in units:
            c = rtl_context(u)
            insts.append({"wrapper": f"cal_{u.name}", "node": u.name, "module": c.module, "summary": c.summary,
                          "params": verilog_params(c.params, {}), "in_width": c.in_width, "out_width": c.out_width,
                          "n_in": len(c.inputs), "n_out": len(c.outputs)})
            models.append(rtl_resources(u, None))

        class D:
            top = "cal"
            instances = insts

        (root / "units.v").write_text(render("rtl/units.v.j2", d=D, model="calibration"))
        ports, body = ["input wire clk", "input wire rst_n"], []
        for i, x in enumerate(insts):
            ni, no = x["n_in"], x["n_out"]
            ports += [f"input wire [{x['in_width'] - 1}:0] i{i}", f"input wire [{ni - 1}:0] iv{i}",
                      f"output wire [{ni - 1}:0] ir{i}", f"output wire [{x['out_width'] - 1}:0] o{i}",
                      f"output wire [{no - 1}:0] ov{i}", f"input wire [{no - 1}:0] or{i}"]
            body.append(f"  {x['wrapper']} u{i} (clk, rst_n, i{i}, iv{i}, ir{i}, o{i}, ov{i}, or{i});")
        (root / "cal.v").write_text("module cal (\n  " + ",\n  ".join(ports) + "\n);\n" + "\n".join(body) + "\nendmodule\n")
        s = synth([root / "cal.v", root / "units.v", *sorted(LIB_DIR.glob("*.v"))], "cal", family, cwd=root)
    print(f"Yosys synth_xilinx -family {family}: {s.seconds:.0f} s for {len(insts)} configurations")
    return [(x["node"], s.modules[x["wrapper"]], m) for x, m in zip(insts, models)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--family", default="xc7")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    rows = measure(configs(), a.family, a.out)
    keys = ("lut", "ff", "bram18", "dsp")
    print(f"{'configuration':34s}" + "".join(f"{k.upper() + ' yosys/model':>22s}" for k in keys))
    for name, y, m in rows:
        print(f"{name[-34:]:34s}" + "".join(f"{y[k]:>9d}/{m[k]:<7d}{(y[k] / m[k] if m[k] else 0):>6.2f}" for k in keys))


if __name__ == "__main__":
    main()
