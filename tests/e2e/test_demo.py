"""The main job end to end: train -> export -> verify -> build (codegen, g++ csim, reports)."""

from __future__ import annotations

import json

from hwgen.app.demo import main


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


def test_build_generates_the_folding_it_reports(tmp_path, bnn_pynq):
    """Regression: codegen and csim must use the folded graph, not the unfolded one."""
    import re

    from hwgen.app.build import run_build

    path, _ = bnn_pynq("TFC_1W1A")
    out = tmp_path / "tfc"
    run_build(str(path), board="pynq-z1", out_dir=str(out), force=False, flow="default", verify_n=0,
              csim_n=8, target_fps=None, budget=0.8, folding=None)
    cfg = json.loads((out / "report" / "folding_config.json").read_text())
    top = (out / "hls" / "top.cpp").read_text()
    calls = re.findall(r"hwgen::mvau<(\d+), (\d+), (\d+), (\d+), (\d+),", top)  # MW, MH, SIMD, PE, REPS
    folded = [(v["PE"], v["SIMD"]) for k, v in cfg.items() if k != "Defaults"]
    assert [(int(pe), int(simd)) for _, _, simd, pe, _ in calls] == folded
    assert any(pe > 1 or simd > 1 for pe, simd in folded)


def test_build_with_a_relative_output_directory(tmp_path, monkeypatch, bnn_pynq):
    """Regression: `make demo` builds into build/demo, a relative path; g++ runs elsewhere."""
    from hwgen.app.build import run_build

    path, _ = bnn_pynq("TFC_1W1A")
    monkeypatch.chdir(tmp_path)
    run_build(str(path), board="pynq-z1", out_dir="build/rel", force=False, flow="default", verify_n=0,
              csim_n=4, target_fps=None, budget=0.8, folding=None)
    assert (tmp_path / "build" / "rel" / "hls" / "csim").is_file()


def test_save_intermediate_writes_every_stage(tmp_path, bnn_pynq):
    from hwgen.app.build import run_build

    path, _ = bnn_pynq("TFC_1W1A")
    out = tmp_path / "inter"
    run_build(str(path), board="pynq-z1", out_dir=str(out), force=False, flow="default", verify_n=0,
              csim_n=0, target_fps=None, budget=0.8, folding=None, save_intermediate=True)
    files = sorted(p.name for p in (out / "report" / "stages").iterdir())
    assert files == ["0_float.json", "1_integer.json", "2_hardware.json", "3_folded.json", "4_inserted.json",
                     "5_fifo.json"]
    fifo = json.loads((out / "report" / "stages" / "5_fifo.json").read_text())
    mvau = [n for n in fifo if n["op"] == "MVAU"]
    fifos = [n for n in fifo if n["op"] == "FIFO"]
    assert mvau and all("weights" in n["params"] for n in mvau)
    assert len(fifos) == len(mvau) + 1 and all(n["attrs"]["depth"] >= 2 for n in fifos)  # + the output FIFO
