"""Run finn-plus's own flow to estimates on a QONNX model; print one JSON document on stdout.

This file is a standalone script for the *FINN* environment (finn-plus installed there with
``--no-deps``; see README, "FINN interoperability"): it imports finn and qonnx, never hwgen, and
``hwgen finn-check`` / tools/capture_finn_fixtures.py run it as a subprocess::

    /work/finnvenv/bin/python hwgen/app/finn_flow.py model.onnx --out DIR
        [--folding cfg.json | --target-fps F | --bnn-pynq TFC|LFC|CNV] [--part xc7z020clg400-1]

The document holds FINN's applied folding (the hardware config FINN writes, as its
``extract_model_config_to_json`` writes it), FINN's per-layer cycles
(``estimate_layer_cycles.json``) and resources (``estimate_layer_resources.json``) and, with
--target-fps, SetFolding's ``auto_folding_config.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import sys
import time
from pathlib import Path

# BNN-PYNQ's folding as FINN's end-to-end tests apply it (tests/end2end/test_end2end_bnn_pynq.py:
# fold_tfc / fold_lfc / fold_cnv_large): MVAU (PE, SIMD) in order; the input Thresholding takes the
# first layer's SIMD as PE; each window generator takes its MVAU's SIMD.
BNN_PYNQ = {
    "TFC": [(16, 49), (8, 8), (8, 8), (10, 8)],
    "LFC": [(32, 49), (64, 32), (32, 64), (10, 8)],
    "CNV": [(16, 3), (32, 32), (16, 32), (16, 32), (4, 32), (1, 32), (1, 4), (1, 8), (5, 1)],
}
HW_ATTRS = ["PE", "SIMD", "parallel_window", "ram_style", "ram_style_thresholds", "resType",
            "mem_mode", "runtime_writeable_weights", "depth", "impl_style"]


def _bnn_pynq_step(topology: str):
    def step_bnn_pynq_folding(model, cfg):
        from qonnx.custom_op.registry import getCustomOp

        fold = BNN_PYNQ[topology]
        mvaus = [n for n in model.graph.node if n.op_type.startswith("MVAU")]
        if len(mvaus) != len(fold):
            raise SystemExit(f"{topology}: FINN made {len(mvaus)} MVAUs, BNN-PYNQ folds {len(fold)}")
        for n, (pe, simd) in zip(mvaus, fold):
            inst = getCustomOp(n)
            inst.set_nodeattr("PE", pe)
            inst.set_nodeattr("SIMD", simd)
            prod = model.find_producer(n.input[0])
            if prod is not None and prod.op_type.startswith("ConvolutionInputGenerator"):
                getCustomOp(prod).set_nodeattr("SIMD", simd)
        for n in model.graph.node:
            if n.op_type.startswith("Thresholding"):
                inst = getCustomOp(n)
                ch = inst.get_nodeattr("NumChannels")
                inst.set_nodeattr("PE", fold[0][1] if ch % fold[0][1] == 0 else 1)
        return model

    return step_bnn_pynq_folding


def run(model_path: Path, out: Path, folding: Path | None, target_fps: float | None,
        bnn_pynq: str | None, part: str, clk_ns: float) -> dict:
    from finn.util.settings import initialize_dummy_settings

    initialize_dummy_settings()
    import finn.xsi

    # FINN's RTL simulator (XSI) needs Vivado, which is never installed here; the estimate steps
    # never simulate, so its lazily-loaded names are set to None instead of being built.
    for name in getattr(finn.xsi, "_LAZY_NAMES", ()):
        setattr(finn.xsi, name, None)
    import finn.builder.build_dataflow_config as bc
    from finn.builder.build_dataflow_steps import build_dataflow_step_lookup
    from qonnx.core.modelwrapper import ModelWrapper

    out.mkdir(parents=True, exist_ok=True)
    steps: list = list(bc.estimate_only_dataflow_steps)
    if bnn_pynq:
        steps[steps.index("step_target_fps_parallelization")] = _bnn_pynq_step(bnn_pynq)
    cfg = bc.DataflowBuildConfig(
        output_dir=str(out), synth_clk_period_ns=clk_ns, fpga_part=part,
        generate_outputs=[bc.DataflowOutputType.ESTIMATE_REPORTS],
        folding_config_file=folding, target_fps=int(target_fps) if target_fps else None,
        save_intermediate_models=False,
    )
    cfg.get_report_directory().mkdir(parents=True, exist_ok=True)
    model = ModelWrapper(str(model_path))
    t0 = time.perf_counter()
    log = io.StringIO()
    with contextlib.redirect_stdout(log):
        for s in steps:
            fn = build_dataflow_step_lookup[s] if isinstance(s, str) else s
            model = fn(model, cfg)
    seconds = time.perf_counter() - t0
    from finn.util.config import extract_model_config_to_json

    rep = cfg.get_report_directory()
    hw = out / "final_hw_config.json"
    extract_model_config_to_json(model, hw, HW_ATTRS)
    doc = {
        "finn_version": _version(), "model": str(model_path), "part": part, "clk_ns": clk_ns,
        "seconds": round(seconds, 2),
        "nodes": [[n.name, n.op_type] for n in model.graph.node],
        "folding": json.loads(hw.read_text()),
        "cycles": json.loads((rep / "estimate_layer_cycles.json").read_text()),
        "resources": json.loads((rep / "estimate_layer_resources.json").read_text()),
    }
    auto = rep / "auto_folding_config.json"
    if auto.exists():
        doc["set_folding"] = json.loads(auto.read_text())
    return doc


def _version() -> str:
    from importlib.metadata import version

    return version("finn-plus")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--folding", type=Path)
    g.add_argument("--target-fps", type=float)
    g.add_argument("--bnn-pynq", choices=sorted(BNN_PYNQ))
    ap.add_argument("--part", default="xc7z020clg400-1")
    ap.add_argument("--clk-ns", type=float, default=10.0)
    a = ap.parse_args(argv)
    logging.disable(logging.WARNING)
    os.environ.setdefault("FINN_BUILD_DIR", str(a.out / "tmp"))
    doc = run(a.model, a.out, a.folding, a.target_fps, a.bnn_pynq, a.part, a.clk_ns)
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
