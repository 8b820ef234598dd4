"""Recipes: stage split, LR schedules, AdamBNN stage 1 real weights, repeatability, accuracy."""

from __future__ import annotations

import math

import pytest
import torch

from hwgen import zoo
from hwgen.core.errors import HwgenError
from hwgen.train import train_model
from hwgen.train.loop import set_binary_weights
from hwgen.train.losses import distributional, squared_hinge
from hwgen.train.recipes import RECIPES, get_recipe, lr_at


def test_adambnn_is_two_stages_with_paper_weight_decay() -> None:
    r = get_recipe("adambnn")
    s1, s2 = r.stages
    assert (s1.optimizer, s1.weight_decay, s1.binary_weights, s1.schedule) == (
        "adam", 5e-6, False, "linear")
    assert (s2.optimizer, s2.weight_decay, s2.binary_weights, s2.schedule) == (
        "adam", 0.0, True, "linear")
    assert r.stage_epochs(5) == [2, 3] and r.stage_epochs(2) == [1, 1]
    with pytest.raises(HwgenError, match="use --epochs >= 2"):
        r.stage_epochs(1)


def test_lr_schedules() -> None:
    s = get_recipe("adambnn").stages[0]
    assert lr_at(s, 1.0, 0.0) == 1.0 and lr_at(s, 1.0, 0.75) == pytest.approx(0.25)  # float quantity, not an integer path
    b = get_recipe("binarynet").stages[0]
    assert lr_at(b, 1.0, 1.0) == pytest.approx(0.01) and lr_at(b, 1.0, 0.5) == pytest.approx(0.1)  # float quantity, not an integer path


def test_stage1_uses_real_weights() -> None:
    model = zoo.build("digits-mlp")
    layer = model.features[0]
    set_binary_weights(model, False)
    assert torch.equal(layer.quant_weight(), layer.weight)  # quantization off: plain tensor
    set_binary_weights(model, True)
    assert set(layer.quant_weight().value.unique().tolist()) == {-1.0, 1.0}


def test_losses() -> None:
    logits = torch.tensor([[2.0, -1.0], [0.5, 0.5]])
    target = torch.tensor([0, 1])
    # sample 0: t=(1,-1): max(0,1-2)^2 + max(0,1-1)^2 = 0; sample 1: t=(-1,1): 1.5^2 + 0.5^2
    assert float(squared_hinge(logits, target)) == pytest.approx((2.25 + 0.25) / 4)
    teacher = torch.tensor([[0.0, 0.0], [0.0, 0.0]])
    expected = -(0.5 * torch.log_softmax(logits, 1)).sum(1).mean()
    assert float(distributional(logits, teacher)) == pytest.approx(float(expected))


def test_unknown_recipe() -> None:
    with pytest.raises(HwgenError, match="unknown recipe 'lamb'; valid recipes: binarynet, "):
        get_recipe("lamb")
    assert set(RECIPES) == {"binarynet", "adambnn", "sgd"}


def test_seed_makes_runs_repeatable() -> None:
    kw = dict(batch_size=64, progress=False)
    _, a = train_model("digits-mlp", "digits", "adambnn", 2, seed=3, **kw)
    _, b = train_model("digits-mlp", "digits", "adambnn", 2, seed=3, **kw)
    strip = lambda m: [{k: v for k, v in r.items() if k != "seconds"} for r in m["log"]]  # noqa: E731
    assert strip(a) == strip(b)
    for row in a["log"]:
        assert 0.0 <= row["ff_ratio"] <= 1.0 and 0.0 <= row["c2i_ratio"] <= 1.0
        assert math.isfinite(row["train_loss"])


def test_kd_teacher_path_runs() -> None:
    _, m = train_model("digits-mlp", "digits", "adambnn", 2, seed=0, batch_size=64,
                       kd_teacher_epochs=1, progress=False)
    assert m["kd_teacher_epochs"] == 1 and len(m["log"]) == 2


@pytest.mark.slow
def test_digits_mlp_reaches_90_percent() -> None:
    _, m = train_model("digits-mlp", "digits", "binarynet", 20, seed=0, batch_size=32,
                       progress=False)
    assert m["final_test_accuracy"] >= 0.90
