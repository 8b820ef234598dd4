"""Reports: estimate.json, FINN-compatible files, folding config, index.html, CLI, build flow."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from hwgen.app.cli import main
from hwgen.units.hls_memory import FILL_DRAIN_CYCLES

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def reported(bnn_pynq, tmp_path_factory):
    """`hwgen estimate --report` on CNV for PYNQ-Z1: (CLI output, report dir)."""
    out = tmp_path_factory.mktemp("est")
    res = CliRunner().invoke(main, ["estimate", str(bnn_pynq("CNV_1W1A")[0]), "--board", "pynq-z1",
                                    "--report", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.output, out / "report"


def test_estimate_cli_prints_table_and_totals(reported):
    text, _ = reported
    assert "/conv_features.4/Conv" in text and "utilisation" in text and "FPS" in text


def test_report_files(reported):
    _, rep = reported
    est = json.loads((rep / "estimate.json").read_text())
    u = est["units"][1]
    assert {"op", "shape", "PE", "SIMD", "cycles", "lut", "ff", "bram18", "uram", "dsp"} <= u.keys()
    assert est["board"]["capacity"]["lut"] == 53200 and est["utilisation"]["lut"] <= 0.8
    assert est["performance"]["fps"] >= 6100 and est["performance"]["latency_cycles"] > 0
    cycles = json.loads((rep / "estimate_layer_cycles.json").read_text())
    assert cycles == {r["name"]: r["cycles"] for r in est["units"]}
    res = json.loads((rep / "estimate_layer_resources.json").read_text())
    assert res["total"]["LUT"] == est["totals"]["lut"] and {"BRAM_18K", "URAM", "DSP"} <= res["total"].keys()
    perf = json.loads((rep / "estimate_network_performance.json").read_text())
    assert perf["max_cycles"] == est["performance"]["max_cycles"]
    assert perf["max_cycles_node_name"] == est["performance"]["bottleneck"]
    fold = json.loads((rep / "folding_config.json").read_text())
    assert fold["Defaults"] == {} and fold["/conv_features.4/Conv"]["PE"] == next(
        r["PE"] for r in est["units"] if r["name"] == "/conv_features.4/Conv")


def test_folding_json_from_cli_is_applied(reported, bnn_pynq, tmp_path):
    _, rep = reported
    cfg = json.loads((rep / "folding_config.json").read_text())
    cfg["/linear_features.6/MatMul"] = {"PE": 2, "SIMD": 4}
    p = tmp_path / "f.json"
    p.write_text(json.dumps(cfg))
    res = CliRunner().invoke(main, ["estimate", str(bnn_pynq("CNV_1W1A")[0]), "--folding", str(p),
                                    "--report", str(tmp_path)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    cyc = json.loads((tmp_path / "report" / "estimate_layer_cycles.json").read_text())
    assert cyc["/linear_features.6/MatMul"] == 5 * 128 + FILL_DRAIN_CYCLES  # loop cycles + one fill/drain


def test_cli_errors_are_one_line(bnn_pynq, tmp_path):
    model = str(bnn_pynq("CNV_1W1A")[0])
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"/conv_features.4/Conv": {"PE": 5}}))
    for args, msg in ((["--target-fps", "1e6"], "out of reach"), (["--folding", str(bad)], "does not divide")):
        res = CliRunner().invoke(main, ["estimate", model, *args])
        assert res.exit_code != 0 and msg in str(res.exception)
        assert "\n" not in str(res.exception)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium absent: apt-get install -y chromium")
def test_index_html_renders_headless(reported):
    _, rep = reported
    dom = subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                          (rep / "index.html").as_uri()], capture_output=True, text=True, timeout=120).stdout
    for plot in ("cycles", "board", "units"):
        start = dom.index(f'id="{plot}"')
        assert "<svg" in dom[start:start + 2000], plot
    assert dom.count("<svg") >= 3 and 'id="folding"' in dom and "/conv_features.4/Conv" in dom


def test_build_estimate_flow_writes_reports(bnn_pynq, tmp_path):
    from hwgen.app.build import run_build

    out = tmp_path / "cnv"
    run_build(str(bnn_pynq("CNV_1W1A")[0]), board="pynq-z1", out_dir=str(out), force=False, flow="estimate",
              verify_n=0, target_fps=3000.0, budget=0.8, folding=None)
    rep = out / "report"
    names = {p.name for p in rep.iterdir()}
    assert {"estimate.json", "estimate_layer_cycles.json", "estimate_layer_resources.json",
            "estimate_network_performance.json", "folding_config.json", "index.html"} <= names
    assert json.loads((rep / "estimate.json").read_text())["performance"]["fps"] >= 3000
