"""CNV-W1A1 through the rtl backend: Verilator and Yosys time, Yosys counts vs the cost model.

    python bench/rtl_synth.py [--folding bnn-pynq|hwgen] [--family xc7] [--frames 8]

Exports BNN-PYNQ's CNV_1W1A (random BatchNorm statistics), folds it (BNN-PYNQ's folding, or
hwgen's highest-throughput folding within 80 % of PYNQ-Z1), sizes the FIFOs, writes the Verilog,
runs ``--frames`` inputs in Verilator (checked against the simulator) and synthesizes the whole
design with ``yosys synth_xilinx -family xc7``. Prints, per unit and in total, LUT / FF / BRAM18 /
DSP by Yosys against the cost model (ratio Yosys / model), the LUT per XNOR lane of every XNOR
MVAU (its whole keep_hierarchy wrapper: datapath, weight and threshold memories, control), and
FPS at 100 MHz against the share of the board's LUT / BRAM18 / DSP by Yosys counts.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BNN_PYNQ = [(16, 3), (32, 32), (16, 32), (16, 32), (4, 32), (1, 32), (1, 4), (1, 8), (5, 1)]


def _fold_bnn_pynq(g):
    mvaus = [n for n in g.nodes if n.op == "MVAU"]
    for n, (pe, simd) in zip(mvaus, BNN_PYNQ):
        g = g.replace_node(g.node(n.name), [g.node(n.name).with_attrs(pe=pe, simd=simd)])
        prod = g.producer(n.inputs[0])
        if prod is not None and prod.op == "SlidingWindow":
            s = simd if prod.attrs["channels"] % simd == 0 else 1
            g = g.replace_node(prod, [prod.with_attrs(simd=s)])
    return g


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folding", choices=["bnn-pynq", "hwgen"], default="bnn-pynq")
    ap.add_argument("--family", default="xc7")
    ap.add_argument("--frames", type=int, default=8)
    ap.add_argument("--keep", default=None, help="write the project here instead of a temporary directory")
    a = ap.parse_args()

    from hwgen.analysis.estimate import estimate
    from hwgen.backends.rtl.codegen import build_rtl_design, write_rtl, xnor_lanes
    from hwgen.backends.rtl.rtlsim import rtlsim_graph
    from hwgen.backends.rtl.yosys import synth
    from hwgen.core.boards import load_board
    from hwgen.core.flow import compile_model
    from hwgen.fold.optimizer import fold_max_throughput
    from hwgen.passes.fifo import size_fifos
    from hwgen.units.cost import RESOURCES
    from hwgen.zoo.bnn_pynq import export_bnn_pynq

    import dataclasses

    from hwgen.passes.fifo import refine_depths
    from hwgen.passes.insert import insert_stream_nodes
    from hwgen.units.cost import SHELL

    # the cost model of the rtl library (hwgen/units/cost_rtl.py) prices the units and folds
    board = dataclasses.replace(load_board("pynq-z1"), backend="rtl")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(a.keep or tmp)
        root.mkdir(parents=True, exist_ok=True)
        g = compile_model(export_bnn_pynq("CNV_1W1A", root / "cnv.onnx", 0)).stages["hardware"]
        g = _fold_bnn_pynq(g) if a.folding == "bnn-pynq" else fold_max_throughput(g, board, 0.8)
        g = size_fifos(insert_stream_nodes(g, board.axi_port_bits))
        g = refine_depths(g, board.axi_port_bits)[0]
        est = estimate(g, board)
        d = build_rtl_design(g, board.axi_port_bits)
        rtl = root / "rtl"
        write_rtl(d, rtl, "CNV_1W1A")
        t0 = time.perf_counter()
        r = rtlsim_graph(g, d, rtl, a.frames, clock_mhz=board.clock_mhz)
        t_vl = time.perf_counter() - t0
        print(f"CNV_1W1A, {a.folding} folding: Verilator {r.compile_s:.0f} s to build (0: cached), "
              f"{r.run_s:.1f} s for {r.cycles} cycles ({r.cycles / max(r.run_s, 1e-9) / 1e3:.0f} kcycles/s), "
              f"{t_vl:.0f} s in all; {a.frames} frames equal to the simulator")
        print(f"  cycles per frame: measured {r.interval_cycles:.0f}, estimate {r.estimate_interval} "
              f"({100 * r.interval_error:+.2f} %); FPS at {board.clock_mhz:g} MHz: "
              f"{board.clock_mhz * 1e6 / r.interval_cycles:.0f}")
        srcs = [rtl / "top.v", rtl / "units.v", *sorted((rtl / "lib").glob("*.v"))]
        s = synth(srcs, d.top, a.family, cwd=rtl)
        print(f"Yosys synth_xilinx -family {a.family}: {s.seconds:.0f} s")
        est_rows = {u["name"]: u for u in est["units"] + est["infrastructure"]}
        keys = ("lut", "ff", "bram18", "dsp")
        print(f"{'unit':34s}" + "".join(f"{k.upper() + ' yosys/model':>22s}" for k in keys) + f"{'LUT/lane':>10s}")
        lanes_lut = lanes = 0
        for inst in d.instances:
            if inst["kind"] != "unit":
                continue
            y = s.modules.get(inst["wrapper"], dict.fromkeys(RESOURCES, 0))
            e = est_rows[inst["node"]]
            cells = "".join(f"{y[k]:>9d}/{e[k]:<7d}{_ratio(y[k], e[k]):>6s}" for k in keys)
            n_l = xnor_lanes(inst)
            lane = f"{y['lut'] / n_l:10.2f}" if n_l else ""
            if n_l:
                lanes_lut += y["lut"]
                lanes += n_l
            print(f"{inst['node'][-34:]:34s}{cells}{lane}")
        infra = {k: sum(s.modules.get(i["wrapper"], {}).get(k, 0) for i in d.instances if i["kind"] != "unit")
                 for k in keys}
        e_infra = {k: sum(row[k] for row in est["infrastructure"] if row["name"] != "shell") for k in keys}
        print(f"{'FIFOs, width converters':34s}" + "".join(f"{infra[k]:>9d}/{e_infra[k]:<7d}{_ratio(infra[k], e_infra[k]):>6s}"
                                                           for k in keys))
        tu = {k: est["totals"][k] - SHELL[k] for k in keys}
        print(f"{'total (accelerator)':34s}" + "".join(f"{s.total[k]:>9d}/{tu[k]:<7d}{_ratio(s.total[k], tu[k]):>6s}"
                                                        for k in keys))
        if lanes:
            print(f"XNOR MVAUs: {lanes_lut / lanes:.2f} LUT per lane over {lanes} lanes (goal <= 4)")
        cap = board.capacity()
        # Yosys cannot see the block design around the accelerator: the DMA shell stays an estimate
        share = {k: (s.total[k] + SHELL[k]) / cap[k] for k in ("lut", "bram18", "dsp") if cap[k]}
        print("PYNQ-Z1 share by Yosys counts (+ the DMA shell's estimate): " + ", ".join(f"{k.upper()} {100 * v:.1f} %" for k, v in share.items())
              + f"; {board.clock_mhz * 1e6 / r.interval_cycles:.0f} FPS at {board.clock_mhz:g} MHz "
              f"({'inside' if all(v <= 0.8 for v in share.values()) else 'outside'} 80 %)")


def _ratio(y: int, e: int) -> str:
    return f"{y / e:.2f}" if e else "-"


if __name__ == "__main__":
    main()
