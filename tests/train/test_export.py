"""Exports run, and the exported QONNX computes what the trained PyTorch model computes."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from hwgen import zoo
from hwgen.core.errors import HwgenError
from hwgen.zoo.blocks import RPReLU
from hwgen.zoo.transforms import latent_weight

# Logits are float32 computed by two executors with different operation order (BatchNorm,
# TensorNorm, per-channel scales), so they agree to float rounding, not bit-exactly.
LOGIT_ATOL = 1e-4

CASES = [
    ("tfc", None), ("sfc", None), ("digits-mlp", None), ("cnv", None),
    ("bireal-cnn", None), ("reactnet-cnn", None),
    ("tfc", "xnor"), ("tfc", "bireal"), ("tfc", "irnet"), ("tfc", "recu"), ("tfc", "reactnet"),
]


def _inputs(model: torch.nn.Module, n: int) -> torch.Tensor:
    return torch.rand(n, *model.input_shape) * 2 - 1


@pytest.mark.parametrize(("name", "method"), CASES)
def test_export_equals_pytorch_eval(
    tmp_path, qonnx_run, fit, name: str, method: str | None
) -> None:
    model = zoo.build(name, method)
    x = _inputs(model, 32)
    fit(model, x, steps=2 if name == "cnv" else 5)
    path = zoo.export(model, tmp_path / f"{name}.onnx")
    xe = x[:4] if name == "cnv" else x[:8]
    got = qonnx_run(path, xe)
    with torch.no_grad():
        ref = model(xe).numpy()
    np.testing.assert_array_equal(got.argmax(1), ref.argmax(1))
    np.testing.assert_allclose(got, ref, atol=LOGIT_ATOL, rtol=0)


@pytest.mark.parametrize("method", ["irnet", "recu"])
def test_baked_standardization_export_equals_trained(tmp_path, qonnx_run, fit, method: str) -> None:
    model = zoo.build("tfc", method)
    first = model.features[0]
    with torch.no_grad():  # an offset makes raw signs differ from standardized signs
        latent_weight(first).add_(0.4)
    x = _inputs(model, 64)
    fit(model, x)
    raw_signs = latent_weight(first) >= 0
    baked_signs = first.weight >= 0
    assert bool((raw_signs != baked_signs).any()), "test needs sign-changing standardization"
    path = zoo.export(model, tmp_path / "m.onnx")
    got = qonnx_run(path, x[:16])
    with torch.no_grad():
        ref = model(x[:16]).numpy()
    np.testing.assert_array_equal(got.argmax(1), ref.argmax(1))
    np.testing.assert_allclose(got, ref, atol=LOGIT_ATOL, rtol=0)
    # the stored ONNX weight carries the standardized signs, not the raw latent ones
    from qonnx.core.modelwrapper import ModelWrapper

    onnx_w = ModelWrapper(str(path)).get_initializer("features.0.weight")
    if onnx_w is None:  # name depends on the exporter; fall back to the first 64x784 init
        inits = ModelWrapper(str(path)).model.graph.initializer
        onnx_w = next(
            ModelWrapper(str(path)).get_initializer(i.name)
            for i in inits if tuple(i.dims) == (64, 784)
        )
    assert np.array_equal(onnx_w >= 0, baked_signs.detach().numpy())
    # the model itself is not modified by export
    assert torch.equal(latent_weight(first) >= 0, raw_signs)


def test_negative_rprelu_slope_is_refused(tmp_path) -> None:
    model = zoo.build("reactnet-cnn")
    rprelu = next(m for m in model.modules() if isinstance(m, RPReLU))
    with torch.no_grad():
        rprelu.prelu.weight[0] = -0.5
    with pytest.raises(HwgenError, match=r"RPReLU '.*' has 1 negative slope\(s\).*clamps"):
        zoo.export(model, tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


def test_zoo_metadata_and_unknown_model() -> None:
    assert zoo.get_info("sfc").is_compilable
    for name in ("plain-cnn", "bireal-cnn", "reactnet-cnn", "densenet-cnn"):
        assert zoo.get_info(name).is_compilable
    assert zoo.get_info("cnv").input_shape == (3, 32, 32)
    with pytest.raises(HwgenError, match="unknown model 'resnet'; valid models: tfc, sfc"):
        zoo.build("resnet")
    with pytest.raises(HwgenError, match="unknown method 'dorefa'; valid methods: binarynet"):
        zoo.build("tfc", "dorefa")
