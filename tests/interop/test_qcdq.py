"""QCDQ ingest: Brevitas ``export_onnx_qcdq`` exports compile exactly, and C-simulate equal.

Brevitas' QCDQ exporter refuses 1-bit quantizers ("Binary quant not supported"), so the CNV
case is CNV_2W2A; TFC_2W2A is the multi-bit MLP."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from brevitas.export import export_onnx_qcdq

from hwgen.app.build import run_build
from hwgen.core.flow import compile_model
from hwgen.sim.executor import simulate
from hwgen.sim.verify import random_inputs, verify_state
from hwgen.zoo.bnn_pynq import build


@pytest.mark.parametrize("name, n_csim", [("TFC_2W2A", 32), pytest.param("CNV_2W2A", 2, marks=pytest.mark.slow)])
def test_qcdq_export_exact_at_every_stage_and_csim(name, n_csim, tmp_path):
    m = build(name, seed=3)
    path = tmp_path / f"{name}_qcdq.onnx"
    export_onnx_qcdq(m, input_t=torch.rand(1, *m.input_shape), export_path=str(path), dynamo=False)
    state = compile_model(path)
    g = state.stages["float"]
    x = random_inputs(tuple(g.tensors[g.inputs[0]].shape), 200, 0)
    res = verify_state(state, x)  # every stage == execute_onnx on the QCDQ file, with ==
    assert res.passed and [r.mismatches for r in res.rows] == [0] * len(res.rows)
    with torch.no_grad():
        want = m(torch.from_numpy(x)).numpy()
    got = simulate(state.stages["hardware"], x)[0]
    assert np.array_equal(got.reshape(want.shape), want)  # PyTorch's logits, bit for bit
    # the C-simulation of the generated accelerator equals the simulator (the csim step raises if not)
    out = run_build(str(path), board="pynq-z1", out_dir=str(tmp_path / "build"), force=False,
                    flow="default", verify_n=64, csim_n=n_csim)
    r = out.artifacts["csim"]
    assert (r.n, r.mismatches) == (n_csim, 0)
