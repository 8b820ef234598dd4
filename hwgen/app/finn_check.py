"""FINN as a live cross-check: run finn-plus's own flow to estimates beside hwgen's estimate.

finn-plus lives in its own environment (tools/install_finn.sh; its pins conflict with ours), so
it runs as a subprocess: ``hwgen/app/finn_flow.py`` under that environment's Python, found from
``$HWGEN_FINN_PYTHON`` or ``.venv-finn/bin/python``. Both sides get one folding: hwgen's (from
``--folding`` in either naming, or its optimizer), handed to FINN as ``folding_config.finn.json``.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from hwgen.core.errors import ConfigError, HwgenError

FINN_FLOW = Path(__file__).with_name("finn_flow.py")


class FinnUnavailable(ConfigError):
    """finn-plus is not installed where hwgen looks for it."""


def finn_python() -> Path:
    """The Python of the finn-plus environment, or a FinnUnavailable naming how to install it."""
    env = os.environ.get("HWGEN_FINN_PYTHON")
    for cand in ([Path(env)] if env else []) + [Path(".venv-finn/bin/python"),
                                                Path(__file__).parents[2] / ".venv-finn/bin/python"]:
        if cand.is_file():
            return cand.absolute()  # not resolve(): a venv's python is a symlink out of the venv
    raise FinnUnavailable("finn-plus not found ($HWGEN_FINN_PYTHON or .venv-finn/bin/python); install it "
                          "in its own environment with `bash tools/install_finn.sh .venv-finn`")


def run_finn(model: str | Path, folding: dict[str, Any] | None = None, *, target_fps: float | None = None,
             bnn_pynq: str | None = None, part: str = "xc7z020clg400-1", clk_ns: float = 10.0,
             timeout: float = 900.0) -> dict[str, Any]:
    """FINN's applied folding, per-layer cycles and resources for ``model`` (finn_flow.py's JSON)."""
    py = finn_python()
    with tempfile.TemporaryDirectory(prefix="hwgen-finn-") as tmp:
        args = [str(py), str(FINN_FLOW), str(Path(model).resolve()), "--out", str(Path(tmp) / "build"),
                "--part", part, "--clk-ns", f"{clk_ns:g}"]
        if folding is not None:
            cfg = Path(tmp) / "folding_config.finn.json"
            cfg.write_text(json.dumps(folding, indent=1))
            args += ["--folding", str(cfg)]
        elif target_fps is not None:
            args += ["--target-fps", f"{target_fps:g}"]
        elif bnn_pynq is not None:
            args += ["--bnn-pynq", bnn_pynq]
        else:
            raise ValueError("run_finn needs folding, target_fps or bnn_pynq")
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        env.pop("PYTHONPATH", None)  # FINN's environment, not ours
        try:
            p = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env, cwd=tmp,
                               check=False)
        except subprocess.TimeoutExpired:
            raise HwgenError(f"{model}: FINN's flow did not finish in {timeout:.0f} s") from None
    if p.returncode != 0:
        last = (p.stderr.strip().splitlines() or ["no output"])[-1]
        raise HwgenError(f"{model}: FINN's flow failed ({last}); run {FINN_FLOW.name} by hand to see it all")
    return json.loads(p.stdout)


def compare(model: str, board: str = "pynq-z1", folding: str | None = None,
            budget: float = 0.8) -> dict[str, Any]:
    """hwgen's estimate and FINN's on one folding: rows per FINN layer, and the MVAU verdict."""
    from hwgen.analysis.finn_names import finn_folding_config, finn_layers
    from hwgen.core.boards import load_board
    from hwgen.core.flow import FlowState, load_flow, run_flow

    b = load_board(board)
    steps = load_flow("estimate")[:-1]
    opts: dict[str, Any] = {"board": b, "budget": budget, "folding": folding}
    state = run_flow(steps, FlowState(Path(model), options=opts))
    g = state.stages["folded"]
    est = state.artifacts["estimate"]
    cfg = finn_folding_config(g)
    finn = run_finn(model, cfg, part=b.part, clk_ns=1000.0 / b.clock_mhz)
    ours = {r["name"]: r for r in est["units"]}
    rows = []
    for layer in finn_layers(g):
        r = ours.get(layer.node) if layer.node else None
        fr = finn["resources"].get(layer.name, {})
        rows.append({
            "finn": layer.name, "ours": layer.node or "(host)", "op": layer.op,
            # FINN's layer estimate is its loop (NF x SF x reps); ours beside it is the same loop,
            # without the per-frame pipeline fill/drain hwgen's estimate adds (frame cycles)
            "finn_cycles": finn["cycles"].get(layer.name), "cycles": r["loop_cycles"] if r else None,
            "frame_cycles": r["cycles"] if r else None,
            "finn_lut": fr.get("LUT"), "lut": r["lut"] if r else None,
            "finn_bram18": fr.get("BRAM_18K"), "bram18": r["bram18"] if r else None,
            "finn_dsp": fr.get("DSP"), "dsp": r["dsp"] if r else None,
        })
    mv = [r for r in rows if r["op"].startswith("MVAU")]
    equal = sum(r["finn_cycles"] == r["cycles"] for r in mv)
    return {"rows": rows, "mvau_equal": equal, "mvau_total": len(mv), "finn_seconds": finn["seconds"],
            "finn_version": finn["finn_version"], "finn_total": finn["resources"].get("total", {}),
            "totals": est["totals"], "folding": cfg}
