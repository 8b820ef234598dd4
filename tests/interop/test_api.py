"""The Python API, and the README example (its "Python API" section) run as written."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import hwgen
from hwgen.core.errors import ConfigError
from hwgen.zoo.bnn_pynq import export_bnn_pynq

DOC = Path(__file__).parents[2] / "README.md"


@pytest.fixture(scope="module")
def tfc(tmp_path_factory):
    return export_bnn_pynq("TFC_2W2A", tmp_path_factory.mktemp("api") / "model.onnx")


def test_accelerator_verbs(tfc):
    acc = hwgen.compile(tfc, board="pynq-z1")
    x = np.random.default_rng(0).random((16, 1, 28, 28), dtype=np.float32)
    y = acc.predict(x)
    assert y.shape == (16, 10)
    assert acc.verify(x).passed
    fps = acc.estimate()["performance"]["fps"]
    first = next(k for k in acc.folding if k != "Defaults")
    acc.folding[first]["PE"] = 1
    acc.folding[first]["SIMD"] = 1  # the slowest legal folding of that layer: throughput drops
    est = acc.estimate()
    assert est["performance"]["fps"] < fps and est["performance"]["bottleneck"] == first
    acc.folding = {"MVAU_hls_0": {"PE": 16, "SIMD": 49}}  # FINN's names work too
    assert acc.folding[first] == {"PE": 16, "SIMD": 49}
    with pytest.raises(ConfigError, match="PE=3 does not divide"):
        acc.folding = {"MVAU_hls_0": {"PE": 3}}


def test_readme_example_runs(tfc, tmp_path, monkeypatch):
    section = DOC.read_text().split("### Python API", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    (tmp_path / "model.onnx").write_bytes(Path(tfc).read_bytes())
    monkeypatch.chdir(tmp_path)
    ns: dict = {}
    exec(compile(code, str(DOC), "exec"), ns)  # noqa: S102  (the documented example, as a user runs it)
    assert (tmp_path / "build" / "model" / "report" / "folding_config.finn.json").is_file()
    assert ns["est"]["performance"]["fps"] > 0
