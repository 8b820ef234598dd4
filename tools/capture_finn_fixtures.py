"""Regenerate tests/fixtures/finn/: FINN's own folding files and estimates for BNN-PYNQ models.

Run from the repository with hwgen's environment; finn-plus runs in its own (tools/install_finn.sh,
or $HWGEN_FINN_PYTHON)::

    python tools/capture_finn_fixtures.py [--out tests/fixtures/finn]

For TFC_2W2A, LFC_1W1A and CNV_1W1A (brevitas_examples.bnn_pynq, seed 0, randomized BatchNorm)
FINN applies BNN-PYNQ's folding (finn_flow.py --bnn-pynq) and writes its hardware config; for
CNV_1W1A FINN's SetFolding also picks a folding for 5,000 FPS. Each model gives
``<model>.folding.json`` (FINN's file, verbatim) and ``<model>.estimates.json`` (FINN's node
names, per-layer cycles and resources).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hwgen.app.finn_check import run_finn
from hwgen.zoo.bnn_pynq import export_bnn_pynq

CASES = [("TFC_2W2A", {"bnn_pynq": "TFC"}, "tfc_2w2a"), ("LFC_1W1A", {"bnn_pynq": "LFC"}, "lfc_1w1a"),
         ("CNV_1W1A", {"bnn_pynq": "CNV"}, "cnv_1w1a"), ("CNV_1W1A", {"target_fps": 5000}, "cnv_1w1a_setfolding")]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=Path("tests/fixtures/finn"))
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for model, how, stem in CASES:
            onnx = export_bnn_pynq(model, Path(tmp) / f"{model}.onnx")
            doc = run_finn(onnx, **how)
            folding = doc.pop("set_folding", None) or doc["folding"]
            doc.pop("folding")
            doc["model"] = f"{model} (hwgen.zoo.bnn_pynq.export_bnn_pynq, seed 0)"
            doc["how"] = how
            (a.out / f"{stem}.folding.json").write_text(json.dumps(folding, indent=2) + "\n")
            (a.out / f"{stem}.estimates.json").write_text(json.dumps(doc, indent=1) + "\n")
            print(f"{stem}: FINN {doc['seconds']} s, {len(doc['nodes'])} nodes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
