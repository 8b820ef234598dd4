"""Cycle-level dataflow check: run time on TFC and CNV, C (fast-forward) against the per-cycle
Python loop in the same run, and the FIFO search (refine_depths) time.

Usage: python bench/dataflow_check.py [--frames 4] [--python-frames 1]
Exports brevitas_examples' TFC_1W1A and CNV_1W1A (random BatchNorm statistics), folds each for
the highest throughput within 80 % of PYNQ-Z1 (and TFC also unfolded), inserts converters and
FIFOs, sizes them, and replays the graph.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from hwgen.analysis.estimate import estimate
from hwgen.core.boards import load_board
from hwgen.core.flow import compile_model
from hwgen.fold import fold_max_throughput
from hwgen.passes.fifo import refine_depths, size_fifos
from hwgen.passes.insert import insert_stream_nodes
from hwgen.sim.dataflow import build_network, run_network
from hwgen.zoo.bnn_pynq import export_bnn_pynq


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--frames", type=int, default=4)
    ap.add_argument("--python-frames", type=int, default=1, help="frames for the Python peer (it is slow)")
    args = ap.parse_args()
    board = load_board("pynq-z1")
    axi = board.axi_port_bits
    print(f"{'model':<22}{'cycles/frame':>13}{'procs':>6}{'C s':>9}{'C Mcyc/s':>9}{'py s':>9}"
          f"{'py/C':>8}{'sizing s':>9}{'runs':>5}  interval == max_cycles")
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("TFC_1W1A", "CNV_1W1A"):
            hw = compile_model(export_bnn_pynq(name, Path(tmp) / f"{name}.onnx", 0)).stages["hardware"]
            cases = [("max", fold_max_throughput(hw, board, 0.8))]
            if name == "TFC_1W1A":
                cases.append(("unfolded", hw))
            for label, g0 in cases:
                g = size_fifos(insert_stream_nodes(g0, axi))
                t0 = time.perf_counter()
                g, info = refine_depths(g, axi)
                t_size = time.perf_counter() - t0
                net = build_network(g, axi)
                c = run_network(net, args.frames)
                # the peer: the same loop, cycle by cycle in Python, per frame
                py = run_network(net, args.python_frames, use_c=False)
                c1 = run_network(net, args.python_frames)
                assert (py.completions, py.peak) == (c1.completions, c1.peak)
                per_frame_c = c.seconds / args.frames
                per_frame_py = py.seconds / args.python_frames
                mx = estimate(g, board)["performance"]["max_cycles"]
                print(f"{name + ' ' + label:<22}{mx:>13}{len(net.processes):>6}{c.seconds:>9.3f}"
                      f"{c.cycles_run / c.seconds / 1e6:>9.1f}{py.seconds:>9.2f}{per_frame_py / per_frame_c:>8.0f}"
                      f"{t_size:>9.2f}{info['runs']:>5}  {c.interval} == {mx}: {c.interval == mx}")


if __name__ == "__main__":
    main()
