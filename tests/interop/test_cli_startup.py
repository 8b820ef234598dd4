"""The CLI answers at once: no torch, numpy, onnx or compiler import for --help and `boards`;
`hwgen build` ends with a short summary."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hwgen.app.build import build_summary

ROOT = Path(__file__).parents[2]
HEAVY = ("torch", "numpy", "onnx", "qonnx", "brevitas", "hwgen.frontend", "hwgen.sim")


def _loaded_after(args: list[str]) -> set[str]:
    code = ("import sys\nfrom hwgen.app.cli import main\n"
            f"try:\n    main.main({args!r}, standalone_mode=False)\nexcept SystemExit:\n    pass\n"
            f"print('LOADED:' + ' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert p.returncode == 0, p.stderr
    return set(p.stdout.rsplit("LOADED:", 1)[1].split())


def test_help_and_boards_import_nothing_heavy():
    assert _loaded_after(["--help"]) == set()
    assert _loaded_after(["boards"]) == set()
    assert _loaded_after(["train", "--help"]) == set()  # the training command too, until it runs


def test_build_summary_lines(tmp_path):
    est = {"performance": {"fps": 3050.2, "clock_mhz": 100.0, "latency_us": 412.0, "latency_cycles": 41200,
                           "bottleneck": "/conv/Conv", "max_cycles": 32768},
           "totals": {"lut": 26000, "ff": 40000, "bram18": 300, "uram": 0, "dsp": 24},
           "board": {"name": "pynq-z1", "capacity": {"lut": 53200, "ff": 106400, "bram18": 280, "uram": 0, "dsp": 220}},
           "utilisation": {"lut": 26000 / 53200, "ff": 40000 / 106400, "bram18": 300 / 280, "uram": 0, "dsp": 24 / 220}}
    lines = build_summary(est, tmp_path / "out")
    assert lines[0].startswith("[bold]3,050 FPS[/] at 100 MHz, latency 412.0 us")
    assert "bottleneck /conv/Conv (32,768 cycles/frame)" in lines[0]
    assert lines[1] == "26,000 LUT (49%), 300 BRAM18 (107%), 24 DSP (11%) of pynq-z1 [red]: does not fit[/]"
    est["totals"]["bram18"] = 200
    assert "does not fit" not in build_summary(est, tmp_path / "out")[1]
    assert lines[2] == f"report: {tmp_path / 'out' / 'report' / 'index.html'}"
