"""FINN folding files both ways, on fixtures finn-plus wrote (tools/capture_finn_fixtures.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from hwgen.analysis.finn_names import finn_folding_config, finn_layers
from hwgen.core.flow import compile_model
from hwgen.fold.common import FoldingError
from hwgen.fold.config import apply_folding_config
from hwgen.units import unit_of
from hwgen.zoo.bnn_pynq import export_bnn_pynq

FIX = Path(__file__).parents[1] / "fixtures" / "finn"
MODELS = {"tfc_2w2a": "TFC_2W2A", "lfc_1w1a": "LFC_1W1A", "cnv_1w1a": "CNV_1W1A"}


@pytest.fixture(scope="module")
def hw(tmp_path_factory):
    root = tmp_path_factory.mktemp("finnfold")
    cache: dict[str, object] = {}

    def get(model: str):
        if model not in cache:
            cache[model] = compile_model(export_bnn_pynq(model, root / f"{model}.onnx")).stages["hardware"]
        return cache[model]

    return get


def _fixture(stem: str) -> tuple[Path, dict]:
    return FIX / f"{stem}.folding.json", json.loads((FIX / f"{stem}.estimates.json").read_text())


def _cycles_by_finn_name(g) -> dict[str, int]:
    return {lay.name: unit_of(g.node(lay.node)).cycles() for lay in finn_layers(g) if lay.node}


@pytest.mark.parametrize("stem", sorted(MODELS))
def test_finn_bnn_pynq_folding_accepted_with_finns_cycles(hw, stem):
    path, finn = _fixture(stem)
    notes: list[str] = []
    g = apply_folding_config(hw(MODELS[stem]), path, notes)
    ours = _cycles_by_finn_name(g)
    mvaus = [name for name, op in finn["nodes"] if op.startswith("MVAU")]
    assert mvaus and all(ours[name] == finn["cycles"][name] for name in mvaus), \
        {name: (ours[name], finn["cycles"][name]) for name in mvaus}
    # every attribute is applied, translated or named: FINN's memory styles are named as ignored
    assert any(n.startswith("ignored") and "ram_style" in n and "mem_mode" in n for n in notes)
    assert any("Thresholding_rtl_0 (input quantizer)" in n for n in notes)


def test_finn_setfolding_for_cnv_accepted_with_finns_cycles(hw):
    path, finn = _fixture("cnv_1w1a_setfolding")
    cfg = json.loads(path.read_text())
    # SetFolding's window generators take SIMD 3 under an MVAU SIMD 9: legal in FINN, and here
    assert cfg["ConvolutionInputGenerator_rtl_0"]["SIMD"] != cfg["MVAU_hls_0"]["SIMD"]
    notes: list[str] = []
    g = apply_folding_config(hw("CNV_1W1A"), path, notes)
    ours = _cycles_by_finn_name(g)
    mvaus = [name for name, op in finn["nodes"] if op.startswith("MVAU")]
    assert [ours[m] for m in mvaus] == [finn["cycles"][m] for m in mvaus]
    assert g.node("/conv_features.1/Conv_swu").attrs["simd"] == cfg["ConvolutionInputGenerator_rtl_0"]["SIMD"]
    assert any("'/conv_features.1/Conv_swu' SIMD 3 under '/conv_features.1/Conv' SIMD 9: a width "
               "converter joins them" in n for n in notes)
    # pools: FINN's window generator and Pool_hls are one unit here
    assert g.node("/conv_features.7/MaxPool").attrs["pe"] == cfg["Pool_hls_0"]["PE"]


def _check_finn_format(cfg: dict, finn: dict) -> None:
    """FINN's ApplyConfig rules: an object of node name -> {attribute: value}, Defaults as
    [value, [op types]] pairs; the names must be nodes FINN makes of this model."""
    names = {name: op for name, op in finn["nodes"]}
    attrs = {"MVAU": {"PE", "SIMD"}, "ConvolutionInputGenerator": {"SIMD", "parallel_window"},
             "Pool": {"PE"}, "Thresholding": {"PE"}, "LabelSelect": {"PE"}}
    assert isinstance(cfg.get("Defaults"), dict)
    for spec in cfg["Defaults"].values():
        assert isinstance(spec, list) and len(spec) % 2 == 0
    for name, spec in cfg.items():
        if name == "Defaults":
            continue
        assert name in names, f"{name} is not a node FINN makes"
        base = re.sub(r"_(hls|rtl)$", "", names[name])
        assert isinstance(spec, dict) and set(spec) <= attrs[base], (name, spec)
        assert all(isinstance(v, int) and v >= 1 for v in spec.values())


@pytest.mark.parametrize("stem", sorted(MODELS))
def test_written_finn_config_names_finns_nodes_and_round_trips(hw, stem):
    path, finn = _fixture(stem)
    g = apply_folding_config(hw(MODELS[stem]), path, [])
    out = finn_folding_config(g)
    _check_finn_format(out, finn)
    theirs = json.loads(path.read_text())
    for name, spec in out.items():
        if name != "Defaults" and not name.startswith("Thresholding"):
            assert {k: theirs[name][k] for k in spec} == spec, name
    # and back: our FINN file applied to the unfolded graph gives the same folding
    again = apply_folding_config(hw(MODELS[stem]), out, [])
    assert _cycles_by_finn_name(again) == _cycles_by_finn_name(g)


def test_defaults_in_all_finn_forms(hw):
    g0 = hw("TFC_2W2A")
    pe = lambda g: [n.attrs["pe"] for n in g.nodes if n.op == "MVAU"]
    assert pe(apply_folding_config(g0, {"Defaults": {"PE": [2, ["MVAU_hls"]]}}, [])) == [2, 2, 2, 2]
    assert pe(apply_folding_config(g0, {"Defaults": {"PE": [2, "MVAU"]}}, [])) == [2, 2, 2, 2]
    assert pe(apply_folding_config(g0, {"Defaults": {"PE": [2, "all"]}}, [])) == [2, 2, 2, 2]
    both = {"Defaults": {"PE": [5, ["Thresholding_rtl"], 2, ["MVAU_hls", "MVAU_rtl"]]}, "MVAU_hls_3": {"PE": 10}}
    assert pe(apply_folding_config(g0, both, [])) == [2, 2, 2, 10]  # a node's own entry wins
    notes: list[str] = []
    apply_folding_config(g0, {"Defaults": {"ram_style": ["block", ["MVAU_hls"]]}}, notes)
    assert notes == ["ignored (hwgen chooses these itself from its cost model): ram_style (1 node)"]


@pytest.mark.parametrize("cfg, match", [
    ({"MVAU_hls_4": {"PE": 1}}, r"'MVAU_hls_4' has no counterpart: this model makes 4 MVAU"),
    ({"VVAU_hls_0": {"PE": 1}}, r"'VVAU_hls_0' \(VVAU\) has no counterpart"),
    ({"MVAU_hls_0": {"XYZ": 1}}, r"'MVAU_hls_0' \(MVAU_hls, our '/features.2/MatMul'\) has no 'XYZ'"),
    ({"MVAU_hls_0": {"PE": 3}}, r"PE=3 does not divide MH=64"),
    ({"Defaults": {"PE": [1]}}, r"Defaults.PE must be \[value"),
    ({"Defaults": {"PE": [1, "all", 2, ["MVAU_hls"]]}}, r"\"all\" must be the only pair"),
    ({"nope": {"PE": 1}}, r"unknown node 'nope'"),
])
def test_bad_finn_configs_are_one_line_errors(hw, cfg, match):
    with pytest.raises(FoldingError, match=match) as e:
        apply_folding_config(hw("TFC_2W2A"), cfg, [])
    assert "\n" not in str(e.value)
