"""CNV_1W1A C-simulation: g++ compile time of the generated project and run time per image.

Usage: python bench/csim_build.py [--n 4] [--folding bnn-pynq|none]
Exports brevitas_examples' CNV_1W1A (random BatchNorm statistics), generates the HLS project,
compiles it once and runs N images, checking them against the simulator bit for bit.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "codegen"))

from codegen_helpers import export_bnn_pynq, fold  # noqa: E402

from hwgen.backends.hls.codegen import generate  # noqa: E402
from hwgen.backends.hls.csim import csim_graph  # noqa: E402
from hwgen.core.boards import load_board  # noqa: E402
from hwgen.core.flow import compile_model  # noqa: E402

BNN_PYNQ = [(16, 3), (32, 32), (16, 32), (16, 32), (4, 32), (1, 32), (1, 4), (1, 8), (5, 1)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=4)
    ap.add_argument("--folding", choices=["bnn-pynq", "none"], default="bnn-pynq")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        onnx = export_bnn_pynq("CNV_1W1A", Path(tmp) / "cnv.onnx")
        g = compile_model(onnx).stages["hardware"]
        if args.folding == "bnn-pynq":
            g = fold(g, BNN_PYNQ)
        t0 = time.perf_counter()
        generate(g, load_board("pynq-z1"), Path(tmp) / "out")
        t_gen = time.perf_counter() - t0
        r = csim_graph(g, Path(tmp) / "out" / "hls", args.n)
        print(f"CNV_1W1A ({args.folding} folding): codegen {t_gen:.2f} s, g++ -O2 compile {r.compile_s:.1f} s, "
              f"csim {1000 * r.per_frame_s:.1f} ms per image ({args.n} images, {r.run_s:.2f} s wall), "
              f"{args.n - r.mismatches}/{args.n} equal to the simulator")


if __name__ == "__main__":
    main()
