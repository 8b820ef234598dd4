"""`hwgen export CHECKPOINT`: a zoo checkpoint to a checked QONNX file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import torch

from hwgen import zoo
from hwgen.frontend import load

ROOT = Path(__file__).parents[2]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hwgen", *args], capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}, timeout=600)


def test_export_checkpoint(tmp_path):
    torch.manual_seed(0)
    m = zoo.build("digits-mlp")
    ckpt = tmp_path / "m.pt"
    torch.save({"zoo_spec": m.zoo_spec, "state_dict": m.state_dict(), "metrics": {}}, ckpt)
    p = _run("export", str(ckpt), "--n", "8")
    assert p.returncode == 0, p.stderr[-2000:]
    assert "equals the PyTorch forward layer by layer on 9 inputs" in p.stdout
    assert load(tmp_path / "m.onnx", warnings=[]).nodes


def test_export_refuses_a_missing_checkpoint(tmp_path):
    p = _run("export", str(tmp_path / "nope.pt"))
    assert p.returncode == 2 and "does not exist" in p.stderr
