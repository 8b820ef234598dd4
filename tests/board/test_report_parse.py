"""``hwgen report parse`` on small sample files that follow Vitis HLS 2022.2's csynth.xml layout
(top-level and per-function ``<module>_csynth.xml``) and Vivado 2022.2's ``report_utilization``
text tables (flat, 7-series rows, and ``-hierarchical``); their numbers are made up."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from hwgen.analysis.report_parse import collect, parse_csynth, parse_hierarchical, parse_utilization
from hwgen.core.errors import ConfigError

DATA = Path(__file__).parent / "data"


def test_parsers_read_the_sample_files():
    top = parse_csynth(DATA / "csynth.xml")
    assert (top["top"], top["part"], top["target_ns"], top["estimated_ns"]) == ("top", "xc7z020-clg400-1", 10.0, 7.016)
    assert (top["interval_max"], top["latency_worst"], top["lut"], top["ff"], top["bram18"], top["dsp"]) == (66, 98, 41277, 21034, 6, 0)
    assert parse_utilization(DATA / "utilization.rpt") == {"lut": 36512, "ff": 24108, "bram18": 9, "uram": 0, "dsp": 0}
    h = parse_hierarchical(DATA / "utilization_hierarchical.rpt")
    assert h["top_features_6_MatMul_U0"] == {"lut": 9807, "ff": 5120, "bram18": 2, "uram": 0, "dsp": 0}


def test_bad_files_are_one_line_errors(tmp_path):
    (tmp_path / "x.xml").write_text("<profile><oops/></profile>")
    with pytest.raises(ConfigError, match="no AreaEstimates/Resources"):
        parse_csynth(tmp_path / "x.xml")
    (tmp_path / "u.rpt").write_text("nothing here\n")
    with pytest.raises(ConfigError, match="report_utilization"):
        parse_utilization(tmp_path / "u.rpt")
    with pytest.raises(ConfigError, match="no report/estimate.json"):
        collect(tmp_path)


def test_report_parse_command(tfc_scripts):
    from hwgen.analysis.estimate import estimate
    from hwgen.analysis.report import write_reports
    from hwgen.app.cli import main

    p = tfc_scripts["pynq-z1"]
    write_reports(estimate(p.graph, p.board), {}, p.root)
    syn = p.root / "hls/hwgen_hls/solution1/syn/report"
    syn.mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA / "csynth.xml", syn)
    shutil.copy(DATA / "top_features_2_MatMul_csynth.xml", syn)
    (p.root / "vivado/out").mkdir(parents=True, exist_ok=True)
    for f in ("utilization.rpt", "utilization_hierarchical.rpt"):
        shutil.copy(DATA / f, p.root / "vivado/out" / f)
    r = CliRunner().invoke(main, ["report", "parse", str(p.root)])
    assert r.exit_code == 0, r.output
    assert "estimate vs synthesis" in r.output and "41277" in r.output and "36512" in r.output
    actual = json.loads((p.root / "report/actual.json").read_text())
    first, second, third = actual["layers"][:3]
    assert first["name"] == "/features.2/MatMul" and first["hls"]["lut"] == 15873 and first["hls"]["interval_max"] == 65
    assert first["vivado"]["lut"] == 14002 and second["vivado"]["bram18"] == 2
    assert second["hls"] is None and third["vivado"] is None  # no report for those: shown as "-"
    assert first["estimate"]["lut"] > 0
    html = (p.root / "report/index.html").read_text()
    assert '<table id="actual">' in html and "<td>15873</td>" in html and 'id="folding"' in html
