"""Issue 11: wide activations and inputs are built exactly or refused in one line, within 2 GB."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import models
import numpy as np
import pytest
import torch
from wide_models import Wide

from hwgen.core.flow import compile_model
from hwgen.passes import chain

ROOT = Path(__file__).parents[2]
RSS_LIMIT_MB = 2048

MEASURE = """
import json, resource, sys
from hwgen.app.cli import run
sys.argv = ["hwgen", *json.loads(sys.argv[1])]
try:
    run()
finally:
    with open({rss!r}, "w") as f:
        f.write(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024))
"""


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    root = tmp_path_factory.mktemp("wide")
    out = {}
    for name, kw in {"a16": {"act_bits": 16}, "a24": {"act_bits": 24}, "in16": {"in_bits": 16},
                     "in24": {"in_bits": 24}}.items():
        torch.manual_seed(0)
        m = Wide(**kw)
        models.randomize_bn(m, seed=1)
        out[name] = models.export(m, root / f"{name}.onnx")
    return out


def hwgen_rss(args: list[str], tmp_path: Path) -> tuple[subprocess.CompletedProcess, int]:
    """Run ``hwgen ARGS`` in a fresh process; its exit, output and peak RSS in MB."""
    rss = tmp_path / "rss.txt"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    r = subprocess.run([sys.executable, "-c", MEASURE.format(rss=str(rss)), json.dumps(args)],
                       env=env, capture_output=True, text=True, timeout=900, check=False)
    return r, int(rss.read_text())


@pytest.mark.parametrize("name", ["a16", "in16", "in24"])
def test_wide_model_verified_exactly_within_2gb(wide, name, tmp_path):
    r, mb = hwgen_rss(["verify", str(wide[name]), "--n", "64"], tmp_path)
    assert r.returncode == 0 and "all stages agree" in r.stdout, r.stderr[-2000:]
    assert "Traceback" not in r.stderr
    assert mb < RSS_LIMIT_MB, mb


@pytest.mark.parametrize("name", ["a16", "a24", "in24"])
def test_wide_model_build_is_exact_or_one_line_within_2gb(wide, name, tmp_path):
    r, mb = hwgen_rss(["build", str(wide[name]), "--flow", "estimate", "--out", str(tmp_path / "o")], tmp_path)
    assert "Traceback" not in r.stderr
    assert r.returncode == 0 or (r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1), r.stderr[-2000:]
    assert mb < RSS_LIMIT_MB, mb


def test_24bit_activation_refused_with_the_limit(wide, tmp_path):
    r, mb = hwgen_rss(["verify", str(wide["a24"])], tmp_path)
    assert r.returncode == 2, r.stderr[-2000:]
    line = r.stderr.strip()
    assert "\n" not in line and "24-bit activation" in line and f"{chain.MAX_THRESHOLDS:,}" in line
    assert mb < RSS_LIMIT_MB


@pytest.mark.parametrize("seed", ["mlp", "qmlp", "cnn"])
def test_bisection_gives_the_table_thresholds(fuzz_seeds, seed, monkeypatch):
    """The bisection path (wide ranges) and the full table agree threshold for threshold."""
    def thresholds():
        g = compile_model(fuzz_seeds[seed]).stages["integer"]
        return {n.name: n.params["thresholds"] for n in g.nodes if "thresholds" in n.params}

    table = thresholds()
    monkeypatch.setattr(chain, "WIDE_RANGE", 0)
    bisect = thresholds()
    assert table.keys() == bisect.keys() and table
    for k, t in table.items():
        assert np.array_equal(t, bisect[k]), k


def test_wide_16bit_thresholds_match_a_table(wide, monkeypatch):
    """16-bit activation: bisection (forced) equals the table on the same layer."""
    monkeypatch.setattr(chain, "WIDE_RANGE", 1 << 40)
    table = {n.name: n.params["thresholds"] for n in compile_model(wide["a16"]).stages["integer"].nodes
             if "thresholds" in n.params}
    monkeypatch.setattr(chain, "WIDE_RANGE", 0)
    bisect = {n.name: n.params["thresholds"] for n in compile_model(wide["a16"]).stages["integer"].nodes
              if "thresholds" in n.params}
    assert any(t.shape[1] == 2**16 - 2 for t in table.values())
    for k, t in table.items():
        assert np.array_equal(t, bisect[k]), k
