"""The main job end to end: train -> export -> verify -> build (codegen, g++ csim, reports)."""

from __future__ import annotations

import json

from hwgen.demo import main


def test_demo_runs_end_to_end(tmp_path, capsys):
    out = tmp_path / "demo"
    main(["--out", str(out), "--epochs", "3", "--csim", "16"])
    text = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert "all stages agree with the reference" in text
    assert "labels equal on 100.00%" in text
    assert "all equal to the simulator" in text  # g++ C-simulation == numpy simulator
    project = out / "project"
    for f in ("hls/top.cpp", "hls/params.hpp", "hls/tb.cpp", "report/estimate.json", "report/index.html",
              "report/folding_config.json", "README.md"):
        assert (project / f).is_file(), f
    est = json.loads((project / "report" / "estimate.json").read_text())
    assert est["fits"] and est["performance"]["fps"] > 0
