"""hwgen.export: QONNX export checked against the PyTorch forward, layer by layer."""

from __future__ import annotations

import pytest
import torch
from brevitas.nn import QuantHardTanh, QuantIdentity, QuantLinear, QuantReLU
from brevitas_examples.bnn_pynq.models.common import CommonActQuant, CommonWeightQuant
from torch import nn

import hwgen
from hwgen.app.export import ExportMismatch
from hwgen.core.errors import HwgenError
from hwgen.frontend import load


def mlp(act) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Flatten(), QuantIdentity(act_quant=CommonActQuant, bit_width=8, min_val=-1.0, max_val=1.0 - 2**-7),
        QuantLinear(16, 8, bias=False, weight_quant=CommonWeightQuant, weight_bit_width=1), nn.BatchNorm1d(8),
        act(), QuantLinear(8, 4, bias=False, weight_quant=CommonWeightQuant, weight_bit_width=1),
    ).eval()


def test_good_export_is_written_and_compiles(tmp_path):
    p = hwgen.export(mlp(lambda: QuantIdentity(act_quant=CommonActQuant, bit_width=1)), torch.rand(2, 16),
                     tmp_path / "ok.onnx")
    warnings: list[str] = []
    assert p.is_file() and load(p, warnings).nodes and warnings == []


@pytest.mark.parametrize("act, kind, torch_vals, onnx_vals", [
    (lambda: QuantIdentity(bit_width=1), "QuantIdentity", "{-1, -0}", "{-1, 1}"),
    (lambda: QuantHardTanh(bit_width=1, min_val=-1.0, max_val=1.0), "QuantHardTanh", "{-1, -0}", "{-1, 1}"),
    (lambda: QuantReLU(bit_width=1), "QuantReLU", "{0, 1}", "{1}"),
])
def test_brevitas_one_bit_export_mismatches_are_caught(tmp_path, act, kind, torch_vals, onnx_vals):
    out = tmp_path / "bad.onnx"
    with pytest.raises(ExportMismatch) as e:
        hwgen.export(mlp(act), torch.rand(2, 16), out)
    msg = str(e.value)
    assert isinstance(e.value, HwgenError) and "\n" not in msg
    assert f"layer '4' ({kind}) differs from its export '/4/act_quant/export_handler/BipolarQuant'" in msg
    assert f"PyTorch gives {torch_vals}, the QONNX file {onnx_vals}" in msg
    assert not out.exists()  # nothing written when the check fails


def test_relu_bipolarquant_flagged_at_load(tmp_path):
    from brevitas.export import export_qonnx

    p = tmp_path / "relu.onnx"
    export_qonnx(mlp(lambda: QuantReLU(bit_width=1)), input_t=torch.rand(1, 16), export_path=str(p), dynamo=False)
    warnings: list[str] = []
    load(p, warnings)
    assert len(warnings) == 1 and "Relu -> BipolarQuant is the constant +1" in warnings[0]
