"""ArgMax after a float tail the host runs (a final BatchNorm1d, a negative scale): compiled, with
the label computed on the host, every stage exact; the hardware LabelSelect stays where exact
(tests/sim/test_models_exact.py's cnn_argmax)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from brevitas.export import export_qonnx
from brevitas.nn import QuantIdentity, QuantLinear
from brevitas_examples.bnn_pynq.models.common import CommonActQuant, CommonWeightQuant
from torch import nn

from hwgen.core.flow import compile_model
from hwgen.sim.executor import simulate
from hwgen.sim.verify import random_inputs, verify_state


class TailMLP(nn.Module):
    def __init__(self, tail: str):
        super().__init__()
        self.inp = QuantIdentity(act_quant=CommonActQuant, bit_width=8, min_val=-1.0, max_val=1.0 - 2**-7)
        self.l1 = QuantLinear(16, 32, bias=False, weight_quant=CommonWeightQuant, weight_bit_width=1)
        self.b1 = nn.BatchNorm1d(32)
        self.a1 = QuantIdentity(act_quant=CommonActQuant, bit_width=1)
        self.l2 = QuantLinear(32, 10, bias=False, weight_quant=CommonWeightQuant, weight_bit_width=1)
        self.b2 = nn.BatchNorm1d(10)
        self.tail = tail

    def forward(self, x):
        y = self.l2(self.a1(self.b1(self.l1(self.inp(x.flatten(1))))))
        y = self.b2(y) if self.tail == "batchnorm" else y * -1.5
        return torch.argmax(y, dim=1, keepdim=True)


@pytest.mark.parametrize("tail, host_op", [("batchnorm", "BatchNorm"), ("negative_scale", "Mul")])
def test_argmax_after_float_tail_runs_on_host_exactly(tail, host_op, tmp_path):
    torch.manual_seed(0)
    m = TailMLP(tail)
    for b in (m.b1, m.b2):  # random statistics, negative gammas among them
        b.running_mean.data = torch.randn(b.num_features)
        b.running_var.data = torch.rand(b.num_features) + 0.1
        b.weight.data = torch.randn(b.num_features)
        b.bias.data = torch.randn(b.num_features)
    m.eval()
    p = tmp_path / f"{tail}.onnx"
    export_qonnx(m, input_t=torch.rand(1, 16), export_path=str(p), dynamo=False)
    st = compile_model(p)
    hw = st.stages["hardware"]
    tail_ops = [(n.op, bool(n.attrs.get("host"))) for n in hw.nodes][-3:]
    assert tail_ops == [("Dequant", True), (host_op, True), ("ArgMax", True)]
    x = random_inputs((16,), 1000, 0)
    res = verify_state(st, x)
    assert res.passed and [r.mismatches for r in res.rows] == [0, 0, 0]
    with torch.no_grad():
        want = m(torch.from_numpy(x)).numpy()
    assert np.array_equal(simulate(hw, x)[0].reshape(want.shape), want)
